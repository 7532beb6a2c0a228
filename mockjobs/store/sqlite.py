"""SQLite: in memory (the default) or in a file that several processes may share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import peewee

from ..vocabulary import MEMORY
from .base import CHANGES_TABLE, STATE_VERSION_TABLE, VERSION_TABLE, Store


class SqliteStore(Store):
    """One connection shared by every thread of the process, serialized by `lock`.

    An in-memory database is so the same database for all of a server's threads. A file is
    in WAL mode with synchronous=NORMAL: a committed write survives the process being
    killed, and other processes on the same file see it at their next read. SQLite triggers
    run for each row: a bulk load of a million rows bumps the version a million times, for
    about 1.6 s.
    """

    name = "SQLite"

    def open(self, url: str) -> peewee.Database:
        self.lock = threading.RLock()
        pragmas: dict[str, Any] = {}
        if url != MEMORY:
            pragmas = {"journal_mode": "wal", "synchronous": "normal", "busy_timeout": 5000}
        return peewee.SqliteDatabase(
            url, thread_safe=False, check_same_thread=False, pragmas=pragmas, autoconnect=True
        )

    def session(self) -> AbstractContextManager[Any]:
        return self.lock

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
        for _, create in self.data_triggers():
            execute(create)

    def data_triggers(self) -> list[tuple[str, str]]:
        """The name and the CREATE statement of each trigger of the data tables: the data
        version bumped by every row written, updated row ids logged, a delete logged once."""
        bump = f"UPDATE {VERSION_TABLE} SET version = version + 1"
        triggers = []
        for model in self.data_tables:
            table = model._meta.table_name
            log = f"INSERT INTO {CHANGES_TABLE} (tbl, changed) VALUES ('{table}'"
            last_is_a_delete = (
                f"SELECT 1 FROM {CHANGES_TABLE} WHERE seq = (SELECT max(seq) FROM {CHANGES_TABLE})"
                f" AND tbl = '{table}' AND changed IS NULL"
            )
            bodies = {
                f"{table}_version_insert": f'AFTER INSERT ON "{table}" BEGIN {bump}; END',
                f"{table}_version_update": f'AFTER UPDATE ON "{table}" BEGIN {bump}; END',
                f"{table}_version_delete": f'AFTER DELETE ON "{table}" BEGIN {bump}; END',
                f"{table}_changes_update": f'AFTER UPDATE ON "{table}" BEGIN {log}, NEW.rowid); END',
                # A delete is logged once, as a row id of NULL, however many rows it deletes.
                f"{table}_changes_delete": f'AFTER DELETE ON "{table}"'
                f" WHEN NOT EXISTS ({last_is_a_delete}) BEGIN {log}, NULL); END",
            }
            triggers += [(n, f'CREATE TRIGGER IF NOT EXISTS "{n}" {b}') for n, b in bodies.items()]
        return triggers

    @contextmanager
    def restoring(self) -> Iterator[None]:
        # Row triggers on a million rows, and nine indexes kept up row by row, took a reset
        # at a million jobs 40 s: they are off while every row is replaced (a DELETE with no
        # trigger empties a table at once), then their effects are made once.
        triggers = self.data_triggers()
        for name, _ in triggers:
            self.database.execute_sql(f'DROP TRIGGER "{name}"')
        with self.bulk_loading():
            yield
        for _, create in triggers:
            self.database.execute_sql(create)
        self.database.execute_sql(f"UPDATE {VERSION_TABLE} SET version = version + 1")
        for model in self.data_tables:
            table = model._meta.table_name
            self.database.execute_sql(
                f"INSERT INTO {CHANGES_TABLE} (tbl, changed) VALUES ('{table}', NULL)"
            )

    def take_write_turn(self) -> None:
        # Between processes on one file: take the write lock at once (BEGIN IMMEDIATE's
        # effect), so that a read-then-write never fails half-way with "database is locked".
        if self.url != MEMORY:
            self.database.execute_sql(f"UPDATE {VERSION_TABLE} SET version = version")
