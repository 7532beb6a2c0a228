"""The batches and the workloads of a store."""

from __future__ import annotations

from array import array
from typing import Any, ClassVar

import peewee

from ..vocabulary import BATCH_FIELDS, BATCH_RECORD_FIELDS, WORKLOAD_FIELDS
from .base import Store
from .records import Records


class Batches(Records):
    fields = BATCH_RECORD_FIELDS
    extra: ClassVar[dict[str, Any]] = {"submitted": False}
    shown = tuple(name for name in BATCH_RECORD_FIELDS if name in BATCH_FIELDS)

    def __init__(self, store: Store) -> None:
        super().__init__(store, store.Batch)

    def tagged(self, query: peewee.Select | None, tag: str) -> array:
        """The row ids of a query's batches that have `tag`, in its order."""
        found = array("q")
        if query is not None:
            with self.store.session():
                rows = query.select(peewee.SQL("rowid"), self.model.tags).tuples()
                found.extend(rowid for rowid, tags in rows if tag in tags)
        return found

    def projects(self) -> list[str]:
        """The ids of the projects that have batches, in order."""
        model = self.model
        with self.store.session():
            query = model.select(model.project_id).distinct().order_by(model.project_id)
            return [project_id for (project_id,) in query.tuples()]


class Workloads(Records):
    fields = WORKLOAD_FIELDS

    def __init__(self, store: Store) -> None:
        super().__init__(store, store.Workload)
