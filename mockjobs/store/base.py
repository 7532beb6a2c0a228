"""The store: one database, every table of it, the data version, snapshots; backends' hooks.

A store owns the database session, reading (one version of the data throughout) and writing
(all or nothing), and snapshot/restore of every data table. The data version is kept by the
database itself: a trigger on every data table bumps the one row of `mockjobs_version`, so no
write path, present or future, goes unseen by the caches or by other processes. Likewise the
shared state's version (`mockjobs_state_version`) follows every write of the fault rules and the
named values, so that a process keeps them until another changes them.
Backends (SQLite in sqlite.py, PostgreSQL in postgres.py) fill in a handful of hooks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

import peewee

from ..vocabulary import ticket
from .tables import DATA_TABLES, KEPT_STATE, bind

if TYPE_CHECKING:
    from .journal import JournalStorage

VERSION_TABLE = "mockjobs_version"
STATE_VERSION_TABLE = "mockjobs_state_version"  # of the fault rules and the named values
STAMP = f"SELECT d.version, s.version FROM {VERSION_TABLE} d, {STATE_VERSION_TABLE} s"
CHANGES_TABLE = "mockjobs_changes"  # the row ids that writes updated (or: a table's rows deleted)
CHANGES_KEPT = 100_000  # the latest changes kept: an index further behind builds afresh
SNAPSHOT_PREFIX = "mockjobs_snapshot_"


class UnstorableValue(ValueError):
    """A record holds a value this database cannot store (`index`: the record, `field`)."""

    def __init__(self, reason: str, index: int, field: str) -> None:
        super().__init__(reason)
        self.reason, self.index, self.field = reason, index, field


class Store:
    """Every table of one database; `open_store(url)` picks the backend.

    Bound models are attributes by name (`store.Job`, `store.FaultRule`, ...). Data rows
    have a stable integer key, `rowid`.
    """

    name = "the database"  # as messages name the backend
    state_tables: tuple[type[peewee.Model], ...] = KEPT_STATE  # and the backend's own

    def __init__(self, url: str) -> None:
        self.url = url
        self._writes = 0
        self._moment = threading.local()  # .stamp: False out of a moment, None not yet read
        self.database = self.open(url)
        self.models = {
            model.__name__: bind(model, self.database) for model in DATA_TABLES + self.state_tables
        }
        self.data_tables = [self.models[model.__name__] for model in DATA_TABLES]
        self.kept_state_tables = [self.models[model.__name__] for model in KEPT_STATE]
        with self.session(), self.installing():
            self.install()

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["models"][name]
        except KeyError:
            raise AttributeError(name) from None

    # -- hooks -----------------------------------------------------------------------------

    def open(self, url: str) -> peewee.Database:
        raise NotImplementedError

    def install(self) -> None:
        """Create what is missing: the tables, the version row, its triggers."""
        raise NotImplementedError

    def installing(self) -> AbstractContextManager[Any]:
        """The transaction `install` runs in."""
        return self.database.atomic()

    def session(self) -> AbstractContextManager[Any]:
        """The database for this thread, for the duration of a block."""
        raise NotImplementedError

    def journal(self, size: int) -> JournalStorage:
        """Where the journal of requests is kept, its latest `size` entries (journal.py)."""
        raise NotImplementedError

    def insert_rows(self, cursor: Any, into: str, row: str, rows: list[list[Any]]) -> None:
        """Insert many rows of one table (`into` ... VALUES, `row` a row's placeholders)."""
        cursor.executemany(into + row, rows)

    def restoring(self) -> AbstractContextManager[Any]:
        """Within a write, around replacing every row of the data tables (a restore)."""
        return nullcontext()

    def clear_table(self, table: str) -> None:
        self.database.execute_sql(f'DELETE FROM "{table}"')

    def holds_text(self, text: str) -> bool:
        """Whether a text column can hold `text` (a filter value it cannot matches nothing)."""
        return True

    # -- reading and writing ---------------------------------------------------------------

    def version(self) -> int:
        """The version of the data now: it changes with every write of a data table."""
        return self.stamp()[0]

    def state_version(self) -> int:
        """The version of the shared state: it changes with every write of the fault rules
        or the named values (not of the journal)."""
        return self.stamp()[1]

    def stamp(self) -> tuple[int, int]:
        """Both versions, read in one statement; within a moment, as they were at its first
        look (or as read since the moment began)."""
        moment = self._moment
        kept = getattr(moment, "stamp", False)
        if kept:
            return kept
        if kept is None:
            stamp = moment.stamp = self.read_stamp(moment.since)
            return stamp
        return self.read_stamp(ticket())

    def read_stamp(self, since: int) -> tuple[int, int]:
        """Both versions, as read after the event `since` (a `ticket`) (hook: where, and how
        seldom, a backend reads them)."""
        with self.session():
            return tuple(self.database.execute_sql(STAMP).fetchone())  # type: ignore[return-value]

    @contextmanager
    def moment(self, since: int | None = None) -> Iterator[None]:
        """A block (a request) that reads the versions once, at its first look, however many
        times it asks: what it sees is the store as it was then, or at any time after `since`
        (a `ticket`; None: the block's start), when the request was received: every write
        that its client saw done is in. A write of this thread within it looks again; a
        reading or a writing block reads its own version."""
        self._moment.since = ticket() if since is None else since
        self._moment.stamp = None
        try:
            yield
        finally:
            self._moment.stamp = False

    def look_again(self) -> None:
        """This thread's moment (if in one) reads the versions afresh: it has written."""
        if getattr(self._moment, "stamp", False) is not False:
            self._moment.since = ticket()
            self._moment.stamp = None

    @contextmanager
    def reading(self) -> Iterator[int]:
        """One version of the data throughout a block: yields its number."""
        with self.session(), self.database.atomic():
            yield self.read_version()

    def read_version(self) -> int:
        """The version of the data now, read afresh (within a transaction: the transaction's)."""
        with self.session():
            return self.database.execute_sql(f"SELECT version FROM {VERSION_TABLE}").fetchone()[0]

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A write: all or nothing, seen whole by readers (the triggers give it a new version)."""
        moment = getattr(self._moment, "stamp", False) is not False
        self._moment.stamp = False  # within the write, every look reads afresh
        try:
            with self.session(), self.database.atomic():
                self.take_write_turn()
                yield
                self._writes += 1
                if self._writes % 256 == 0:  # now and then: cheap on average
                    self.forget_changes()
        finally:
            self._moment.stamp = None if moment else False
            self.look_again()  # a moment looks again, at what this write made

    def take_write_turn(self) -> None:
        """Wait for other writers of the database (hook: a lock, where the backend needs one)."""

    # -- the change log, kept by triggers: how an index follows the data ---------------------

    def last_change(self) -> int:
        """The number of the latest change logged (0: none)."""
        with self.session():
            sql = f"SELECT coalesce(max(seq), 0) FROM {CHANGES_TABLE}"
            return self.database.execute_sql(sql).fetchone()[0]

    def changes(self, table: str, since: int) -> tuple[int, set[int] | None]:
        """The latest change's number, and the row ids of `table` that updates changed since
        change `since`; None when rows were deleted since, or the log no longer goes back so
        far. Rows inserted are not logged: they have row ids above the ones there were."""
        with self.session():
            execute, place = self.database.execute_sql, self.database.param
            first, last = execute(f"SELECT min(seq), coalesce(max(seq), 0) FROM {CHANGES_TABLE}").fetchone()  # fmt: skip
            if first is not None and first > since + 1:
                return last, None
            sql = f"SELECT changed FROM {CHANGES_TABLE} WHERE tbl = {place} AND seq > {place}"
            rows = [changed for (changed,) in execute(sql, (table, since)).fetchall()]
        return last, None if None in rows else set(rows)

    def forget_changes(self) -> None:
        """Within a write: drop all but the latest CHANGES_KEPT changes."""
        self.database.execute_sql(
            f"DELETE FROM {CHANGES_TABLE} WHERE seq <= (SELECT max(seq) FROM {CHANGES_TABLE}) - {CHANGES_KEPT}"
        )

    @contextmanager
    def bulk_loading(self) -> Iterator[None]:
        """Within a write: drop the secondary indexes, then build them once, after the rows."""
        for model in self.data_tables:
            model._schema.drop_indexes(safe=True)
        yield
        for model in self.data_tables:
            model._schema.create_indexes(safe=True)
        for model in self.data_tables:  # the planner's statistics, for the right index
            self.database.execute_sql(f'ANALYZE "{model._meta.table_name}"')

    # -- snapshots of every data table, kept in the database itself ------------------------

    def snapshot(self, name: str) -> int:
        """Copy every data table under `name` (replacing an older copy of that name): the
        version of the data copied."""
        with self.writing():
            for model in self.data_tables:
                table, copy = model._meta.table_name, snapshot_table(name, model)
                self.database.execute_sql(f'DROP TABLE IF EXISTS "{copy}"')
                self.database.execute_sql(f'CREATE TABLE "{copy}" AS SELECT * FROM "{table}"')
            return self.read_version()

    def has_snapshot(self, name: str) -> bool:
        with self.session():
            return all(
                self.database.table_exists(snapshot_table(name, model))
                for model in self.data_tables
            )

    def restore(self, name: str) -> int:
        """Make every data table what it was when the snapshot `name` was taken: the version
        this makes. Rows get their row ids back if these were 1 to N (SQLite numbers the rows
        restored from 1, in their order; PostgreSQL's `rowid` is a column, copied)."""
        with self.writing():
            with self.restoring():
                for model in self.data_tables:
                    table = model._meta.table_name
                    self.clear_table(table)
                    copy = snapshot_table(name, model)
                    self.database.execute_sql(f'INSERT INTO "{table}" SELECT * FROM "{copy}"')
            return self.read_version()

    def drop_snapshot(self, name: str) -> None:
        with self.writing():
            for model in self.data_tables:
                self.database.execute_sql(f'DROP TABLE IF EXISTS "{snapshot_table(name, model)}"')

    def close(self) -> None:
        with self.session():
            self.database.close()


def snapshot_table(name: str, model: type[peewee.Model]) -> str:
    return f"{SNAPSHOT_PREFIX}{name}_{model._meta.table_name}"
