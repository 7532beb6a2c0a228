"""The journal in files beside an SQLite file: each process appends to two of its own, mapped
into its memory, and any process reads them all (journal.py says why)."""

from __future__ import annotations

import json
import mmap
import os
import threading
import time
from pathlib import Path
from typing import Any

from .journal import Reads, newest
from .tables import dump_json

try:
    import fcntl
except ImportError:  # Windows: no flock; an SQLite file keeps its journal in a table there
    fcntl = None  # type: ignore[assignment]

FILES_WORK = fcntl is not None and hasattr(os, "posix_fallocate")  # Linux, the BSDs
CHUNK = 1 << 20  # a journal file's room is reserved a megabyte at a time
READ = 64 * 1024  # bytes a read of a journal file takes at a time
CLEARED = "cleared"  # the file in a journal's folder that says when it was last cleared


class FileJournal(Reads):
    """Each process appends its entries to two files of its own in `folder`, and any process
    reads every file there.

    An entry is a line: the time it was appended (ns) and its JSON. A process maps its files
    into its memory, and an entry is copied there: in the file at once for any reader, with no
    system call (a write(2) let the process's other threads take the GIL, and two workers
    served a tenth less). The room is reserved (posix_fallocate) before it is used, so that a
    full disk is an error, never a fault on the mapping. A process writes one file until it
    holds `size` entries, then zeroes the other and writes that one: so its latest `size`
    entries are always there. A reader takes a file's text up to its first NUL, its complete
    lines only, and orders the entries of every file by their time.

    No process ever shortens another's file (under its mapping, that is a bus error):
    `clear` writes its time in CLEARED, and older entries are no longer read. A process holds
    its files locked (flock) while it lives. A process starting takes the files of one that
    has ended, if there are (so that files do not pile up as servers restart, and their
    entries stay), and `clear` removes the others of ended processes. Files are named
    `PID-NS.0` and `.1` by the process that made them.
    """

    def __init__(self, folder: Path, size: int) -> None:
        self.folder, self.size = folder, size
        self._lock = threading.Lock()
        self._pid = 0  # the process whose files are open (a child opens its own)
        self._files: list[MappedFile] = []  # the file being written first

    def append(self, entry: dict[str, Any]) -> None:
        if not self.size:
            return
        line = b"%d %s\n" % (time.time_ns(), dump_json(entry).encode())
        with self._lock:
            if self._pid != os.getpid():  # the first entry, or a forked child's
                self._open()
            if self._files[0].entries >= self.size:
                self._files.reverse()
                self._files[0].empty()
            self._files[0].add(line)

    def _open(self) -> None:
        for file in self._files:  # a parent's, in a forked child
            file.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._files, self._pid = [], 0
        name = self.folder / f"{os.getpid()}-{time.time_ns()}"
        files = self._ended()
        if not files:
            files = [MappedFile.made(name.with_suffix(".0"))]
            try:
                files.append(MappedFile.made(name.with_suffix(".1")))
            except BaseException:
                files[0].close()  # its file alone: removed by the next clear
                raise
        self._files = sorted(files, key=lambda file: -file.last)  # the newest goes on
        self._pid = os.getpid()

    def close(self) -> None:
        """Let go of this process's files (another process may take them)."""
        with self._lock:
            if self._pid == os.getpid():
                for file in self._files:
                    file.close()
            self._files, self._pid = [], 0

    def _ended(self) -> list[MappedFile]:
        """The two files of a process that has ended: its entries kept, its files reused."""
        for path in self._files_kept():
            if path.suffix == ".0" and (first := MappedFile.taken(path)) is not None:
                second = MappedFile.taken(path.with_suffix(".1"))
                if second is not None:
                    return [first, second]
                first.close()
        return []

    def _files_kept(self) -> list[Path]:
        try:
            return sorted(path for path in self.folder.iterdir() if path.suffix in (".0", ".1"))
        except FileNotFoundError:
            return []

    def _cleared(self) -> int:
        try:
            return int((self.folder / CLEARED).read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def _texts(self) -> list[bytes]:
        """The JSON text of every entry kept since the last clear, oldest first."""
        cleared, lines = self._cleared(), set()
        paths = self._files_kept()
        # Each .0 is read again after its .1: a process that filled the file read first and
        # emptied the other meanwhile has left the entries it emptied in the first, now whole.
        for path in paths + [path for path in paths if path.suffix == ".0"]:
            data = self._read(path)
            end = data.find(b"\0")  # the room not yet written
            for line in data[: None if end < 0 else end].split(b"\n")[:-1]:
                stamp, _, text = line.partition(b" ")  # the last piece: incomplete, left
                if stamp.isdigit() and int(stamp) > cleared:
                    lines.add((int(stamp), path.name, text))
        return [text for *_, text in sorted(lines)]

    def _read(self, path: Path) -> bytes:
        """The file's text up to the room not yet written (not its reserved megabytes)."""
        pieces = []
        try:
            with path.open("rb") as file:
                while piece := file.read(READ):
                    pieces.append(piece)
                    if b"\0" in piece:
                        break
        except FileNotFoundError:  # removed by a clear meanwhile
            pass
        return b"".join(pieces)

    def window(self, limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        texts = self._texts()
        entries = [json.loads(text) for text in newest(texts, self.size, limit, offset)]
        return entries, min(len(texts), self.size)

    def clear(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        making = self.folder / f"{CLEARED}.{os.getpid()}.{threading.get_ident()}.new"
        making.write_text(str(time.time_ns()))
        making.replace(self.folder / CLEARED)
        unfinished = list(self.folder.glob("*.[01].new"))  # a process died making its files
        for path in self._files_kept() + unfinished:
            fd = unheld(path, os.O_RDONLY)
            if fd is not None:  # its process has ended (a live one's stays)
                path.unlink(missing_ok=True)
                os.close(fd)
        with self._lock:
            if self._pid == os.getpid():
                for file in self._files:  # its own: the room written before, for nothing
                    file.empty()


class MappedFile:
    """A file of a process's journal, locked (flock, exclusive) while the process lives and
    mapped: the bytes and the entries written in it, and the time of its last entry."""

    def __init__(self, fd: int) -> None:
        """`fd`: the file, open and locked; what it holds already is kept, but a line its
        process did not finish."""
        self.fd = fd
        room = max(CHUNK, -(-os.fstat(fd).st_size // CHUNK) * CHUNK)
        os.posix_fallocate(fd, 0, room)  # OSError for a full disk, before any write
        self.map = mmap.mmap(fd, room)
        end = self.map.find(b"\0")
        end = room if end < 0 else end
        self.used = self.map.rfind(b"\n", 0, end) + 1
        self.map[self.used : end] = bytes(end - self.used)
        self.entries = self.map[: self.used].count(b"\n")
        start = self.map.rfind(b"\n", 0, max(self.used - 1, 0)) + 1
        stamp = self.map[start : self.used].partition(b" ")[0]
        self.last = int(stamp) if stamp.isdigit() else 0

    @classmethod
    def made(cls, path: Path) -> MappedFile:
        """A new file at `path`, made under another name and renamed once locked."""
        making = path.with_name(f"{path.name}.new")
        fd = os.open(making, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            file = cls(fd)
        except BaseException:
            os.close(fd)
            making.unlink()
            raise
        making.rename(path)
        return file

    @classmethod
    def taken(cls, path: Path) -> MappedFile | None:
        """The file at `path` if no process holds it (its process has ended), now this one's."""
        fd = unheld(path, os.O_RDWR)
        if fd is None:
            return None
        try:
            return cls(fd)
        except BaseException:
            os.close(fd)
            raise

    def add(self, line: bytes) -> None:
        end = self.used + len(line)
        if end > len(self.map):
            room = -(-end // CHUNK) * CHUNK
            os.posix_fallocate(self.fd, 0, room)  # OSError for a full disk, before any write
            self.map.resize(room)
        self.map[self.used : end] = line
        self.used, self.entries = end, self.entries + 1

    def empty(self) -> None:
        self.map[: self.used] = bytes(self.used)
        self.used = self.entries = 0

    def close(self) -> None:
        self.map.close()
        os.close(self.fd)


def unheld(path: Path, flags: int) -> int | None:
    """The file at `path`, open and locked (flock, exclusive), if no process holds it and it
    is still there once locked (a clear removes files); else None."""
    try:
        fd = os.open(path, flags | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino == os.stat(path).st_ino:
            return fd
    except (BlockingIOError, FileNotFoundError):
        pass
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return None
