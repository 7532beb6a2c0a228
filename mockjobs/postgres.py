"""PostgreSQL: the store of a database that several mockjobs processes may share.

`Store("postgresql://user:pass@host:port/dbname")` (peewee's database URLs; the query string
may set the pool's `max_connections`, `stale_timeout` and `timeout`, or libpq's options)
answers every query as SQLite does, byte for byte.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from itertools import count
from typing import Any

import peewee
from playhouse import db_url
from playhouse.pool import PooledPostgresqlDatabase

from .db import Store
from .fixtures import FixtureError
from .models import Job, JSONField, bind_job_model

POOL = {"max_connections": 32, "stale_timeout": 300, "timeout": 10}  # unless the URL says
BUMP = "UPDATE mockjobs_version SET version = version + 1"  # first in every write
SCHEMA_LOCK = 0x6D6F636B  # advisory lock taken while creating the tables: processes start at once
TEXT_COLUMNS = tuple(
    name
    for name, field in Job._meta.fields.items()
    if isinstance(field, peewee.TextField) and not isinstance(field, JSONField)
)  # JSON is stored escaped: only these could hold a NUL character


class PostgresStore(Store):
    """The jobs in a PostgreSQL database that several mockjobs processes may share.

    Threads take connections from a pool. Each write transaction first increments the one
    row of `mockjobs_version`, which orders the writes of every process and tells every
    process's caches; a reader sees one version throughout (REPEATABLE READ). Text columns
    compare by code point (COLLATE "C"), integers are 64-bit, and `rowid` is a BIGSERIAL
    column: as in SQLite. Snapshots are temporary tables of a connection kept for them, so
    they go with the process. PostgreSQL text cannot hold U+0000: a record with one is
    refused, and a filter value with one matches nothing.
    """

    def __init__(self, url: str) -> None:
        if not (find_spec("psycopg2") or find_spec("psycopg")):
            raise peewee.DatabaseError(
                "PostgreSQL needs psycopg2: pip install 'mockjobs[postgres]'"
            )
        self.path = url
        params = {**POOL, **db_url.parse(url, unquote_password=True)}
        name = params.pop("database")
        if not name:
            raise peewee.DatabaseError("the URL names no database: postgresql://host:port/NAME")
        self.database = PooledPostgresqlDatabase(name, **params)
        self.Job = postgres_job_model(self.database)
        self.lock = threading.RLock()
        connect = {key: value for key, value in params.items() if key not in POOL}
        self._keeper = peewee.PostgresqlDatabase(name, thread_safe=False, **connect)
        self._keeper_lock = threading.Lock()
        self._numbers = count()
        with self.session(), self.database.atomic():
            self.database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            (encoding,) = self.database.execute_sql("SHOW server_encoding").fetchone()
            if encoding != "UTF8":
                raise peewee.DatabaseError(f"database {name} is {encoding}: mockjobs needs UTF8")
            self.database.create_tables([self.Job])
            for sql in (
                'ALTER TABLE "job" ADD COLUMN IF NOT EXISTS rowid BIGSERIAL',
                'CREATE UNIQUE INDEX IF NOT EXISTS "job_rowid" ON "job" (rowid)',
                "CREATE TABLE IF NOT EXISTS mockjobs_version (version BIGINT NOT NULL)",
                "INSERT INTO mockjobs_version SELECT 0 WHERE NOT EXISTS (SELECT FROM mockjobs_version)",
            ):
                self.database.execute_sql(sql)

    @contextmanager
    def session(self) -> Iterator[None]:
        """A connection from the pool for this thread (or the one it holds) for a block."""
        if not self.database.is_closed():
            yield
            return
        self.database.connect()
        try:
            yield
        finally:
            self.database.close()

    def count_write(self) -> None:
        self.database.execute_sql(BUMP)  # holds the row until commit: writers take turns

    def current_version(self) -> int:
        with self.session():
            return self.database.execute_sql("SELECT version FROM mockjobs_version").fetchone()[0]

    @contextmanager
    def reading(self) -> Iterator[int]:
        with self.session(), self.database.atomic():
            self.database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield self.current_version()

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        return super().existing_ids(i for i in ids if "\0" not in i)

    def query(self, params: dict[str, Any]) -> peewee.Select | None:
        if "\0" in params["id__starts_with"]:
            return None
        params = dict(params)
        for name in ("id", "batch_id", "project_id", "user_id"):  # the free-text filters
            if params[name]:
                params[name] = [value for value in params[name] if "\0" not in value]
                if not params[name]:
                    return None
        return super().query(params)

    def insert(self, records: Iterable[dict[str, Any]], **kwargs: Any) -> int:
        return super().insert(without_nul(records), **kwargs)

    def insert_rows(self, cursor: Any, into: str, row: str, rows: list[list[Any]]) -> None:
        for start in range(0, len(rows), 1000):  # many rows a statement, few parameters
            part = rows[start : start + 1000]
            cursor.execute(into + ", ".join([row] * len(part)), [v for r in part for v in r])

    def snapshot(self) -> TableSnapshot:
        table = f"mockjobs_snapshot_{next(self._numbers)}"
        with self._keeper_lock:
            self._keeper.execute_sql(f'CREATE TEMPORARY TABLE "{table}" AS SELECT * FROM "job"')
        return TableSnapshot(self, table)

    def restore(self, snapshot: TableSnapshot) -> None:
        keeper = self._keeper
        with self._keeper_lock, keeper.atomic():
            keeper.execute_sql(BUMP)
            keeper.execute_sql('DELETE FROM "job"')
            keeper.execute_sql(f'INSERT INTO "job" SELECT * FROM pg_temp."{snapshot.table}"')

    def drop(self, snapshot: TableSnapshot) -> None:
        with self._keeper_lock:
            self._keeper.execute_sql(f'DROP TABLE IF EXISTS pg_temp."{snapshot.table}"')

    def get(self, job_id: str) -> Job | None:
        return None if "\0" in job_id else super().get(job_id)

    def close(self) -> None:
        with self._keeper_lock:
            self._keeper.close()  # and its temporary tables with it
        self.database.close_all()


class TableSnapshot:
    """A PostgreSQL snapshot: a temporary table of the store's keeper connection."""

    def __init__(self, store: PostgresStore, table: str) -> None:
        self.store, self.table = store, table

    def close(self) -> None:
        self.store.drop(self)


def postgres_job_model(database: peewee.Database) -> type[Job]:
    """A Job model whose text sorts by code point and whose integers are 64-bit, as in SQLite."""
    model = bind_job_model(database)
    for field in model._meta.sorted_fields:
        if isinstance(field, peewee.TextField):
            field.collation = '"C"'
        elif isinstance(field, peewee.IntegerField):
            field.field_type = "BIGINT"
    return model


def without_nul(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The records, refusing the first whose text holds U+0000 (PostgreSQL text cannot)."""
    for index, record in enumerate(records):
        for name in TEXT_COLUMNS:
            if "\0" in (record[name] or ""):
                raise FixtureError("PostgreSQL cannot store the character U+0000", index, name)
        yield record
