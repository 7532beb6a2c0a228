"""Building a list's index from the store: its columns read in chunks, each a short transaction.

No build holds the store for long (another request waits for one chunk at most), and a write
between two chunks abandons it. Ids are not read: the primary key's order gives each row its
place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import peewee

from ..store.records import Records
from .index import Index, IndexSpec, order_of

CHUNK = 5_000  # rows read in one transaction: another request waits for no more
SPACING = 2**32  # between the places of two ids in a build: a row inserted takes one between


def build(records: Records, spec: IndexSpec, chunk: int = CHUNK) -> Index | None:
    """The index of `records` now; None when the data changed while it was read.

    Two passes of chunks, each chunk a transaction of its own at the same version: the
    columns in row id order, then the row ids in `id` order (the primary key's), so that no
    id is held. A text is held once, however many rows have it.
    """
    model, names, columns = records.model, *columns_of(records, spec)
    texts = {name for name in names if _is_text(model, name) and name not in spec.lists}
    reader = _Reader(records, chunk)
    read: dict[str, list[np.ndarray]] = {name: [] for name in ["rowid", *names, *spec.flags]}
    found: dict[str, dict[Any, int]] = {name: {} for name in texts}  # value: provisional code
    members: dict[str, dict[str, list[int]]] = {name: {} for name in spec.lists}
    rows_read = 0
    for rows in reader.chunks(f"rowid, {columns}", "rowid"):
        for name, column in zip(read, zip(*rows, strict=True), strict=True):
            if name in found:
                codes = found[name]
                provisional = (codes.setdefault(v, len(codes)) for v in column)
                read[name].append(np.fromiter(provisional, np.int32, len(column)))
            elif name in members:
                for row, text in enumerate(column, rows_read):
                    for member in set(json.loads(text)):
                        members[name].setdefault(member, []).append(row)
            else:
                read[name].append(integers(column))
        rows_read += len(rows)
    if reader.version is None:
        return None
    joined = {name: np.concatenate([np.zeros(0, np.int64), *parts]) for name, parts in read.items()}
    rowids = joined.pop("rowid")
    ids = np.empty(len(rowids), np.int64)
    ranked = 0
    for rows in reader.chunks("rowid, id", "id"):
        places = np.arange(ranked, ranked + len(rows), dtype=np.int64) * SPACING
        ids[np.searchsorted(rowids, [rowid for rowid, _ in rows])] = places
        ranked += len(rows)
    if reader.version is None or ranked != len(rowids):
        return None

    index = Index(reader.version, rowids, reader.log)
    index.ids = ids
    ranks = {name: _ranked(joined[name], found[name]) for name in texts}
    numbers = {
        name: (joined[name], joined[name] != NULL if model._meta.fields[name].null else np.ones(len(rowids), bool))
        for name in names if name not in texts and name not in spec.lists
    }  # fmt: skip
    index.texts.update(ranks)  # every text but `id`, and every number: a patch re-sorts them
    index.numbers.update(numbers)
    for name in spec.flags:
        index.flags[name] = joined[name].astype(bool)
    for name in spec.lists:
        index.members[name] = {m: np.array(r, np.int64) for m, r in members[name].items()}
    for name in spec.orders:
        index.orders[name] = order_of(index, name)
    return index


def columns_of(records: Records, spec: IndexSpec) -> tuple[list[str], str]:
    """The columns an index reads (all but `id`), and their SQL (the flags last)."""
    fields = records.model._meta.fields
    names = [name for name in spec.columns() if name != "id"]
    sql = [f'"{fields[name].column_name}"' for name in names]
    return names, ", ".join(sql + [f"({truth})" for truth in spec.flags.values()])


class _Reader:
    """A table's rows in chunks, every chunk at one version (`version`: None once it changed)."""

    def __init__(self, records: Records, chunk: int) -> None:
        self.store, self.table, self.chunk = records.store, records.model._meta.table_name, chunk
        self.version: int | None = -1  # none read yet
        self.log = 0  # the store's latest change, read with the first chunk

    def chunks(self, columns: str, key: str) -> Iterator[list[tuple[Any, ...]]]:
        """The rows in `key` order; `key` is the first column selected or the second."""
        place, after = self.store.database.param, None
        while self.version is not None:
            where = "" if after is None else f' WHERE "{key}" > {place}'
            sql = f'SELECT {columns} FROM "{self.table}"{where} ORDER BY "{key}" LIMIT {self.chunk}'
            with self.store.reading() as version:
                if self.version not in (-1, version):
                    self.version = None
                    return
                if self.version == -1:
                    self.log = self.store.last_change()
                self.version = version
                params = () if after is None else (after,)
                rows = self.store.database.execute_sql(sql, params).fetchall()
            if rows:
                yield rows
            if len(rows) < self.chunk:
                return
            after = rows[-1][0 if key == "rowid" else 1]


def _is_text(model: Any, name: str) -> bool:
    return isinstance(model._meta.fields[name], peewee.TextField)


NULL = -(2**63)  # a null in a nullable integer column (whose values never go below 1970)


def integers(column: tuple[Any, ...]) -> np.ndarray:
    """A chunk's integers (truths too); a null as NULL."""
    return np.fromiter((NULL if v is None else v for v in column), np.int64, len(column))


def _ranked(provisional: np.ndarray, found: dict[Any, int]) -> tuple[np.ndarray, list[str]]:
    """Codes of texts: their ranks among the distinct values (a null's: above all of them)."""
    distinct = sorted(v for v in found if v is not None)
    rank = np.empty(len(found), np.int64)
    for position, value in enumerate(distinct):
        rank[found[value]] = position
    if None in found:
        rank[found[None]] = len(distinct)
    top = len(distinct)
    dtype = np.int8 if top < 2**7 else np.int16 if top < 2**15 else np.int32
    return rank[provisional].astype(dtype), distinct
