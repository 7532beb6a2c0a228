"""Where the journal of requests is kept: the latest `size` entries, from every process.

Every request appends an entry before its answer is sent (so that `assert_request_made`, on
any process, sees it), so the append is on every request's path. Each backend keeps the
entries where what shares its store can read them at the least cost:

- an in-memory SQLite database has one process: a deque (`MemoryJournal`);
- an SQLite file is shared by processes of one machine: each process appends to two files of
  its own, in a folder beside the database (`FileJournal`). An entry is one write(2), and no
  lock is shared between processes. A table in the file cost each entry the file's write
  lock: a process that found it taken slept 1 to 2 ms in SQLite's busy handler, its other
  threads waiting on its connection, and two workers served a third less;
- PostgreSQL may be shared by processes on several machines: a table (`JournalTable`).

Each keeps an entry as its JSON text, read back as a copy of its own.
"""

from __future__ import annotations

import collections
import fcntl
import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .base import Store
from .state import Table
from .tables import dump_json

T = TypeVar("T")


class JournalStorage(Protocol):
    def append(self, entry: dict[str, Any]) -> None: ...

    def entries(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """The newest `limit` entries (None: all) after skipping the newest `offset`, oldest
        first."""
        ...

    def count(self) -> int: ...

    def clear(self) -> None: ...


def newest(kept: list[T], size: int, limit: int | None, offset: int) -> list[T]:
    """Of `kept` (oldest first, the newest `size` counted), the newest `limit` (None: all)
    after skipping the newest `offset`, oldest first."""
    kept = kept[max(len(kept) - size, 0) :]
    end = max(len(kept) - offset, 0)
    return kept[max(end - (end if limit is None else limit), 0) : end]


class MemoryJournal:
    """The entries in the process (its database in memory is no other process's)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._texts: collections.deque[str] = collections.deque(maxlen=size)

    def append(self, entry: dict[str, Any]) -> None:
        self._texts.append(dump_json(entry))  # thread-safe, as deque's appends are

    def entries(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        return [json.loads(text) for text in newest(list(self._texts), self.size, limit, offset)]

    def count(self) -> int:
        return len(self._texts)

    def clear(self) -> None:
        self._texts.clear()


class FileJournal:
    """Each process appends its entries to two files of its own in `folder`, and any process
    reads every file there.

    An entry is a line: the time it was appended (ns) and its JSON. A process writes one
    file until it holds `size` entries, then empties the other and writes that one: so its
    latest `size` entries are always there, and a file holds at most `size`. A reader takes
    complete lines only (a line being written is not yet one) and orders the entries of
    every file by their time.

    A process holds a shared lock (flock) on its files while it lives: `clear` empties the
    files of live processes and removes the others'. Files are named `PID-NS.0` and `.1`,
    made under another name and renamed once locked.
    """

    def __init__(self, folder: Path, size: int) -> None:
        self.folder, self.size = folder, size
        self._lock = threading.Lock()
        self._pid = 0  # the process whose files are open (a child opens its own)
        self._files: list[int] = []  # the file being written first
        self._written = 0  # entries in it

    def append(self, entry: dict[str, Any]) -> None:
        if not self.size:
            return
        line = b"%d %s\n" % (time.time_ns(), dump_json(entry).encode())
        with self._lock:
            if self._pid != os.getpid():  # the first entry, or a forked child's
                self._open()
            elif self._written >= self.size:
                self._files.reverse()
                os.ftruncate(self._files[0], 0)
                self._written = 0
            view = memoryview(line)
            while view:  # a regular file takes it whole, but for a full disk (OSError)
                view = view[os.write(self._files[0], view) :]
            self._written += 1

    def _open(self) -> None:
        for fd in self._files:  # a parent's, in a forked child
            os.close(fd)
        self.folder.mkdir(parents=True, exist_ok=True)
        name, files = f"{os.getpid()}-{time.time_ns()}", []
        for part in ("0", "1"):
            making = self.folder / f"{name}.{part}.new"
            fd = os.open(making, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            fcntl.flock(fd, fcntl.LOCK_SH)
            making.rename(making.with_suffix(""))
            files.append(fd)
        self._pid, self._files, self._written = os.getpid(), files, 0

    def _files_kept(self) -> list[Path]:
        try:
            return sorted(path for path in self.folder.iterdir() if path.suffix in (".0", ".1"))
        except FileNotFoundError:
            return []

    def _texts(self) -> list[bytes]:
        """The JSON text of every entry kept, oldest first."""
        lines = []
        for number, path in enumerate(self._files_kept()):
            try:
                data = path.read_bytes()
            except FileNotFoundError:  # removed by a clear meanwhile
                continue
            for place, line in enumerate(data.split(b"\n")[:-1]):  # after the last: incomplete
                stamp, _, text = line.partition(b" ")
                if stamp.isdigit():
                    lines.append((int(stamp), number, place, text))
        lines.sort()
        return [text for *_, text in lines]

    def entries(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        return [json.loads(text) for text in newest(self._texts(), self.size, limit, offset)]

    def count(self) -> int:
        return min(len(self._texts()), self.size)

    def clear(self) -> None:
        for path in self._files_kept():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a live process writes there: from now on, afresh
                os.ftruncate(fd, 0)
            else:  # its process has ended
                path.unlink(missing_ok=True)
            finally:
                os.close(fd)


class JournalTable(Table):
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

    def entries(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        offset = min(offset, self.size)
        limit = self.size - offset if limit is None else min(limit, self.size - offset)
        rows = self.execute(self._entries, (limit, offset))
        return [json.loads(entry) for (entry,) in reversed(rows)]

    def count(self) -> int:
        return min(self.execute(self._count)[0][0], self.size)
