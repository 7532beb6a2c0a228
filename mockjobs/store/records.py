"""A table of records: dicts of fields in and out, written in bulk, listed by row id.

Jobs, batches and workloads are each a `Records` of their table; none hands out model
objects to save, so that every write goes through one of these operations.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any, ClassVar

import peewee
from peewee import __exception_wrapper__ as driver_errors  # driver exceptions as peewee's

from .base import Store, UnstorableValue
from .tables import JSONField, TimestampField

Record = dict[str, Any]
Change = tuple[str, str, Record]  # a record's id, the status it must still have, its new fields


class Records:
    """The records of one table of `store`."""

    fields: ClassVar[tuple[str, ...]]  # a record's fields, in order
    extra: ClassVar[dict[str, Any]] = {}  # stored beside a record, with their defaults
    shown: ClassVar[tuple[str, ...]] = ()  # a list item's fields (by_rowid)

    def __init__(self, store: Store, model: type[peewee.Model]) -> None:
        self.store, self.model = store, model

    def count(self) -> int:
        with self.store.session():
            return self.model.select().count()

    def get(self, record_id: str) -> Record | None:
        if not self.store.holds_text(record_id):
            return None
        with self.store.session():
            query = self.model.select().where(self.model.id == record_id)
            return query.dicts().get_or_none()

    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        """The records of these ids that exist, by id."""
        ids = [i for i in ids if self.store.holds_text(i)]
        found: dict[str, Record] = {}
        with self.store.session():
            for start in range(0, len(ids), 500):
                query = self.model.select().where(self.model.id.in_(ids[start : start + 500]))
                found.update((row["id"], row) for row in query.dicts())
        return found

    def insert(
        self,
        records: Iterable[Record],
        *,
        chunk_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Insert complete records in bulk, all or none; returns how many.

        An UnstorableValue names the first record holding what the database cannot store.
        """
        names = [*self.fields, *self.extra]
        fields = [self.model._meta.fields[name] for name in names]
        # Only timestamps and JSON need converting: the other values are stored as they are.
        convert = [
            f.db_value if isinstance(f, TimestampField | JSONField) else None for f in fields
        ]
        defaults = [self.extra.get(name) for name in names]
        texts = [f.name for f in fields if type(f) is peewee.TextField]
        columns = ", ".join(f'"{f.column_name}"' for f in fields)
        row = "(" + ", ".join(self.store.database.param for _ in fields) + ")"
        into = f'INSERT INTO "{self.model._meta.table_name}" ({columns}) VALUES '
        total = 0
        records = iter(records)
        with self.store.writing(), driver_errors:
            cursor = self.store.database.cursor()
            while chunk := list(islice(records, chunk_size)):
                self._refuse_unstorable(chunk, texts, total)
                rows = [
                    [
                        (value if to is None else to(value))
                        for to, value in zip(
                            convert,
                            (r.get(n, d) for n, d in zip(names, defaults, strict=True)),
                            strict=True,
                        )
                    ]
                    for r in chunk
                ]
                self.store.insert_rows(cursor, into, row, rows)
                total += len(chunk)
                if progress:
                    progress(len(chunk))
        return total

    def _refuse_unstorable(self, chunk: list[Record], texts: list[str], first: int) -> None:
        holds = self.store.holds_text
        if holds("\0"):
            return
        for index, record in enumerate(chunk, first):
            for name in texts:
                if not holds(record.get(name) or ""):
                    raise UnstorableValue(f"{self.store.name} cannot store the character U+0000", index, name)  # fmt: skip

    def update(self, changes: Sequence[Change]) -> int:
        """Apply `(id, status it must still have, fields)` changes in one write.

        A record whose status is no longer the expected one (another process moved it) is
        left as it is; returns how many changed.
        """
        model, changed = self.model, 0
        with self.store.writing():
            for record_id, expected, fields in changes:
                query = model.update(fields).where(model.id == record_id, model.status == expected)
                changed += query.execute()
        return changed

    def set(self, record_id: str, fields: Record) -> int:
        """Set fields of one record, whatever its status."""
        with self.store.writing():
            return self.model.update(fields).where(self.model.id == record_id).execute()

    def clear(self) -> None:
        with self.store.writing():
            self.store.clear_table(self.model._meta.table_name)

    # -- what a list's page cache needs ----------------------------------------------------

    def rowids(self, query: peewee.Select | None) -> array:
        """The row ids of a query's records, in its order (None: none)."""
        found = array("q")
        if query is not None:
            sql, values = query.select(peewee.SQL("rowid")).sql()
            with self.store.session():
                found.extend(row[0] for row in self.store.database.execute_sql(sql, values))
        return found

    def by_rowid(self, rowids: Sequence[int]) -> dict[int, Record]:
        """The list's fields (`shown`) of the records of these row ids.

        Written out, not built by peewee: a first-time page reads a hundred records, and
        peewee's query building and row dicts cost more than the reading (each column still
        goes through its field's `python_value`, as peewee's would).
        """
        fields = [self.model._meta.fields[name] for name in self.shown]
        converters = [(field.name, field.python_value) for field in fields]
        columns = ", ".join(f'"{field.column_name}"' for field in fields)
        with self.store.session():
            rows = self.columns_by_rowid(columns, rowids)
        return {
            rowid: {name: convert(v) for (name, convert), v in zip(converters, values, strict=True)}
            for rowid, *values in rows
        }

    def columns_by_rowid(self, columns: str, rowids: Sequence[int]) -> list[tuple[Any, ...]]:
        """Each row's row id and `columns` (SQL), as stored, in row id order; 500 a statement."""
        database, table = self.store.database, self.model._meta.table_name
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(rowids), 500):
            part = list(rowids[start : start + 500])
            places = ", ".join([database.param] * len(part))
            sql = f'SELECT rowid, {columns} FROM "{table}" WHERE rowid IN ({places}) ORDER BY rowid'
            found += database.execute_sql(sql, part).fetchall()
        return found
