"""Where the journal of requests is kept: the latest `size` entries, from every process.

Every request appends an entry before its answer is sent (so that `assert_request_made`, on
any process, sees it), so the append is on every request's path. Each backend keeps the
entries where what shares its store can read them at the least cost:

- an in-memory SQLite database has one process: a deque (`MemoryJournal`);
- an SQLite file is shared by processes of one machine: each process appends to two files of
  its own, in a folder beside the database (`FileJournal`, journal_files.py), mapped into its memory: an entry
  is a copy, and no lock is shared between processes. A table in the file cost each entry
  the file's write lock: a process that found it taken slept 1 to 2 ms in SQLite's busy
  handler, its other threads waiting on its connection, and two workers served a third less;
- PostgreSQL may be shared by processes on several machines: a table (`JournalTable`).

Each keeps an entry as its JSON text, read back as a copy of its own.
"""

from __future__ import annotations

import collections
import json
from typing import Any, Protocol, TypeVar

from .base import Store
from .state import Table
from .tables import dump_json

T = TypeVar("T")


class JournalStorage(Protocol):
    def append(self, entry: dict[str, Any]) -> None: ...

    def window(self, limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """The newest `limit` entries (None: all) after skipping the newest `offset`, oldest
        first, and how many there are: one read, so that the two agree."""
        ...

    def entries(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]: ...

    def count(self) -> int: ...

    def clear(self) -> None: ...


class Reads:
    """`entries` and `count` of a storage, each its `window`."""

    def window(self, limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        raise NotImplementedError

    def entries(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        return self.window(limit, offset)[0]

    def count(self) -> int:
        return self.window(0)[1]


def newest(kept: list[T], size: int, limit: int | None, offset: int) -> list[T]:
    """Of `kept` (oldest first, the newest `size` counted), the newest `limit` (None: all)
    after skipping the newest `offset`, oldest first."""
    kept = kept[max(len(kept) - size, 0) :]
    end = max(len(kept) - offset, 0)
    return kept[max(end - (end if limit is None else limit), 0) : end]


class MemoryJournal(Reads):
    """The entries in the process (its database in memory is no other process's)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._texts: collections.deque[str] = collections.deque(maxlen=size)

    def append(self, entry: dict[str, Any]) -> None:
        self._texts.append(dump_json(entry))  # thread-safe, as deque's appends are

    def window(self, limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        texts = list(self._texts)
        return [json.loads(text) for text in newest(texts, self.size, limit, offset)], len(texts)

    def clear(self) -> None:
        self._texts.clear()


class JournalTable(Reads, Table):
    """The entries in a table of the database, in the order they were inserted."""

    def __init__(self, store: Store, size: int) -> None:
        super().__init__(store, store.JournalEntry)
        self.size = size
        self._insert = self.sql("INSERT INTO {t} (entry) VALUES (?)")
        self._trim = self.sql("DELETE FROM {t} WHERE seq <= (SELECT max(seq) FROM {t}) - ?")
        self._entries = self.sql("SELECT entry FROM {t} ORDER BY seq DESC LIMIT ? OFFSET ?")
        self._count = self.sql("SELECT count(*) FROM {t}")
        self._appended = 0

    def append(self, entry: dict[str, Any]) -> None:
        self.write(self._insert, (dump_json(entry),))
        self._appended += 1
        if self._appended % 64 == 0:  # trimmed now and then: cheap on average
            self.write(self._trim, (self.size,))

    def window(self, limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        offset = min(offset, self.size)
        limit = self.size - offset if limit is None else min(limit, self.size - offset)
        with self.store.reading():  # one snapshot for both
            rows = self.execute(self._entries, (limit, offset))
            count = min(self.execute(self._count)[0][0], self.size)
        return [json.loads(entry) for (entry,) in reversed(rows)], count
