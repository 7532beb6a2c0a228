"""The jobs of a store: operations on them, never model objects to save."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import peewee

from ..vocabulary import LIVE_STATUSES, RECORD_FIELDS, RESPONSE_FIELDS
from .base import Store
from .records import Record, Records


class Jobs(Records):
    """The job table of `store`: records in and out as dicts of the record's fields."""

    fields = RECORD_FIELDS
    extra: ClassVar[dict[str, Any]] = {"submitted": False, "fate": None}
    shown = (*RESPONSE_FIELDS, "submitted")  # in the list (a submitted job lives)

    def __init__(self, store: Store) -> None:
        super().__init__(store, store.Job)

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

    def live(self, *, submitted_only: bool = False) -> list[Record]:
        """The jobs not in a final state (only those submitted through the API: `submitted_only`),
        a batch's in creation order."""
        model = self.model
        where = model.status.in_(LIVE_STATUSES)
        if submitted_only:
            where &= model.submitted == True  # noqa: E712  (peewee's SQL, not Python's)
        with self.store.session():  # sorted here: ORDER BY made SQLite scan the batch index
            found = list(model.select().where(where).dicts())
        return sorted(found, key=lambda job: (job["batch_id"], job["creation_order"], job["id"]))

    def of_batches(self, batch_ids: Sequence[str]) -> list[Record]:
        """Every job of these batches, a batch's in creation order."""
        model, found = self.model, []
        with self.store.session():
            for start in range(0, len(batch_ids), 500):
                part = list(batch_ids[start : start + 500])
                query = model.select().where(model.batch_id.in_(part))
                found.extend(query.order_by(model.batch_id, model.creation_order, model.id).dicts())
        return found

    def statuses_of(self, batch_ids: Iterable[str]) -> dict[str, list[Record]]:
        """By batch, its jobs' status and timestamps (what a batch's summary needs)."""
        model, found = self.model, {}
        batch_ids = list(batch_ids)
        columns = (model.batch_id, model.status, model.start_timestamp, model.end_timestamp,
                   model.updated_at)  # fmt: skip
        with self.store.session():
            for start in range(0, len(batch_ids), 500):
                part = batch_ids[start : start + 500]
                for row in model.select(*columns).where(model.batch_id.in_(part)).dicts():
                    found.setdefault(row["batch_id"], []).append(row)
        return found

    def freed_at(self, batch_ids: Iterable[str]) -> dict[str, Any]:
        """By batch, when its last job to end ended (batches none of whose jobs ended: absent)."""
        model, found = self.model, {}
        batch_ids = list(batch_ids)
        with self.store.session():
            for start in range(0, len(batch_ids), 500):
                query = (
                    model.select(model.batch_id, peewee.fn.MAX(model.end_timestamp))
                    .where(model.batch_id.in_(batch_ids[start : start + 500]),
                           model.end_timestamp.is_null(False))
                    .group_by(model.batch_id)
                )  # fmt: skip
                found.update(query.tuples())  # MAX of the field: converted by it
        return found

    def last_order(self, batch_id: str) -> int:
        """The highest creation order in the batch (0: none)."""
        model = self.model
        with self.store.session():
            query = model.select(peewee.fn.MAX(model.creation_order)).where(
                model.batch_id == batch_id
            )
            return query.scalar() or 0
