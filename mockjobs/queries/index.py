"""A list's columnar index: any filter set and order answered from arrays, not from SQL.

The store stays the source of truth. An index is a copy of one version of a table's
filterable and sortable columns, as numpy arrays: row i of every array is the record of
row id `rowids[i]`. A filter is a boolean mask over the rows, an order a permutation of
them (ascending with `id` breaking ties, nulls last; reversed, it is the descending order
with nulls first, as `ordering` in SQL has it), so the first query of a filter set costs a
few array operations instead of a sort of every match, and a page scans an order only as
far as its end (`Matches`).

Text columns become codes: their ranks among the column's distinct values, in code point
order, which is the order of SQLite's BINARY collation and of PostgreSQL's "C" one. A
null's code is above every value's. The index holds no record's `id`, only each row's place
in the primary key's order: a filter on ids asks the database, whose primary key finds them.

An index is built in chunks of rows, each read in a transaction of its own, so that no
build holds the store for long; a write in between abandons it. After that, `patched`
follows the writes: the rows that updates changed (the store's change log) and the rows
inserted are read again and moved in the orders; rows deleted build it afresh. `ListIndex`
keeps the index of one table following the data version: a small table's is built at once,
a large one's in a thread of its own while its queries go to SQL.

Memory, a row: 8 bytes of row id, 8 of id place, 4 for each order, and each column it
filters or sorts on (1 to 9 bytes); each distinct text once.
"""

from __future__ import annotations

import copy
import json
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import peewee

from ..store.records import Records

CHUNK = 5_000  # rows read in one transaction: another request waits for no more
AT_ONCE = 20_000  # tables up to this many rows have their index built by the request itself
SPACING = 2**32  # between the places of two ids in a build: a row inserted takes one between
EDGE = 2**62  # beyond the first and the last id's places
MAX_INSERTED = 1000  # rows inserted since that a patch takes in (more: built afresh)

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

    def __init__(self, version: int, rowids: np.ndarray, log: int = 0) -> None:
        self.version, self.rowids = version, rowids
        self.log = log  # the store's latest change when this version was read
        self.ids = np.zeros(0, np.int64)  # each row's place in `id` order (gaps: SPACING)
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

    def ordered(self, mask: Mask, name: str, direction: str) -> Matches:
        """The matching rows in the order of `name` (ASC or DESC), as row ids."""
        permutation = self.orders[name]
        if direction != "ASC":
            permutation = permutation[::-1]
        return Matches(self.rowids, permutation, mask)


class Matches:
    """The row ids of the matching rows, in order: their count, and any slice of them.

    A slice is found by scanning the order from its start, in ever larger blocks, only as far
    as its end: a first page costs a few thousand rows, whatever the table's size.
    """

    FIRST_BLOCK = 4096

    def __init__(self, rowids: np.ndarray, permutation: np.ndarray, mask: Mask) -> None:
        self.rowids, self.permutation, self.mask = rowids, permutation, mask
        self.total = len(permutation) if mask is None else int(np.count_nonzero(mask))
        self.nbytes = 64 if mask is None else mask.nbytes  # what keeping it costs

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, part: slice) -> array:
        start, stop, _ = part.indices(self.total)
        if self.mask is None or start >= stop:
            positions = self.permutation[start : max(start, stop)]
        else:
            found, seen, at, block = [], 0, 0, self.FIRST_BLOCK
            while seen < stop:
                rows = self.permutation[at : at + block]
                hits = rows[self.mask[rows]]
                found.append(hits[max(start - seen, 0) : stop - seen])
                seen, at, block = seen + len(hits), at + block, block * 2
            positions = np.concatenate(found)
        return array("q", self.rowids[positions].tobytes())

    def tolist(self) -> list[int]:
        return self[:].tolist()


def both(mask: Mask, other: np.ndarray) -> np.ndarray:
    return other if mask is None else mask & other


def _finder(values: list[str]) -> Callable[[str], int | None]:
    """The code of a value among sorted `values` (None: no row has it)."""

    def find(value: str) -> int | None:
        code = bisect_left(values, value)
        return code if code < len(values) and values[code] == value else None

    return find


# -- building ------------------------------------------------------------------------------


def build(records: Records, spec: IndexSpec, chunk: int = CHUNK) -> Index | None:
    """The index of `records` now; None when the data changed while it was read.

    Two passes of chunks, each chunk a transaction of its own at the same version: the
    columns in row id order, then the row ids in `id` order (the primary key's), so that no
    id is held. A text is held once, however many rows have it.
    """
    model, names, columns = records.model, *_columns(records, spec)
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
                read[name].append(_integers(column))
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
        index.orders[name] = _order(index, name)
    return index


def _columns(records: Records, spec: IndexSpec) -> tuple[list[str], str]:
    """The columns an index reads (all but `id`), and their SQL (the flags last)."""
    fields = records.model._meta.fields
    names = [name for name in spec.columns() if name != "id"]
    sql = [f'"{fields[name].column_name}"' for name in names]
    return names, ", ".join(sql + [f"({truth})" for truth in spec.flags.values()])


def _key(index: Index, name: str) -> np.ndarray:
    """What an order sorts rows by before their ids: a text's code (a null's is the highest),
    or a number (a null above every value: none of a nullable column comes near INT64_MAX)."""
    if name in index.texts:
        return index.texts[name][0]
    values, present = index.numbers[name]
    return np.where(present, values, np.iinfo(np.int64).max)


def _order(index: Index, name: str) -> np.ndarray:
    """The rows in ascending order of `name`, then of `id`."""
    if name == "id":
        return np.argsort(index.ids).astype(np.int32)
    return np.lexsort((index.ids, _key(index, name))).astype(np.int32)


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


def _integers(column: tuple[Any, ...]) -> np.ndarray:
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


def patched(records: Records, spec: IndexSpec, index: Index) -> Index | None:
    """The index of the data now, made from `index` and the rows updated or inserted since.

    None when a patch cannot say it, and an index is built afresh: rows deleted, a list of an
    old row changed, more than MAX_INSERTED rows inserted or a tenth of the rows changed, no
    room left between two ids' places. A row's `id` never changes (no write changes a
    primary key).
    """
    store, table = records.store, records.model._meta.table_name
    names, columns = _columns(records, spec)
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
        rows = _rows(records, columns, changed + [rowid for rowid, _ in inserted])
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
            given = _integers(values)
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
            flags[positions] = _integers(values).astype(bool)
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


def _rows(records: Records, columns: str, rowids: list[int]) -> list[tuple[Any, ...]]:
    """These rows' row id and index columns, in row id order (in a transaction: the caller's)."""
    database, table = records.store.database, records.model._meta.table_name
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rowids), 500):
        part = rowids[start : start + 500]
        places = ", ".join([database.param] * len(part))
        sql = f'SELECT rowid, {columns} FROM "{table}" WHERE rowid IN ({places}) ORDER BY rowid'
        found += database.execute_sql(sql, part).fetchall()
    return found


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
    find = _finder(distinct)
    found = [len(distinct) if v is None else find(v) for v in values]
    return codes, distinct, np.array(found, dtype=codes.dtype)


def _moved(old: Index, new: Index, name: str, positions: np.ndarray) -> np.ndarray:
    """The order of `name` with the rows at `positions` taken out (those `old` had) and put in
    where their keys now go: binary searches, and two copies of the order."""
    order = old.orders[name]
    before, after = _sort_key(old, name), _sort_key(new, name)
    rows = positions.tolist()
    gone = [bisect_left(order, before(r), key=before) for r in rows if r < len(old)]
    kept = np.delete(order, gone)
    rows.sort(key=after)
    places = [bisect_left(kept, after(r), key=after) for r in rows]
    return np.insert(kept, places, np.array(rows, dtype=kept.dtype))


def _sort_key(index: Index, name: str) -> Callable[[int], tuple[int, int]]:
    """What a row sorts by in the order of `name`: its key (see `_key`), then its id's place."""
    ids = index.ids
    if name == "id":
        return lambda row: (int(ids[row]), 0)
    if name in index.texts:
        codes = index.texts[name][0]
        return lambda row: (int(codes[row]), int(ids[row]))
    values, present = index.numbers[name]
    top = int(np.iinfo(np.int64).max)
    return lambda row: (int(values[row]) if present[row] else top, int(ids[row]))


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
        """Bring the index to the data now: patch it with the rows updated since (quick), or
        else build it afresh, unless it is being built."""
        version = self.records.store.version()
        if self.at(version) is not None or (self._thread and self._thread.is_alive()):
            return
        if self._index is not None and self._lock.acquire(blocking=False):
            try:
                index = patched(self.records, self.spec, self._index)
            except peewee.PeeweeException:
                index = None
            finally:
                self._lock.release()
            if index is not None:
                self._index = index
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
            except peewee.PeeweeException:  # the store closed meanwhile: nothing to serve
                return
            if index is not None and (self._index is None or index.version > self._index.version):
                self._index = index
