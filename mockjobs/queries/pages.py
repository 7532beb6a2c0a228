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

MAX_IDS = 20_000_000  # row ids kept over all cached orders (8 bytes each)
MAX_ITEMS = 200_000  # item JSON fragments kept
MAX_ANSWERS = 4096  # whole answers kept

Item = bytes | Callable[[Any], bytes]  # JSON, or JSON made at read time from a context


class Answer:
    """A ready answer to a list query: its body (parts, some live) and Content-Range."""

    __slots__ = ("content_range", "parts", "static")

    def __init__(self, parts: list[Item], content_range: str) -> None:
        self.content_range = content_range
        self.parts = parts
        self.static = b"".join(parts) if all(isinstance(p, bytes) for p in parts) else None  # type: ignore[arg-type]

    def body(self, context: Any = None) -> bytes:
        if self.static is not None:
            return self.static
        return b"".join(p if isinstance(p, bytes) else p(context) for p in self.parts)


class PageCache:
    """Pages of one list: `ordered(params)` gives row ids, `records(ids)` the rows, `item` JSON."""

    def __init__(
        self,
        reading: Callable[[], AbstractContextManager[int]],
        version: Callable[[], int],
        ordered: Callable[[dict[str, Any]], array],
        records: Callable[[Sequence[int]], dict[int, Any]],
        item: Callable[[Any], Item],
    ) -> None:
        self.reading, self.version = reading, version
        self.ordered, self.records, self.item = ordered, records, item
        self._lock = threading.Lock()
        self._version = -1
        self._orders: OrderedDict[tuple, array] = OrderedDict()
        self._ids_kept = 0
        self._items: OrderedDict[int, Item] = OrderedDict()
        self._answers: OrderedDict[Any, Answer] = OrderedDict()

    def answer_for(self, key: Any) -> Answer | None:
        """The answer kept for a raw query, if the data has not changed since."""
        version = self.version()
        with self._lock:
            if not self._holds(version):
                return None
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

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
                self._answers[key] = answer
                if len(self._answers) > MAX_ANSWERS:
                    self._answers.popitem(last=False)
        return answer

    def _holds(self, version: int) -> bool:
        """Whether the caches are those of `version`; a newer version empties them. Under _lock."""
        if version > self._version:
            self._orders.clear()
            self._items.clear()
            self._answers.clear()
            self._ids_kept = 0
            self._version = version
        return version == self._version

    def _ordered(self, params: dict[str, Any], version: int) -> array:
        key = order_key(params)
        with self._lock:
            rowids = self._orders.get(key) if self._holds(version) else None
            if rowids is not None:
                self._orders.move_to_end(key)
                return rowids
        rowids = self.ordered(params)
        with self._lock:
            if self._holds(version):
                self._orders[key] = rowids
                self._ids_kept += len(rowids)
                while self._ids_kept > MAX_IDS and len(self._orders) > 1:
                    self._ids_kept -= len(self._orders.popitem(last=False)[1])
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
                    self._items.update(made)
                    while len(self._items) > MAX_ITEMS:
                        self._items.popitem(last=False)
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


def order_key(params: dict[str, Any]) -> tuple:
    """What decides the ordered ids: every parameter but limit and offset."""
    return tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in params.items()
        if name not in ("limit", "offset")
    )
