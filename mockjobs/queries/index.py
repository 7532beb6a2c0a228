"""A list's columnar index: any filter set and order answered from arrays, not from SQL.

The store stays the source of truth. An index is a copy of one version of a table's
filterable and sortable columns, as numpy arrays: row i of every array is the record of
row id `rowids[i]`. A filter is a boolean mask over the rows, an order a permutation of
them computed once per version (ascending with `id` breaking ties, nulls last; reversed,
it is the descending order with nulls first, as `ordering` in SQL has it), so the first
query of a filter set costs a few array operations instead of a sort of every match.

Text columns become codes: their ranks among the column's distinct values, in code point
order, which is the order of SQLite's BINARY collation and of PostgreSQL's "C" one. A
null's code is above every value's. The index holds no record's `id`: a filter on ids asks
the database (`positions`), whose primary key finds them.

An index is built in chunks of rows, each read in a transaction of its own, so that no
build holds the store for long; a write in between abandons it. `ListIndex` keeps the
index of one table following the data version: a small table's is built at once, a large
one's in a thread of its own while its queries go to SQL. Memory: 8 bytes a row for the
row ids, 4 for each order, and for each filtered column its codes or values (1 to 8 bytes).
"""

from __future__ import annotations

import json
import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import peewee

from ..store.records import Records

CHUNK = 20_000  # rows read in one transaction
AT_ONCE = 20_000  # tables up to this many rows have their index built by the request itself

Mask = np.ndarray | None  # which rows match (None: every row)


@dataclass(frozen=True)
class IndexSpec:
    """What a list filters and orders on."""

    texts: tuple[str, ...] = ()  # text columns a filter names values of (`one_of`)
    numbers: tuple[str, ...] = ()  # integer columns a filter bounds (null: never in bounds)
    flags: dict[str, str] = field(default_factory=dict)  # name: an SQL truth of the record
    lists: tuple[str, ...] = ()  # JSON lists of texts a filter names a member of
    orders: tuple[str, ...] = ()  # the fields a list sorts by, `id` breaking ties

    def columns(self) -> list[str]:
        wanted = ["id", *self.texts, *self.numbers, *self.lists, *self.orders]
        return list(dict.fromkeys(wanted))


class Index:
    """One version of a table's list columns, as arrays."""

    def __init__(self, version: int, rowids: np.ndarray) -> None:
        self.version, self.rowids = version, rowids
        self.texts: dict[str, tuple[np.ndarray, list[str]]] = {}  # codes, the values by code
        self.numbers: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # values, which are not null
        self.flags: dict[str, np.ndarray] = {}
        self.members: dict[str, dict[str, np.ndarray]] = {}  # per list: value -> rows having it
        self.orders: dict[str, np.ndarray] = {}  # ascending permutations of the rows

    def __len__(self) -> int:
        return len(self.rowids)

    @property
    def nbytes(self) -> int:
        """What the arrays take (the texts' values and the lists' members roughly)."""
        arrays = [self.rowids, *self.flags.values(), *self.orders.values()]
        arrays += [codes for codes, _ in self.texts.values()]
        arrays += [a for pair in self.numbers.values() for a in pair]
        arrays += [rows for members in self.members.values() for rows in members.values()]
        texts = sum(len(v) + 50 for _, values in self.texts.values() for v in values)
        return sum(a.nbytes for a in arrays) + texts

    # -- filters: masks, combined with `both` ------------------------------------------------

    def one_of(self, name: str, wanted: Iterable[str]) -> np.ndarray:
        """The rows whose text column `name` is one of `wanted`."""
        codes, values = self.texts[name]
        found = [code for code in map(_finder(values), wanted) if code is not None]
        if len(found) == 1:
            return codes == found[0]
        return np.isin(codes, np.array(found, dtype=codes.dtype))

    def between(self, name: str, low: int | None = None, high: int | None = None) -> np.ndarray:
        """The rows whose integer column is within the bounds (64-bit ones), null never."""
        values, present = self.numbers[name]
        mask = present.copy()
        if low is not None:
            mask &= values >= low
        if high is not None:
            mask &= values <= high
        return mask

    def flag(self, name: str, value: bool) -> np.ndarray:
        return self.flags[name] if value else ~self.flags[name]

    def having(self, name: str, member: str) -> np.ndarray:
        """The rows whose list column `name` holds `member`."""
        mask = np.zeros(len(self), dtype=bool)
        mask[self.members[name].get(member, [])] = True
        return mask

    def at(self, rowids: Sequence[int]) -> np.ndarray:
        """The rows of these row ids."""
        found = np.searchsorted(self.rowids, np.asarray(rowids, dtype=np.int64))
        mask = np.zeros(len(self), dtype=bool)
        mask[found[found < len(self)]] = True
        return mask

    # -- order ------------------------------------------------------------------------------

    def ordered(self, mask: Mask, name: str, direction: str) -> array:
        """The row ids of the matching rows, in the order of `name` (ASC or DESC)."""
        permutation = self.orders[name]
        if direction != "ASC":
            permutation = permutation[::-1]
        if mask is not None:
            permutation = permutation[mask[permutation]]
        return array("q", self.rowids[permutation].tobytes())


def both(mask: Mask, other: np.ndarray) -> np.ndarray:
    return other if mask is None else mask & other


def _finder(values: list[str]) -> Callable[[str], int | None]:
    """The code of a value among sorted `values` (None: no row has it)."""
    from bisect import bisect_left

    def find(value: str) -> int | None:
        code = bisect_left(values, value)
        return code if code < len(values) and values[code] == value else None

    return find


# -- building ------------------------------------------------------------------------------


def build(records: Records, spec: IndexSpec, chunk: int = CHUNK) -> Index | None:
    """The index of `records` now; None when the data changed while it was read."""
    store, model = records.store, records.model
    names = spec.columns()
    columns = [f'"{model._meta.fields[name].column_name}"' for name in names]
    columns += [f"({sql})" for sql in spec.flags.values()]
    table = model._meta.table_name
    sql = f'SELECT rowid, {", ".join(columns)} FROM "{table}" WHERE rowid > {store.database.param} ORDER BY rowid LIMIT {chunk}'  # fmt: skip
    read: list[list[Any]] = [[] for _ in range(len(columns) + 1)]
    version, last = None, -(2**63)
    while True:
        with store.reading() as now:
            if version is None:
                version = now
            elif now != version:
                return None
            rows = store.database.execute_sql(sql, (last,)).fetchall()
        for values, column in zip(read, zip(*rows, strict=True), strict=False):
            values.extend(column)
        if len(rows) < chunk:
            break
        last = rows[-1][0]
    index = Index(version, np.array(read[0], dtype=np.int64))
    by_name = dict(zip(names, read[1 : len(names) + 1], strict=True))
    texts = {name for name in names if isinstance(model._meta.fields[name], peewee.TextField)}
    ranks = {name: _ranked(by_name[name]) for name in texts - set(spec.lists)}
    for name in spec.texts:
        index.texts[name] = ranks[name]
    for name in spec.numbers:
        index.numbers[name] = _numbers(by_name[name])
    for name, values in zip(spec.flags, read[len(names) + 1 :], strict=True):
        index.flags[name] = np.array(values, dtype=bool)
    for name in spec.lists:
        index.members[name] = _members(by_name[name])
    ids = ranks["id"][0]
    for name in spec.orders:
        if name == "id":
            index.orders[name] = np.argsort(ids).astype(np.int32)
            continue
        key = ranks[name][0] if name in ranks else _numbers(by_name[name])
        keys = (ids, key) if name in ranks else (ids, key[0], ~key[1])  # nulls last
        index.orders[name] = np.lexsort(keys).astype(np.int32)
    return index


def _ranked(values: list[str | None]) -> tuple[np.ndarray, list[str]]:
    """Codes of texts: their ranks among the distinct values (a null's: above all of them)."""
    distinct = sorted({v for v in values if v is not None})
    code = {value: rank for rank, value in enumerate(distinct)}
    null = len(distinct)
    dtype = np.int8 if null < 2**7 else np.int16 if null < 2**15 else np.int32
    codes = np.fromiter((code.get(v, null) for v in values), dtype=dtype, count=len(values))  # type: ignore[arg-type]
    return codes, distinct


def _numbers(values: list[int | None]) -> tuple[np.ndarray, np.ndarray]:
    present = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    numbers = np.fromiter((0 if v is None else v for v in values), np.int64, len(values))
    return numbers, present


def _members(values: list[str]) -> dict[str, np.ndarray]:
    rows: dict[str, list[int]] = {}
    for row, text in enumerate(values):
        for member in set(json.loads(text)):
            rows.setdefault(member, []).append(row)
    return {member: np.array(found, dtype=np.int64) for member, found in rows.items()}


class ListIndex:
    """The index of one table, following the data version.

    `refresh()` (outside any transaction) brings it up to date: at once for a small table,
    in a thread for a large one. `at(version)` is the index of that version, or None: the
    query goes to SQL meanwhile.
    """

    def __init__(self, records: Records, spec: IndexSpec, at_once: int = AT_ONCE) -> None:
        self.records, self.spec, self.at_once = records, spec, at_once
        self._index: Index | None = None
        self._lock = threading.Lock()  # one build at a time
        self._thread: threading.Thread | None = None

    def at(self, version: int) -> Index | None:
        index = self._index
        return index if index is not None and index.version == version else None

    def refresh(self) -> None:
        """Build the index of the data now unless it is built or being built."""
        version = self.records.store.version()
        if self.at(version) is not None or (self._thread and self._thread.is_alive()):
            return
        size = len(self._index) if self._index is not None else self.records.count()
        if size <= self.at_once:
            self._build()
        else:
            self._thread = threading.Thread(target=self._build, name="mockjobs-index", daemon=True)
            self._thread.start()

    def wait(self) -> Index | None:
        """The index of the data now, built if need be (benchmarks and tests)."""
        if self._thread is not None:
            self._thread.join()
        self._build()
        return self.at(self.records.store.version())

    def _build(self) -> None:
        with self._lock:
            if self.at(self.records.store.version()) is not None:
                return
            try:
                index = build(self.records, self.spec)
            except peewee.DatabaseError:  # the store closed meanwhile: nothing to serve
                return
            if index is not None and (self._index is None or index.version > self._index.version):
                self._index = index
