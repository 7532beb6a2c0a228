"""A workload's life: queued a moment, run a few seconds, DONE; or cancelled before that."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..vocabulary import FINAL_STATUSES
from .jobs import Record, Refused

QUEUED = timedelta(seconds=1)
RUNNING = timedelta(seconds=2)


def workload_at(workload: Record, now: datetime) -> Record:
    """The workload as it is at `now`: its status and times follow from its creation."""
    if workload["status"] in FINAL_STATUSES:
        return workload
    start, end = workload["created_at"] + QUEUED, workload["created_at"] + QUEUED + RUNNING
    if now < start:
        return workload
    if now < end:
        return {**workload, "status": "RUNNING", "start_timestamp": start, "updated_at": start}
    return {**workload, "status": "DONE", "start_timestamp": start, "end_timestamp": end,
            "updated_at": end}  # fmt: skip


def ends_at(workload: Record) -> datetime:
    return workload["created_at"] + QUEUED + RUNNING


def cancel_workload(workload: Record, now: datetime) -> dict[str, Any]:
    """The fields of a workload cancelled at `now` (as it is then); Refused when it is final."""
    if workload["status"] in FINAL_STATUSES:
        raise Refused(f"Workload {workload['id']} is {workload['status']} already: it cannot be cancelled.")  # fmt: skip
    return {"status": "CANCELED", "start_timestamp": workload["start_timestamp"],
            "end_timestamp": now, "updated_at": now}  # fmt: skip
