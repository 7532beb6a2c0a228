"""Workloads: created, read (their life follows the clock), cancelled."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from ..domain.workloads import cancel_workload, ends_at, workload_at
from ..store.batches import Workloads
from ..store.records import Record
from .batches import SUBMITTER, NotFound
from .clock import Clock


class WorkloadBook:
    def __init__(self, records: Workloads, clock: Clock, *, fast_forward: bool) -> None:
        self.records, self.clock, self.fast_forward = records, clock, fast_forward

    def create(self, body: dict[str, Any]) -> Record:
        now = self.clock.now()
        workload = {
            "id": str(uuid.uuid4()), "project_id": body["project_id"], "user_id": SUBMITTER,
            "status": "PENDING", "backend": body["backend"],
            "workload_type": body["workload_type"], "config": body["config"],
            "created_at": now, "updated_at": now, "start_timestamp": None,
            "end_timestamp": None, "errors": [],
        }  # fmt: skip
        self.records.insert([workload])
        return workload

    def get(self, workload_id: str) -> Record:
        """The workload now; in fast-forward mode, done by the time it is asked for."""
        workload = self.records.get(workload_id)
        if workload is None:
            raise NotFound(f"Workload {workload_id} not found.")
        now = self.clock.now()
        if self.fast_forward and workload["status"] == "PENDING" and ends_at(workload) > now:
            now = self.clock.advance((ends_at(workload) - now) / timedelta(seconds=1) + 0.001)
        return workload_at(workload, now)

    def cancel(self, workload_id: str) -> Record:
        with self.records.store.writing():
            workload = self.get(workload_id)
            fields = cancel_workload(workload, self.clock.now())
            self.records.set(workload_id, fields)
        return {**workload, **fields}
