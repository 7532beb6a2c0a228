"""Batches as a client submits, waits for, cancels and retries them (SPEC section 11).

The rules are the domain's (domain.batches, domain.jobs); this module applies them to the
store, each operation in one write, and keeps every batch's summary in step with its jobs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..contract.batches import BATCH_ITEM, DEFAULT_RUNS
from ..contract.control import MAX_FATES
from ..contract.quick import quick_dump
from ..data.devices import device_names
from ..data.sequences import read_sequence
from ..domain.batches import cancel_batch, close, is_final, refuse_jobs, selected
from ..domain.jobs import Refused, cancel, finish_time
from ..queries.batches import BATCH_INDEX, batch_query, id_query, indexed_batches
from ..queries.index_list import ListIndex
from ..queries.pages import PageCache
from ..store.batches import Batches
from ..store.jobs import Jobs
from ..store.records import Record
from ..store.state import Values
from ..store.tables import dump_json
from ..vocabulary import FINAL_STATUSES
from .clock import Clock
from .lifecycle import Lifecycle, refresh

SUBMITTER = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://mockjobs.invalid/user"))  # no accounts
FATES = "fates"  # shared value: how the next submitted jobs end, in order


class NotFound(LookupError):
    """No record has this id; the message says which kind."""


LIST_ITEM = quick_dump(BATCH_ITEM)  # a batch in the list


class Submissions:
    """The batch operations of one mock."""

    def __init__(
        self, jobs: Jobs, batches: Batches, values: Values, clock: Clock, lifecycle: Lifecycle,
        tick: Callable[[], None], *, fast_forward: bool,
    ) -> None:  # fmt: skip
        self.jobs, self.batches, self.values, self.clock = jobs, batches, values, clock
        self.lifecycle, self.tick, self.fast_forward = lifecycle, tick, fast_forward
        store = jobs.store
        self.index = ListIndex(batches, BATCH_INDEX)
        self.pages = PageCache(
            store.reading, store.version, self._ordered, batches.by_rowid,
            lambda batch: dump_json(LIST_ITEM(batch)).encode(), self.index.refresh,
        )  # fmt: skip

    # -- reading ---------------------------------------------------------------------------

    def get(self, batch_id: str) -> Record:
        batch = self.batches.get(batch_id)
        if batch is None:
            raise NotFound(f"Batch {batch_id} not found.")
        return batch

    def status(self, batch_id: str) -> Record:
        """The batch as a poll sees it: in fast-forward mode, a submitted batch's jobs are done
        by then, the clock having moved to when the last one ends."""
        batch = self.get(batch_id)
        if self.fast_forward and batch["submitted"] and not is_final(batch):
            live = [
                j for j in self.jobs.of_batches([batch_id]) if j["status"] not in FINAL_STATUSES
            ]
            now = self.clock.now()
            freed = self.jobs.freed_at([batch_id]).get(batch_id)
            end = finish_time(live, self.clock.start, self.lifecycle.error_rate, freed)
            if end is not None and end > now:
                self.clock.advance((end - now) / timedelta(seconds=1) + 0.001)
            self.tick()
            batch = self.get(batch_id)
        return batch

    def page(self, key: Any, parse: Callable[[], dict[str, Any]]) -> tuple[bytes, str]:
        answer = self.pages.page(key, parse)
        return answer.body(), answer.content_range

    def _ordered(self, params: dict[str, Any], version: int) -> Any:
        """The row ids of the batches `params` selects, newest first: from the index when it
        is of this version, from SQL otherwise."""
        store = self.batches.store
        index = self.index.at(version)
        if index is not None:
            return indexed_batches(index, params, lambda: self.batches.rowids(id_query(store.Batch, params, store.holds_text)))  # fmt: skip
        query = batch_query(store.Batch, params, store.holds_text)
        if params["tag"] is None:
            return self.batches.rowids(query)
        return self.batches.tagged(query, params["tag"])

    # -- writing ---------------------------------------------------------------------------

    def create(self, body: dict[str, Any]) -> Record:
        """A new batch of `body` (contract.batches.BatchCreateSchema), its jobs queued now."""
        now = self.clock.now()
        device_type = body["device_type"] or device_type_of(body["sequence_builder"])
        batch = {
            "id": str(uuid.uuid4()), "parent_id": None, "status": "PENDING",
            "open": body["open"], "device_type": device_type, "project_id": body["project_id"],
            "user_id": SUBMITTER, "created_at": now, "updated_at": now,
            "start_datetime": None, "end_datetime": None,
            "queue_priority": body["queue_priority"], "tags": body["tags"] or [],
            "webhook": body["webhook"], "configuration": body["configuration"],
            "backend_configuration": body["backend_configuration"],
            "sequence_builder": body["sequence_builder"], "jobs_count": 0,
            "jobs_count_per_status": {}, "submitted": True,
        }  # fmt: skip
        with self.jobs.store.writing():
            self.batches.insert([batch])
            self._add(batch, body["jobs"], now)
        return self.get(batch["id"])

    def add_jobs(self, batch_id: str, specs: Sequence[dict[str, Any]]) -> Record:
        """Jobs appended to an open batch (Refused when it is closed)."""
        with self.jobs.store.writing():
            batch = self.get(batch_id)
            refuse_jobs(batch)
            self._add(batch, specs, self.clock.now())
        return self.get(batch_id)

    def _add(self, batch: Record, specs: Sequence[dict[str, Any]], now: datetime, parents: Sequence[str | None] = ()) -> None:  # fmt: skip
        first = self.jobs.last_order(batch["id"]) + 1
        fates = self.take_fates(len(specs)) if batch["submitted"] else []
        records = []
        for index, spec in enumerate(specs):
            runs = spec["runs"] if spec["runs"] is not None else DEFAULT_RUNS
            records.append({
                "id": str(uuid.uuid4()), "parent_id": parents[index] if parents else None,
                "status": "PENDING", "runs": runs, "batch_id": batch["id"],
                "project_id": batch["project_id"], "created_at": now, "updated_at": now,
                "start_timestamp": None, "end_timestamp": None,
                "variables": spec["variables"] or {}, "errors": [], "progress": 0,
                "creation_order": first + index, "slurm_job_id": None,
                "slurm_cluster_name": None, "user_id": batch["user_id"], "origin": "CLIENT",
                "sequence": spec["sequence"], "result": None,
                "submitted": batch["submitted"], "fate": fates[index] if index < len(fates) else None,
            })  # fmt: skip
        self.jobs.insert(records)
        self.batches.set(batch["id"], {"updated_at": max(now, batch["updated_at"])})
        refresh(self.jobs, self.batches, [batch["id"]])

    def close(self, batch_id: str) -> Record:
        with self.jobs.store.writing():
            self.batches.set(batch_id, close(self.get(batch_id), self.clock.now()))
            refresh(self.jobs, self.batches, [batch_id])
        return self.get(batch_id)

    def cancel(self, batch_id: str) -> Record:
        """The batch CANCELED, its unfinished jobs too (Refused when it is final)."""
        with self.jobs.store.writing():
            batch = self.get(batch_id)
            fields, changes = cancel_batch(
                batch, self.jobs.of_batches([batch_id]), self.clock.now()
            )
            self.jobs.update(changes)
            self.batches.set(batch_id, fields)
            refresh(self.jobs, self.batches, [batch_id])
        return self.get(batch_id)

    def cancel_many(self, batch_ids: Iterable[str]) -> tuple[list[Record], dict[str, str]]:
        """Each batch cancelled, or the reason it was not, by id."""
        cancelled, errors = [], {}
        for batch_id in dict.fromkeys(batch_ids):
            try:
                cancelled.append(self.cancel(batch_id))
            except (NotFound, Refused) as refused:
                errors[batch_id] = str(refused)
        return cancelled, errors

    def cancel_jobs(self, batch_id: str, selection: dict[str, Any]) -> tuple[list[Record], dict[str, str]]:  # fmt: skip
        """The selected jobs of a batch cancelled now, or the reason each was not, by id."""
        cancelled, errors = [], {}
        with self.jobs.store.writing():
            self.get(batch_id)
            now = self.clock.now()
            for job in self.jobs.of_batches([batch_id]):
                if not selected(job, selection):
                    continue
                try:
                    fields = cancel(job, now)
                except Refused as refused:
                    errors[job["id"]] = str(refused)
                    continue
                self.jobs.update([(job["id"], job["status"], fields)])
                cancelled.append({**job, **fields})
            refresh(self.jobs, self.batches, [batch_id])
        return cancelled, errors

    def rebatch(self, batch_id: str, selection: dict[str, Any]) -> Record:
        """A new closed batch of copies of the selected jobs (each `parent_id` its original)."""
        now = self.clock.now()
        with self.jobs.store.writing():
            original = self.get(batch_id)
            chosen = [j for j in self.jobs.of_batches([batch_id]) if selected(j, selection)]
            if not chosen:
                raise Refused(
                    f"No job of batch {batch_id} matches the filters: nothing to rebatch."
                )
            batch = {
                **original, "id": str(uuid.uuid4()), "parent_id": batch_id, "status": "PENDING",
                "open": False, "created_at": now, "updated_at": now, "start_datetime": None,
                "end_datetime": None, "jobs_count": 0, "jobs_count_per_status": {},
                "submitted": True,
            }  # fmt: skip
            self.batches.insert([batch])
            specs = [{"runs": j["runs"], "variables": j["variables"], "sequence": j["sequence"]} for j in chosen]  # fmt: skip
            self._add(batch, specs, now, parents=[j["id"] for j in chosen])
        return self.get(batch["id"])

    def set_tags(self, batch_id: str, tags: list[str]) -> Record:
        with self.jobs.store.writing():
            batch = self.get(batch_id)
            self.batches.set(batch_id, {"tags": tags, "updated_at": max(self.clock.now(), batch["updated_at"])})  # fmt: skip
        return self.get(batch_id)

    # -- fates: how the next submitted jobs end ------------------------------------------------

    def decide(self, status: str, count: int, errors: list[str]) -> list[dict[str, Any]]:
        """The next `count` submitted jobs end `status` (ERROR: with `errors`), whatever the
        error rate; after those already decided. Returns every fate pending."""
        with self.jobs.store.writing():
            fates = self.values.get(FATES, [])
            if len(fates) + count > MAX_FATES:
                raise Refused(f"At most {MAX_FATES} fates can be pending ({len(fates)} are).")
            fates += [{"status": status, "errors": errors}] * count
            self.values.set(FATES, fates)
        return fates

    def fates(self) -> list[dict[str, Any]]:
        return self.values.get(FATES, [])

    def forget_fates(self) -> None:
        self.values.set(FATES, [])

    def take_fates(self, count: int) -> list[dict[str, Any]]:
        """The fates of the next `count` jobs (fewer: the rest follow the error rate)."""
        fates = self.values.get(FATES, [])
        if fates:
            self.values.set(FATES, fates[count:])
        return fates[:count]


def device_name(sequence: str | None) -> str | None:
    """The name of the device a Pulser sequence (its abstract representation) is built for."""
    device = (read_sequence(sequence) or {}).get("device")
    if isinstance(device, dict):
        device = device.get("name")
    return device if isinstance(device, str) else None


def device_type_of(sequence: str | None) -> str:
    """The device type a sequence's device names, FRESNEL when it names none known."""
    name = device_name(sequence)
    by_name = {name: kind for kind, name in device_names().items()}
    return by_name.get(name, "FRESNEL")
