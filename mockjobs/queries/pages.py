"""The versioned page cache: a list's answers, computed once per version of the data.

The data of a mock changes rarely (the control API, a cancel, the lifecycle), and every
write bumps the store's version, so answers can be kept until the next write:

- the ordered row ids of each filter set and order: any page of it, deep offsets included,
  is a slice, and its total is the slice's length;
- the JSON of each item, as the list shows it;
- the whole answer to each query string, for clients that ask the same thing again.

Each cache is bounded, and all are dropped together when a newer version is seen, so a write
is seen by the very next request. Any resource's list uses it: it is given how to order
(validated parameters to row ids) and how to show an item. An item that changes with time
(a running job's progress) is a function, rendered when the answer is sent.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from ..contract.envelope import PAGE_HEAD, PAGE_TAIL, content_range
from .index import Matches

# Each cache is bounded in entries and in bytes (what its keys and values take, roughly):
# ordered row ids of filter sets: 8 bytes an id, or a mask of a byte a row (the index's)
ORDERS = (10_000, 48 * 2**20)
ITEMS = (200_000, 64 * 2**20)  # items' JSON
ANSWERS = (4096, 64 * 2**20)  # whole answers, by raw query string
OVERHEAD = 200  # bytes an entry costs beyond its key and value

Item = bytes | Callable[[Any], bytes]  # JSON, or JSON made at read time from a context


class Answer:
    """A ready answer to a list query: its body (parts, some live) and Content-Range."""

    __slots__ = ("content_range", "parts", "size", "static")

    def __init__(self, parts: list[Item], content_range: str) -> None:
        self.content_range = content_range
        self.parts = parts
        self.static = b"".join(parts) if all(isinstance(p, bytes) for p in parts) else None  # type: ignore[arg-type]
        self.size = sum(map(size, parts))

    def body(self, context: Any = None) -> bytes:
        if self.static is not None:
            return self.static
        return b"".join(p if isinstance(p, bytes) else p(context) for p in self.parts)


class Bounded(OrderedDict):
    """A least-recently-used cache bounded in entries and in bytes (the costs it is told)."""

    def __init__(self, bounds: tuple[int, int]) -> None:
        super().__init__()
        self.max_entries, self.max_bytes = bounds
        self.costs: dict[Any, int] = {}
        self.bytes = 0

    def get_fresh(self, key: Any) -> Any:
        """The value kept for `key` (None if none), now the most recently used."""
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key: Any, value: Any, cost: int) -> None:
        """Keep `value` unless it alone exceeds the bytes; the oldest entries make room."""
        cost += OVERHEAD
        if cost > self.max_bytes:
            return
        if key in self:
            self.bytes -= self.costs.pop(key)
        self[key] = value
        self.costs[key], self.bytes = cost, self.bytes + cost
        while len(self) > self.max_entries or self.bytes > self.max_bytes:
            old, _ = self.popitem(last=False)
            self.bytes -= self.costs.pop(old)

    def clear(self) -> None:
        super().clear()
        self.costs.clear()
        self.bytes = 0


class PageCache:
    """Pages of one list: `ordered(params, version)` gives row ids, `records(ids)` the rows,
    `item` JSON."""

    def __init__(
        self,
        reading: Callable[[], AbstractContextManager[int]],
        version: Callable[[], int],
        ordered: Callable[[dict[str, Any], int], Sequence[int]],
        records: Callable[[Sequence[int]], dict[int, Any]],
        item: Callable[[Any], Item],
        prepare: Callable[[], None] = lambda: None,
    ) -> None:
        self.reading, self.version = reading, version
        self.ordered, self.records, self.item = ordered, records, item
        self.prepare = prepare  # before an answer is computed, out of any transaction
        self._lock = threading.Lock()
        self._version = -1
        self._orders = Bounded(ORDERS)
        self._items = Bounded(ITEMS)
        self._answers = Bounded(ANSWERS)

    def page(self, key: Any, parse: Callable[[], dict[str, Any]]) -> Answer:
        """The answer to the raw query `key`; `parse` validates it, when it is not kept."""
        answer = self.answer_for(key)
        if answer is None:
            params = parse()
            self.prepare()
            answer = self.answer(key, params)
        return answer

    def answer_for(self, key: Any) -> Answer | None:
        """The answer kept for a raw query, if the data has not changed since."""
        version = self.version()
        with self._lock:
            if not self._holds(version):
                return None
            return self._answers.get_fresh(key)

    def answer(self, key: Any, params: dict[str, Any]) -> Answer:
        """The answer to validated `params` (with `limit` and `offset`), kept under `key`."""
        with self.reading() as version:  # one version of the data throughout
            rowids = self._ordered(params, version)
            start = min(params["offset"], len(rowids))
            page = rowids[start : start + params["limit"]]
            items = self._items_of(page, version)
        offset, total = params["offset"], len(rowids)
        tail = PAGE_TAIL % (total, offset, offset + len(page))
        parts: list[Item] = [PAGE_HEAD, *joined(items), tail]
        answer = Answer(parts, content_range(total, offset, len(page)))
        with self._lock:
            if self._holds(version):
                self._answers.put(key, answer, size(key) + answer.size)
        return answer

    def clear(self) -> None:
        """Forget every kept answer, order and item."""
        with self._lock:
            self._forget()

    def _holds(self, version: int) -> bool:
        """Whether the caches are those of `version`; a newer version empties them. Under _lock."""
        if version > self._version:
            self._forget()
            self._version = version
        return version == self._version

    def _forget(self) -> None:
        """Under _lock: empty every cache."""
        for cache in (self._orders, self._items, self._answers):
            cache.clear()

    def _ordered(self, params: dict[str, Any], version: int) -> Sequence[int]:
        key = order_key(params)
        with self._lock:
            rowids = self._orders.get_fresh(key) if self._holds(version) else None
            if rowids is not None:
                return rowids
        rowids = self.ordered(params, version)
        with self._lock:
            if self._holds(version):
                cost = (
                    rowids.nbytes if isinstance(rowids, Matches) else rowids.itemsize * len(rowids)
                )
                self._orders.put(key, rowids, size(key) + cost)
        return rowids

    def _items_of(self, rowids: array, version: int) -> list[Item]:
        with self._lock:
            kept = self._items if self._holds(version) else {}
            found = {rowid: kept[rowid] for rowid in rowids if rowid in kept}
        missing = [rowid for rowid in rowids if rowid not in found]
        if missing:
            made = {rowid: self.item(record) for rowid, record in self.records(missing).items()}
            found.update(made)
            with self._lock:
                if self._holds(version):
                    for rowid, item in made.items():
                        self._items.put(rowid, item, size(item))
        return [found[rowid] for rowid in rowids]


def joined(items: list[Item]) -> Iterator[Item]:
    """The items with commas between them, runs of ready JSON joined into one part."""
    run: list[bytes] = []
    for index, item in enumerate(items):
        if index:
            run.append(b",")
        if isinstance(item, bytes):
            run.append(item)
        else:
            yield b"".join(run)
            run = []
            yield item
    yield b"".join(run)


def size(value: Any) -> int:
    """Roughly the bytes a key or a value takes: its texts' lengths (a function: a few hundred)."""
    if isinstance(value, bytes | str):
        return len(value)
    if isinstance(value, tuple | list):
        return sum(map(size, value)) + 8 * len(value)
    return getattr(value, "size", 500) + 200 if callable(value) else 8


def order_key(params: dict[str, Any]) -> tuple:
    """What decides the ordered ids: every parameter but limit and offset."""
    return tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in params.items()
        if name not in ("limit", "offset")
    )
