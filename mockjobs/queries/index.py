"""A list's columnar index: one version of a table's list columns as arrays, and how a query
reads them.

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

`index_build` makes an index from the store, `index_patch` patches it with the writes since,
and `index_list` keeps a list's index following the data version.
Memory, a row: 8 bytes of row id, 8 of id place, 4 for each order, and each column it
filters or sorts on (1 to 9 bytes); each distinct text once.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

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
        found = [code for code in map(finder(values), wanted) if code is not None]
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


def finder(values: list[str]) -> Callable[[str], int | None]:
    """The code of a value among sorted `values` (None: no row has it)."""

    def find(value: str) -> int | None:
        code = bisect_left(values, value)
        return code if code < len(values) and values[code] == value else None

    return find


def key_of(index: Index, name: str) -> np.ndarray:
    """What an order sorts rows by before their ids: a text's code (a null's is the highest),
    or a number (a null above every value: none of a nullable column comes near INT64_MAX)."""
    if name in index.texts:
        return index.texts[name][0]
    values, present = index.numbers[name]
    return np.where(present, values, np.iinfo(np.int64).max)


def order_of(index: Index, name: str) -> np.ndarray:
    """The rows in ascending order of `name`, then of `id`."""
    if name == "id":
        return np.argsort(index.ids).astype(np.int32)
    return np.lexsort((index.ids, key_of(index, name))).astype(np.int32)


def sort_key(index: Index, name: str) -> Callable[[int], tuple[int, int]]:
    """What a row sorts by in the order of `name`: its key (see `key_of`), then its id's place."""
    ids = index.ids
    if name == "id":
        return lambda row: (int(ids[row]), 0)
    if name in index.texts:
        codes = index.texts[name][0]
        return lambda row: (int(codes[row]), int(ids[row]))
    values, present = index.numbers[name]
    top = int(np.iinfo(np.int64).max)
    return lambda row: (int(values[row]) if present[row] else top, int(ids[row]))
