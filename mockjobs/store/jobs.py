"""The jobs of a store: operations on them, never model objects to save."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

import peewee
from peewee import __exception_wrapper__ as driver_errors  # driver exceptions as peewee's

from ..vocabulary import LIVE_STATUSES, RECORD_FIELDS, RESPONSE_FIELDS
from .base import Store, UnstorableValue
from .tables import JSONField, TimestampField

Record = dict[str, Any]


class Jobs:
    """The job table of `store`: records in and out as dicts of the record's fields."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.model = store.Job

    def count(self) -> int:
        with self.store.session():
            return self.model.select().count()

    def get(self, job_id: str) -> Record | None:
        if not self.store.holds_text(job_id):
            return None
        with self.store.session():
            return self.model.select().where(self.model.id == job_id).dicts().get_or_none()

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` that are stored already."""
        ids = [i for i in ids if self.store.holds_text(i)]
        found: set[str] = set()
        with self.store.session():
            for start in range(0, len(ids), 500):
                query = self.model.select(self.model.id).where(
                    self.model.id.in_(ids[start : start + 500])
                )
                found.update(job_id for (job_id,) in query.tuples())
        return found

    def live(self) -> list[Record]:
        """The jobs not in a final state, a batch's in creation order."""
        model = self.model
        with self.store.session():
            query = model.select().where(model.status.in_(LIVE_STATUSES))
            return list(query.order_by(model.batch_id, model.creation_order, model.id).dicts())

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
        fields = [self.model._meta.fields[name] for name in RECORD_FIELDS]
        # Only timestamps and JSON need converting: the other values are stored as they are.
        convert = [
            f.db_value if isinstance(f, TimestampField | JSONField) else None for f in fields
        ]
        texts = [f.name for f in fields if type(f) is peewee.TextField]
        names = [f.name for f in fields]
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
                        value if to is None else to(value)
                        for to, value in zip(convert, map(r.__getitem__, names), strict=True)
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
                if not holds(record[name] or ""):
                    raise UnstorableValue(f"{self.store.name} cannot store the character U+0000", index, name)  # fmt: skip

    def update(self, changes: Sequence[tuple[str, str, Record]]) -> int:
        """Apply `(job_id, status it must still have, fields)` changes in one write.

        A job whose status is no longer the expected one (another process moved it) is left
        as it is; returns how many jobs changed.
        """
        model, changed = self.model, 0
        with self.store.writing():
            for job_id, expected, fields in changes:
                query = model.update(fields).where(model.id == job_id, model.status == expected)
                changed += query.execute()
        return changed

    def clear(self) -> None:
        with self.store.writing():
            self.store.clear_table(self.model._meta.table_name)

    # -- what the list's page cache needs --------------------------------------------------

    def rowids(self, query: peewee.Select | None) -> array:
        """The row ids of a query's jobs, in its order (None: no job)."""
        found = array("q")
        if query is not None:
            sql, values = query.select(peewee.SQL("rowid")).sql()
            with self.store.session():
                found.extend(row[0] for row in self.store.database.execute_sql(sql, values))
        return found

    def by_rowid(self, rowids: Sequence[int]) -> dict[int, Record]:
        """The list's fields of the jobs of these row ids (not their sequence or result)."""
        model = self.model
        shown = [model._meta.fields[name] for name in RESPONSE_FIELDS]
        query = model.select(peewee.SQL("rowid").alias("_rowid"), *shown)
        found: dict[int, Record] = {}
        with self.store.session():
            for start in range(0, len(rowids), 500):
                part = query.where(peewee.SQL("rowid").in_(list(rowids[start : start + 500])))
                found.update((row.pop("_rowid"), row) for row in part.dicts())
        return found
