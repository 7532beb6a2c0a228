"""SQLite: in memory (the default) or in a file that several processes may share."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import peewee

from ..vocabulary import MEMORY, ticket
from .base import CHANGES_TABLE, STAMP, STATE_VERSION_TABLE, VERSION_TABLE, Store
from .journal import JournalStorage, JournalTable, MemoryJournal
from .journal_files import FILES_WORK, FileJournal
from .tables import JOURNAL_TABLE, KEPT_STATE

JOURNAL_FOLDER = "{}-requests"  # beside the database file, as SQLite's own -wal and -shm


class SqliteStore(Store):
    """One connection shared by every thread of the process, serialized by `lock`.

    An in-memory database is so the same database for all of a server's threads. A file is
    in WAL mode with synchronous=NORMAL: a committed write survives the process being
    killed, and other processes on the same file see it at their next read. SQLite triggers
    run for each row: a bulk load of a million rows bumps the version a million times, for
    about 1.6 s.
    """

    name = "SQLite"
    files_journal = FILES_WORK  # a file's journal in files beside it, where flock and
    # posix_fallocate are (journal_files.py); else a table in the file

    @property
    def state_tables(self) -> tuple[type[peewee.Model], ...]:  # type: ignore[override]
        return (*KEPT_STATE, JOURNAL_TABLE) if self.journal_kind() == "table" else KEPT_STATE

    def journal_kind(self) -> str:
        """Where the journal is kept: "memory" (one process), "files" beside the file, or a
        "table" in it."""
        return "memory" if self.url == MEMORY else "files" if self.files_journal else "table"

    def open(self, url: str) -> peewee.Database:
        self.lock = threading.RLock()
        self._readers = threading.local()  # .connection: the thread's own, for read_stamp
        self._path = url if url == MEMORY else os.path.abspath(url)  # as it was opened
        self._journals: list[FileJournal] = []  # closed with the store
        self._kept_stamp = (-1, (0, 0))  # in memory: (the connection's changes, the stamp)
        self._shared_stamp = (-1, (0, 0))  # in a file: (when the latest read began, its stamp)
        pragmas: dict[str, Any] = {}
        if url != MEMORY:
            pragmas = {"journal_mode": "wal", "synchronous": "normal", "busy_timeout": 5000}
        return peewee.SqliteDatabase(
            url, thread_safe=False, check_same_thread=False, pragmas=pragmas, autoconnect=True
        )

    def session(self) -> AbstractContextManager[Any]:
        return self.lock

    def read_stamp(self, since: int) -> tuple[int, int]:
        # Every request reads the versions. A statement lets other threads take the GIL, and
        # on a busy process each such turn costs about 10 context switches: with 8 threads, a
        # third of a request's time. In memory, the statement is skipped while the process's
        # one connection has changed no row. A file's versions are read on a connection of
        # the thread's own (the connection the process shares made its threads queue), and
        # a read that began after `since`, by any thread, serves the others. In a
        # session, a thread's transaction sees its own writes: so must its stamp.
        if self.lock._is_owned():  # type: ignore[attr-defined]
            return super().read_stamp(since)
        if self.url != MEMORY:
            began, stamp = self._shared_stamp
            if began > since:
                return stamp
            began = ticket()
            stamp = self._reader().execute(STAMP).fetchone()
            if began > self._shared_stamp[0]:  # a later read is as new or newer: kept
                self._shared_stamp = (began, stamp)
            return stamp  # type: ignore[no-any-return]
        changes = self.database.connection().total_changes  # triggers' rows included
        kept_changes, kept = self._kept_stamp
        if changes == kept_changes:
            return kept
        stamp = super().read_stamp(since)
        self._kept_stamp = (changes, stamp)  # counted first: a change meanwhile moves it
        return stamp

    def _reader(self) -> Any:
        """This thread's own connection to the file (autocommit: each read a fresh snapshot)."""
        connection = getattr(self._readers, "connection", None)
        if connection is None:
            connection = peewee.sqlite3.connect(  # peewee's SQLite: one library's locks
                f"file:{quote(self._path)}?mode=rw",
                uri=True,
                timeout=5,
                check_same_thread=False,
            )
            self._readers.connection = connection
        return connection

    def journal(self, size: int) -> JournalStorage:
        kind = self.journal_kind()
        if kind == "memory":
            return MemoryJournal(size)
        if kind == "table":
            return JournalTable(self, size)
        journal = FileJournal(Path(JOURNAL_FOLDER.format(self._path)), size)
        self._journals.append(journal)
        return journal

    def installing(self) -> AbstractContextManager[Any]:
        # The write lock first: a read turned write fails at once if another process wrote
        # meanwhile (processes starting together on one file), where a wait for it succeeds.
        return self.database.atomic("IMMEDIATE")

    def install(self) -> None:
        self.database.create_tables(list(self.models.values()))
        execute = self.database.execute_sql
        for versions in (VERSION_TABLE, STATE_VERSION_TABLE):
            execute(f"CREATE TABLE IF NOT EXISTS {versions} (version INTEGER NOT NULL)")
            execute(f"INSERT INTO {versions} SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM {versions})")  # fmt: skip
        execute(f"CREATE TABLE IF NOT EXISTS {CHANGES_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, changed INTEGER)")  # fmt: skip
        for model in self.kept_state_tables:
            table = model._meta.table_name
            for event in ("INSERT", "UPDATE", "DELETE"):
                execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{table}_version_{event.lower()}"'
                    f' AFTER {event} ON "{table}"'
                    f" BEGIN UPDATE {STATE_VERSION_TABLE} SET version = version + 1; END"
                )
        triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%WHEN NOT EXISTS%'"  # fmt: skip
        for (older,) in execute(triggers).fetchall():  # a delete trigger that skipped deletes
            execute(f'DROP TRIGGER "{older}"')  # once, in a file made before: not every open
        for _, create in self.data_triggers():
            execute(create)

    def data_triggers(self) -> list[tuple[str, str]]:
        """The name and the CREATE statement of each trigger of the data tables: the data
        version bumped by every row written, updated row ids logged, deleted rows logged."""
        bump = f"UPDATE {VERSION_TABLE} SET version = version + 1"
        triggers = []
        for model in self.data_tables:
            table = model._meta.table_name
            log = f"INSERT INTO {CHANGES_TABLE} (tbl, changed) VALUES ('{table}'"
            bodies = {
                f"{table}_version_insert": f'AFTER INSERT ON "{table}" BEGIN {bump}; END',
                f"{table}_version_update": f'AFTER UPDATE ON "{table}" BEGIN {bump}; END',
                f"{table}_version_delete": f'AFTER DELETE ON "{table}" BEGIN {bump}; END',
                f"{table}_changes_update": f'AFTER UPDATE ON "{table}" BEGIN {log}, NEW.rowid); END',
                # A deleted row is logged as a row id of NULL (a whole table: once, clear_table).
                f"{table}_changes_delete": f'AFTER DELETE ON "{table}" BEGIN {log}, NULL); END',
            }
            triggers += [(n, f'CREATE TRIGGER IF NOT EXISTS "{n}" {b}') for n, b in bodies.items()]
        return triggers

    @contextmanager
    def untriggered(self, names: set[str]) -> Iterator[None]:
        """Within a transaction: the named data triggers off for a block, then on again, and
        the data version bumped once for all that the block wrote."""
        triggers = [(name, create) for name, create in self.data_triggers() if name in names]
        for name, _ in triggers:
            self.database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        yield
        for _, create in triggers:
            self.database.execute_sql(create)
        self.database.execute_sql(f"UPDATE {VERSION_TABLE} SET version = version + 1")

    def clear_table(self, table: str) -> None:
        # With a row trigger, DELETE visits every row (16 s at a million jobs); without one,
        # it empties the table at once. Its effects are made once: the version, the delete.
        deletes = {f"{table}_version_delete", f"{table}_changes_delete"}
        with self.database.atomic(), self.untriggered(deletes):
            self.database.execute_sql(f'DELETE FROM "{table}"')
            self.database.execute_sql(f"INSERT INTO {CHANGES_TABLE} (tbl, changed) VALUES ('{table}', NULL)")  # fmt: skip

    @contextmanager
    def restoring(self) -> Iterator[None]:
        # Row triggers and nine indexes kept up row by row took a reset at a million jobs
        # 40 s: the inserts' triggers are off while every row is put back (clear_table empties
        # the tables), and the indexes are built once, after.
        inserts = {f"{model._meta.table_name}_version_insert" for model in self.data_tables}
        with self.untriggered(inserts), self.bulk_loading():
            yield

    def take_write_turn(self) -> None:
        # Between processes on one file: take the write lock at once (BEGIN IMMEDIATE's
        # effect), so that a read-then-write never fails half-way with "database is locked".
        if self.url != MEMORY:
            self.database.execute_sql(f"UPDATE {VERSION_TABLE} SET version = version")

    def close(self) -> None:
        super().close()
        for journal in self._journals:
            journal.close()
        connection = getattr(self._readers, "connection", None)  # others': as their threads end
        if connection is not None:
            connection.close()
            del self._readers.connection
