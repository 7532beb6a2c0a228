"""PostgreSQL: the store of a database that several mockjobs processes may share.

`postgresql://user:pass@host:port/dbname` (peewee's database URLs; the query string may set
the pool's `max_connections`, `stale_timeout` and `timeout`, or libpq's options) answers
every query as SQLite does, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from typing import Any

import peewee
from playhouse import db_url
from playhouse.pool import PooledPostgresqlDatabase

from .base import CHANGES_TABLE, STATE_VERSION_TABLE, VERSION_TABLE, Store
from .journal import JournalStorage, JournalTable
from .tables import JOURNAL_TABLE, KEPT_STATE

POOL = {"max_connections": 32, "stale_timeout": 300, "timeout": 10}  # unless the URL says
SCHEMA_LOCK = 0x6D6F636B  # advisory lock taken while creating the tables: processes start at once
BUMP = f"""CREATE OR REPLACE FUNCTION mockjobs_bump_version() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN UPDATE {VERSION_TABLE} SET version = version + 1; RETURN NULL; END $$"""
BUMP_STATE = f"""CREATE OR REPLACE FUNCTION mockjobs_bump_state_version() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN UPDATE {STATE_VERSION_TABLE} SET version = version + 1; RETURN NULL;
END $$"""
LOG_UPDATE = f"""CREATE OR REPLACE FUNCTION mockjobs_log_update() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN INSERT INTO {CHANGES_TABLE} (tbl, changed) VALUES (TG_TABLE_NAME, NEW.rowid);
RETURN NULL; END $$"""
LOG_DELETE = f"""CREATE OR REPLACE FUNCTION mockjobs_log_delete() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN INSERT INTO {CHANGES_TABLE} (tbl, changed) VALUES (TG_TABLE_NAME, NULL);
RETURN NULL; END $$"""


class PostgresStore(Store):
    """The tables in a PostgreSQL database that several mockjobs processes may share.

    Threads take connections from a pool. A statement trigger on every data table bumps the
    one row of `mockjobs_version`; writers take turns on that row first, and a reader sees
    one version throughout (REPEATABLE READ). Text columns compare by code point
    (COLLATE "C"), integers are 64-bit, and `rowid` is a BIGSERIAL column: as in SQLite.
    PostgreSQL text cannot hold U+0000: a record with one is refused, and a filter value with
    one matches nothing.
    """

    name = "PostgreSQL"
    state_tables = (*KEPT_STATE, JOURNAL_TABLE)  # the journal: processes of several machines

    def open(self, url: str) -> peewee.Database:
        if not (find_spec("psycopg2") or find_spec("psycopg")):
            raise peewee.DatabaseError(
                "PostgreSQL needs psycopg2: pip install 'mockjobs[postgres]'"
            )
        params = {**POOL, **db_url.parse(url, unquote_password=True)}
        name = params.pop("database")
        if not name:
            raise peewee.DatabaseError("the URL names no database: postgresql://host:port/NAME")
        return PooledPostgresqlDatabase(name, **params)

    def install(self) -> None:
        execute = self.database.execute_sql
        execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        (encoding,) = execute("SHOW server_encoding").fetchone()
        if encoding != "UTF8":
            raise peewee.DatabaseError(f"the database is {encoding}: mockjobs needs UTF8")
        for model in self.models.values():
            for field in model._meta.sorted_fields:
                if isinstance(field, peewee.TextField):
                    field.collation = '"C"'
                elif isinstance(field, peewee.IntegerField) and not isinstance(
                    field, peewee.AutoField
                ):
                    field.field_type = "BIGINT"
        self.database.create_tables(list(self.models.values()))
        for versions in (VERSION_TABLE, STATE_VERSION_TABLE):
            execute(f"CREATE TABLE IF NOT EXISTS {versions} (version BIGINT NOT NULL)")
            execute(f"INSERT INTO {versions} SELECT 0 WHERE NOT EXISTS (SELECT FROM {versions})")  # fmt: skip
        execute(f"CREATE TABLE IF NOT EXISTS {CHANGES_TABLE} (seq BIGSERIAL PRIMARY KEY, tbl TEXT NOT NULL, changed BIGINT)")  # fmt: skip
        for function in (BUMP, BUMP_STATE, LOG_UPDATE, LOG_DELETE):
            execute(function)
        for model in self.kept_state_tables:
            table = model._meta.table_name
            execute(
                f'CREATE OR REPLACE TRIGGER "{table}_version" AFTER INSERT OR UPDATE OR DELETE'
                f' OR TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION mockjobs_bump_state_version()'
            )
        for model in self.data_tables:
            table = model._meta.table_name
            execute(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS rowid BIGSERIAL')
            execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{table}_rowid" ON "{table}" (rowid)')
            execute(
                f'CREATE OR REPLACE TRIGGER "{table}_version" AFTER INSERT OR UPDATE OR DELETE'
                f' OR TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION mockjobs_bump_version()'
            )
            execute(
                f'CREATE OR REPLACE TRIGGER "{table}_changes_update" AFTER UPDATE ON "{table}"'
                " FOR EACH ROW EXECUTE FUNCTION mockjobs_log_update()"
            )
            execute(
                f'CREATE OR REPLACE TRIGGER "{table}_changes_delete" AFTER DELETE OR TRUNCATE'
                f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION mockjobs_log_delete()'
            )

    def journal(self, size: int) -> JournalStorage:
        return JournalTable(self, size)

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

    @contextmanager
    def reading(self) -> Iterator[int]:
        with self.session(), self.database.atomic():
            self.database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield self.read_version()

    def take_write_turn(self) -> None:
        # Held until commit: writers of every process take turns, never deadlock on the row.
        self.database.execute_sql(f"SELECT version FROM {VERSION_TABLE} FOR UPDATE")

    def insert_rows(self, cursor: Any, into: str, row: str, rows: list[list[Any]]) -> None:
        for start in range(0, len(rows), 1000):  # many rows a statement, few parameters
            part = rows[start : start + 1000]
            cursor.execute(into + ", ".join([row] * len(part)), [v for r in part for v in r])

    def holds_text(self, text: str) -> bool:
        return "\0" not in text

    def close(self) -> None:
        self.database.close_all()
