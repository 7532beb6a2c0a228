"""The database of one server: opening it, and the store that every request goes through.

SQLite by default, in memory or in a file; PostgreSQL (`postgresql://user:pass@host:port/db`,
peewee's database URLs) for a database that several mockjobs processes share, in postgres.py.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from itertools import islice
from typing import Any

import peewee
from peewee import __exception_wrapper__ as driver_errors  # driver exceptions as peewee's

from .models import RECORD_FIELDS, Job, JSONField, TimestampField, bind_job_model
from .queries import job_query

MEMORY = ":memory:"
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "postgres+pool://", "postgresql+pool://")


def is_postgres(location: str) -> bool:
    return location.startswith(POSTGRES_SCHEMES)


def open_database(path: str = MEMORY) -> peewee.Database:
    """An SQLite database in memory (the default) or in a file.

    The store uses one connection from every thread (serialized by its lock), so an
    in-memory database is the same database for all of a server's threads.
    """
    pragmas: dict[str, Any] = {}
    if path != MEMORY:
        # WAL with synchronous=NORMAL: a committed write survives the process being killed.
        pragmas = {"journal_mode": "wal", "synchronous": "normal", "busy_timeout": 5000}
    return peewee.SqliteDatabase(
        path, thread_safe=False, check_same_thread=False, pragmas=pragmas, autoconnect=True
    )


class Store:
    """The jobs of one server, in SQLite; `Store(url)` with a PostgreSQL URL is a PostgresStore.

    All access goes through `session()`, here the one connection every thread shares, under
    `lock`: a reader never sees half of a write. `version` counts the writes, for caches.
    Rows have a stable integer key, `rowid`.
    """

    def __new__(cls, path: str = MEMORY) -> Store:
        if cls is Store and is_postgres(path):
            from .postgres import PostgresStore

            cls = PostgresStore
        return super().__new__(cls)

    def __init__(self, path: str = MEMORY) -> None:
        self.path = path
        self.database = open_database(path)
        self.Job: type[Job] = bind_job_model(self.database)
        self.lock = threading.RLock()
        self.version = 0
        with self.session():
            self.database.create_tables([self.Job])

    def session(self) -> AbstractContextManager[Any]:
        """The database for this thread, for the duration of a block."""
        return self.lock

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A write: all or nothing, seen whole by readers, and a new version."""
        with self.session(), self.database.atomic():
            self.count_write()
            yield

    def count_write(self) -> None:
        self.version += 1

    def current_version(self) -> int:
        """The version of the data now: it changes with every write."""
        return self.version

    @contextmanager
    def reading(self) -> Iterator[int]:
        """One version of the data throughout a block: yields its number."""
        with self.session():
            yield self.version

    def count(self) -> int:
        with self.session():
            return self.Job.select().count()

    def clear(self) -> None:
        with self.writing():
            self.Job.delete().execute()

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` that are stored already."""
        ids = list(ids)
        found: set[str] = set()
        with self.session():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                query = self.Job.select(self.Job.id).where(self.Job.id.in_(chunk))
                found.update(job_id for (job_id,) in query.tuples())
        return found

    def query(self, params: dict[str, Any]) -> peewee.Select | None:
        """The jobs matching validated list parameters, in order (None: no job can match)."""
        return job_query(self.Job, params)

    def insert(
        self,
        records: Iterable[dict[str, Any]],
        *,
        chunk_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Insert complete records in bulk, all or none; returns how many."""
        fields = [self.Job._meta.fields[name] for name in RECORD_FIELDS]
        # Only timestamps and JSON need converting: the other values are stored as they are.
        convert = [
            f.db_value if isinstance(f, TimestampField | JSONField) else None for f in fields
        ]
        names = [f.name for f in fields]
        columns = ", ".join(f'"{f.column_name}"' for f in fields)
        row = "(" + ", ".join(self.database.param for _ in fields) + ")"
        into = f'INSERT INTO "{self.Job._meta.table_name}" ({columns}) VALUES '
        total = 0
        records = iter(records)
        with self.writing(), driver_errors:
            cursor = self.database.cursor()
            while chunk := list(islice(records, chunk_size)):
                rows = [
                    [
                        value if to is None else to(value)
                        for to, value in zip(convert, map(r.__getitem__, names), strict=True)
                    ]
                    for r in chunk
                ]
                self.insert_rows(cursor, into, row, rows)
                total += len(chunk)
                if progress:
                    progress(len(chunk))
        return total

    @contextmanager
    def bulk_loading(self) -> Iterator[None]:
        """Within a write: drop the secondary indexes, then build them once, after the rows."""
        self.Job._schema.drop_indexes(safe=True)
        yield
        self.Job._schema.create_indexes(safe=True)

    def insert_rows(self, cursor: Any, into: str, row: str, rows: list[list[Any]]) -> None:
        cursor.executemany(into + row, rows)

    def snapshot(self) -> Any:
        """A copy of the whole database (in memory), for `restore`; `close()` frees it."""
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with self.session():
            self.database.connection().backup(copy)
        return copy

    def restore(self, snapshot: Any) -> None:
        """Make the database what it was when `snapshot` was taken."""
        with self.session():
            snapshot.backup(self.database.connection())
            self.count_write()

    def analyze(self) -> None:
        """Refresh the planner's statistics, so that it picks the right index for each query."""
        with self.session():
            self.database.execute_sql(f'ANALYZE "{self.Job._meta.table_name}"')

    def get(self, job_id: str) -> Job | None:
        with self.session():
            return self.Job.get_or_none(self.Job.id == job_id)

    def live(self) -> list[Job]:
        """The jobs not in a final state, a batch's in creation order."""
        with self.session():
            query = self.Job.select().where(
                self.Job.status.in_(("PENDING", "RUNNING", "CANCELING"))
            )
            return list(query.order_by(self.Job.batch_id, self.Job.creation_order, self.Job.id))

    def save(self, jobs: Iterable[Job]) -> None:
        """Write changed jobs back, all in one write."""
        with self.writing():
            for job in jobs:
                job.save()

    def close(self) -> None:
        with self.session():
            self.database.close()
