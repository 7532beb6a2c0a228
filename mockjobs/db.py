"""The database of one server: opening it, and the store that every request goes through."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

import peewee

from .models import RECORD_FIELDS, Job, bind_job_model

MEMORY = ":memory:"


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
    """The jobs of one server.

    All access goes through `lock`: one connection serves every thread, and a reader
    never sees half of a write. `version` counts the writes, for anything that caches.
    """

    def __init__(self, path: str = MEMORY) -> None:
        self.path = path
        self.database = open_database(path)
        self.Job: type[Job] = bind_job_model(self.database)
        self.lock = threading.RLock()
        self.version = 0
        with self.lock:
            self.database.create_tables([self.Job])

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self.lock, self.database.atomic():
            yield
            self.version += 1

    def count(self) -> int:
        with self.lock:
            return self.Job.select().count()

    def clear(self) -> None:
        with self.writing():
            self.Job.delete().execute()

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` that are stored already."""
        ids = list(ids)
        found: set[str] = set()
        with self.lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                query = self.Job.select(self.Job.id).where(self.Job.id.in_(chunk))
                found.update(job_id for (job_id,) in query.tuples())
        return found

    def insert(
        self,
        records: Iterable[dict[str, Any]],
        *,
        chunk_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Insert complete records in bulk, all or none; returns how many."""
        fields = [self.Job._meta.fields[name] for name in RECORD_FIELDS]
        columns = ", ".join(f'"{f.column_name}"' for f in fields)
        marks = ", ".join(self.database.param for _ in fields)
        sql = f'INSERT INTO "{self.Job._meta.table_name}" ({columns}) VALUES ({marks})'
        total = 0
        records = iter(records)
        with self.writing():
            cursor = self.database.cursor()
            while chunk := list(islice(records, chunk_size)):
                cursor.executemany(sql, [[f.db_value(r[f.name]) for f in fields] for r in chunk])
                total += len(chunk)
                if progress:
                    progress(len(chunk))
        return total

    def snapshot(self) -> sqlite3.Connection:
        """A copy of the whole database in memory, for `restore`."""
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with self.lock:
            self.database.connection().backup(copy)
        return copy

    def restore(self, snapshot: sqlite3.Connection) -> None:
        """Make the database what it was when `snapshot` was taken."""
        with self.lock:
            snapshot.backup(self.database.connection())
            self.version += 1

    def analyze(self) -> None:
        """Refresh the planner's statistics, so that it picks the right index for each query."""
        with self.lock:
            self.database.execute_sql("ANALYZE")

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.Job.get_or_none(self.Job.id == job_id)

    def live(self) -> list[Job]:
        """The jobs not in a final state, a batch's in creation order."""
        with self.lock:
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
        with self.lock:
            self.database.close()
