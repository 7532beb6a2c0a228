"""A batch's life, in one place (SPEC section 11): its status from its jobs, closing,
cancelling, and which of its jobs a selection takes.

A batch groups jobs that run one after another on one device, `creation_order` 1..n in the
order they were added, sharing its project and user. Its status, counts and times are a
summary of its jobs (`summary`), recomputed whenever they change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..vocabulary import FINAL_STATUSES, STATUSES
from .jobs import Record, Refused, cancel

FINAL_BATCH_STATUSES = ("DONE", "ERROR", "CANCELED", "TIMED_OUT")


def batch_status(counts: Mapping[str, int], is_open: bool, status: str) -> str:
    """The status of a batch whose jobs are counted by status, open or not, now `status`.

    CANCELED once cancelled; RUNNING while a job runs, or while some have ended and others
    wait, or while an open batch's jobs are all final; else, every job final and the batch
    closed, DONE (ERROR when every one ended ERROR); PENDING while none has started or ended.
    """
    if status == "CANCELED":
        return "CANCELED"
    total = sum(counts.values())
    ended = sum(counts.get(s, 0) for s in FINAL_STATUSES)
    if counts.get("RUNNING", 0) or counts.get("CANCELING", 0):
        return "RUNNING"
    if ended == total:
        if is_open:
            return "RUNNING" if total else "PENDING"
        return "ERROR" if total and counts.get("ERROR", 0) == total else "DONE"
    return "RUNNING" if ended else "PENDING"


def summary(batch: Record, jobs: Iterable[Record]) -> dict[str, Any]:
    """The fields of `batch` that follow from its jobs: status, counts, start, end, update."""
    counts = dict.fromkeys(STATUSES, 0)
    starts, ends, updates = [], [], [batch["updated_at"]]
    for job in jobs:
        counts[job["status"]] += 1
        if job["start_timestamp"] is not None:
            starts.append(job["start_timestamp"])
        if job["end_timestamp"] is not None:
            ends.append(job["end_timestamp"])
        updates.append(job["updated_at"])
    status = batch_status(counts, batch["open"], batch["status"])
    end = None
    if status in FINAL_BATCH_STATUSES:
        end = max(ends) if ends else batch["end_datetime"] or batch["updated_at"]
    return {
        "status": status,
        "jobs_count": sum(counts.values()),
        "jobs_count_per_status": counts,
        "start_datetime": min(starts) if starts else None,
        "end_datetime": end,
        "updated_at": max(updates),
    }


def is_final(batch: Record) -> bool:
    return batch["status"] in FINAL_BATCH_STATUSES


def refuse_jobs(batch: Record) -> None:
    """Refused unless the batch takes more jobs: it must be open."""
    if not batch["open"]:
        raise Refused(f"Batch {batch['id']} is closed: it takes no more jobs.")


def close(batch: Record, now: datetime) -> dict[str, Any]:
    """The fields of a batch closed at `now`; Refused when it is closed already."""
    if not batch["open"]:
        raise Refused(f"Batch {batch['id']} is closed already.")
    return {"open": False, "updated_at": max(now, batch["updated_at"])}


def cancel_batch(
    batch: Record, jobs: Iterable[Record], now: datetime
) -> tuple[dict[str, Any], list[tuple[str, str, dict[str, Any]]]]:
    """A batch cancelled at `now`: its fields, and its unfinished jobs' changes (CANCELED).

    Refused when the batch is final already.
    """
    if is_final(batch):
        raise Refused(f"Batch {batch['id']} is {batch['status']} already: it cannot be cancelled.")
    now = max(now, batch["updated_at"])
    changes = [
        (job["id"], job["status"], cancel(job, now))
        for job in jobs
        if job["status"] not in FINAL_STATUSES
    ]
    fields = {"status": "CANCELED", "open": False, "updated_at": now, "end_datetime": now}
    return fields, changes


def selected(job: Record, selection: Mapping[str, Any]) -> bool:
    """Whether a job passes every filter of a selection (contract.batches.JobSelectionSchema):
    ids, statuses, runs bounds, and its creation between `start_date` and `end_date`."""
    if selection.get("id") and job["id"] not in selection["id"]:
        return False
    if selection.get("status") and job["status"] not in selection["status"]:
        return False
    if selection.get("min_runs") is not None and job["runs"] < selection["min_runs"]:
        return False
    if selection.get("max_runs") is not None and job["runs"] > selection["max_runs"]:
        return False
    if selection.get("start_date") is not None and job["created_at"] < selection["start_date"]:
        return False
    return selection.get("end_date") is None or job["created_at"] <= selection["end_date"]
