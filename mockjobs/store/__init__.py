"""The store: every table of one database, SQLite or PostgreSQL, and a repository per resource."""

from __future__ import annotations

from ..vocabulary import MEMORY
from .base import Store, UnstorableValue

__all__ = ["MEMORY", "Store", "UnstorableValue", "is_postgres", "open_store"]

POSTGRES_SCHEMES = ("postgres://", "postgresql://", "postgres+pool://", "postgresql+pool://")


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_SCHEMES)


def open_store(url: str = MEMORY) -> Store:
    """The store of `url`: a PostgreSQL URL, an SQLite file's path, or `:memory:`."""
    if is_postgres(url):
        from .postgres import PostgresStore

        return PostgresStore(url)
    from .sqlite import SqliteStore

    return SqliteStore(url)
