"""Keeping a list's index in step with the data: patched by the writes, else built afresh.

Triggers log the row ids that updates change (the store's `changes`); rows inserted have row
ids above the index's last. A patch re-reads those rows and moves them in the orders by binary
search; what a patch cannot say (rows deleted, too many changes) builds the index afresh
(`index_list.ListIndex` decides which).
"""

from __future__ import annotations

import copy
import json
from bisect import bisect_left

import numpy as np

from ..store.records import Records
from .index import Index, IndexSpec, finder, sort_key
from .index_build import NULL, columns_of, integers

EDGE = 2**62  # beyond the first and the last id's places
MAX_INSERTED = 1000  # rows inserted since that a patch takes in (more: built afresh)


def patched(records: Records, spec: IndexSpec, index: Index) -> Index | None:
    """The index of the data now, made from `index` and the rows updated or inserted since.

    None when a patch cannot say it, and an index is built afresh: rows deleted, a list of an
    old row changed, more than MAX_INSERTED rows inserted or a tenth of the rows changed, no
    room left between two ids' places. A row's `id` never changes (no write changes a
    primary key).
    """
    store, table = records.store, records.model._meta.table_name
    names, columns = columns_of(records, spec)
    if not len(index):
        return None
    top = int(index.rowids[-1])
    with store.reading() as version:
        log, changed = store.changes(table, index.log)
        if changed is None:
            return None
        sql = f'SELECT rowid, id FROM "{table}" WHERE rowid > {store.database.param} ORDER BY rowid LIMIT {MAX_INSERTED + 1}'  # fmt: skip
        inserted = store.database.execute_sql(sql, (top,)).fetchall()
        changed = sorted(r for r in changed if r <= top)
        if len(inserted) > MAX_INSERTED or len(changed) + len(inserted) > len(index) // 10:
            return None
        places = _places(records, index, top, inserted)
        rows = records.columns_by_rowid(columns, changed + [rowid for rowid, _ in inserted])
    if places is None:
        return None
    new = _extended(index, spec, [rowid for rowid, _ in inserted], places)
    new.version, new.log = version, log
    if not rows:
        return new
    positions = np.searchsorted(new.rowids, [row[0] for row in rows])
    if not np.array_equal(new.rowids[positions], [row[0] for row in rows]):
        return None
    old = positions < len(index)
    moved = set()
    for name, values in zip([*names, *spec.flags], list(zip(*rows, strict=True))[1:], strict=True):
        if name in spec.lists:
            if any(set(json.loads(v)) != _held(index, name, p) for v, p in zip(values, positions, strict=True) if p < len(index)):  # fmt: skip
                return None
            members = {m: list(r) for m, r in new.members[name].items()}
            for value, position in zip(values, positions, strict=True):
                for member in sorted(set(json.loads(value))) if position >= len(index) else ():
                    members.setdefault(member, []).append(int(position))
            new.members[name] = {m: np.array(r, np.int64) for m, r in members.items()}
        elif name in new.texts:
            codes, distinct = new.texts[name]
            codes, distinct, found = _coded(codes, distinct, list(values))
            if not np.array_equal(codes[positions[old]], found[old]):
                moved.add(name)
            codes = codes.copy() if codes is index.texts[name][0] else codes
            codes[positions] = found
            new.texts[name] = codes, distinct
        elif name in new.numbers:
            numbers, present = new.numbers[name]
            given = integers(values)
            there = given != NULL if records.model._meta.fields[name].null else np.ones(len(given), bool)  # fmt: skip
            if not (np.array_equal(numbers[positions[old]], given[old]) and np.array_equal(present[positions[old]], there[old])):  # fmt: skip
                moved.add(name)
            if numbers is index.numbers[name][0]:  # not a copy made for rows inserted yet
                numbers, present = numbers.copy(), present.copy()
            numbers[positions], present[positions] = given, there
            new.numbers[name] = numbers, present
        else:
            flags = new.flags[name]
            flags = flags.copy() if flags is index.flags[name] else flags
            flags[positions] = integers(values).astype(bool)
            new.flags[name] = flags
    added = np.arange(len(index), len(new), dtype=np.int64)
    for name in spec.orders:
        if name in moved or len(added):
            moving = np.concatenate([positions[old] if name in moved else added[:0], added])
            new.orders[name] = _moved(index, new, name, moving)
    return new


def _places(
    records: Records, index: Index, top: int, inserted: list[tuple[int, str]]
) -> list[int] | None:
    """The places in `id` order of rows inserted: between those of their old neighbours in
    the primary key's order, shared evenly; None when there is no room left."""
    if not inserted:
        return []
    database, table, place = records.store.database, records.model._meta.table_name, records.store.database.param  # fmt: skip

    def neighbour(id_: str, below: bool) -> int:
        sql = (f'SELECT rowid FROM "{table}" WHERE id {"<" if below else ">"} {place}'
               f' AND rowid <= {place} ORDER BY id {"DESC" if below else "ASC"} LIMIT 1')  # fmt: skip
        found = database.execute_sql(sql, (id_, top)).fetchone()
        if found is None:
            return -EDGE if below else EDGE
        return int(index.ids[np.searchsorted(index.rowids, found[0])])

    by_id = sorted(range(len(inserted)), key=lambda i: inserted[i][1])
    gaps = [(neighbour(inserted[i][1], True), neighbour(inserted[i][1], False)) for i in by_id]
    places = [0] * len(inserted)
    for gap in dict.fromkeys(gaps):
        members = [i for i, g in zip(by_id, gaps, strict=True) if g == gap]
        low, high = gap
        if high - low <= len(members):
            return None
        for k, i in enumerate(members, 1):
            places[i] = low + (high - low) * k // (len(members) + 1)
    return places


def _extended(index: Index, spec: IndexSpec, rowids: list[int], places: list[int]) -> Index:
    """A copy of `index` with room for rows appended (values to be set, orders to be made)."""
    new = copy.copy(index)
    count = len(rowids)
    new.rowids = np.concatenate([index.rowids, np.array(rowids, np.int64)])
    new.ids = np.concatenate([index.ids, np.array(places, np.int64)])
    new.texts = {n: (np.concatenate([c, np.zeros(count, c.dtype)]), v) for n, (c, v) in index.texts.items()}  # fmt: skip
    new.numbers = {n: (np.concatenate([v, np.zeros(count, np.int64)]), np.concatenate([p, np.zeros(count, bool)]))
                   for n, (v, p) in index.numbers.items()}  # fmt: skip
    new.flags = {n: np.concatenate([f, np.zeros(count, bool)]) for n, f in index.flags.items()}
    new.members, new.orders = dict(index.members), dict(index.orders)
    return new


def _held(index: Index, name: str, position: int) -> set[str]:
    """The members of a row's list column."""
    found = set()
    for member, rows in index.members[name].items():
        at = np.searchsorted(rows, position)
        if at < len(rows) and rows[at] == position:
            found.add(member)
    return found


def _coded(
    codes: np.ndarray, distinct: list[str], values: list[str | None]
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The codes of `values`; a value no row had takes its rank, the codes above it move up."""
    for value in sorted({v for v in values if v is not None}):
        rank = bisect_left(distinct, value)
        if rank == len(distinct) or distinct[rank] != value:
            distinct = [*distinct[:rank], value, *distinct[rank:]]
            if len(distinct) >= np.iinfo(codes.dtype).max:
                codes = codes.astype(np.int32)
            codes = np.where(codes >= rank, codes + 1, codes).astype(codes.dtype)
    find = finder(distinct)
    found = [len(distinct) if v is None else find(v) for v in values]
    return codes, distinct, np.array(found, dtype=codes.dtype)


def _moved(old: Index, new: Index, name: str, positions: np.ndarray) -> np.ndarray:
    """The order of `name` with the rows at `positions` taken out (those `old` had) and put in
    where their keys now go: binary searches, and two copies of the order."""
    order = old.orders[name]
    before, after = sort_key(old, name), sort_key(new, name)
    rows = positions.tolist()
    gone = [bisect_left(order, before(r), key=before) for r in rows if r < len(old)]
    kept = np.delete(order, gone)
    rows.sort(key=after)
    places = [bisect_left(kept, after(r), key=after) for r in rows]
    return np.insert(kept, places, np.array(rows, dtype=kept.dtype))
