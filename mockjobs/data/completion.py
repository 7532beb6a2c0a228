"""Partial records completed: a job's fields a fixture gives kept, the others filled in as
the generator would make them, consistent with the given ones (the status they imply, the
instants in their order, the progress of the status); a batch's from its jobs."""

from __future__ import annotations

from datetime import datetime
from random import Random
from typing import Any

from faker import Faker

from ..domain.batches import summary
from ..domain.jobs import error_messages, seconds
from ..vocabulary import (
    FAILED_STATUSES,
    FINAL_STATUSES,
    LIFE_STEPS,
    RECORD_FIELDS,
    RUNNING_STATUSES,
)
from .generator import DEVICES, NOW, ORIGIN_WEIGHTS, RUNS, RUNS_WEIGHTS, SLURM_FIRST_JOB_ID

STATUS_WEIGHTS = {
    "DONE": 70,
    "ERROR": 10,
    "CANCELED": 5,
    "RUNNING": 7,
    "PENDING": 7,
    "CANCELING": 1,
}


def complete(given: dict[str, Any], fake: Faker) -> dict[str, Any]:
    """A full, consistent record from the fields a fixture gives, the others filled in."""
    rnd = fake.random
    job = dict(given)
    status = job.get("status") or infer_status(job, rnd)
    job["status"] = status
    for key in ("id", "batch_id", "project_id", "user_id"):
        if key not in job:
            job[key] = fake.uuid4()
    job.setdefault("parent_id", None)
    job.setdefault("origin", rnd.choices(tuple(ORIGIN_WEIGHTS), tuple(ORIGIN_WEIGHTS.values()))[0])
    job.setdefault("runs", rnd.choices(RUNS, RUNS_WEIGHTS)[0])
    job.setdefault("variables", {})
    job.setdefault("creation_order", 1)
    job.setdefault("sequence", None)
    job.setdefault("result", None)
    fill_times(job, status, rnd)
    if "progress" not in job:
        job["progress"] = fill_progress(job, status, rnd)
    if "errors" not in job:
        job["errors"] = error_messages(rnd) if status == "ERROR" else []
    emulator = job.get("slurm_cluster_name") or job.get("slurm_job_id") or rnd.random() < 0.5
    started = job["start_timestamp"] is not None
    if "slurm_cluster_name" not in job:
        job["slurm_cluster_name"] = DEVICES["EMU_MPS"] if emulator and started else None
    if "slurm_job_id" not in job:
        slurm_id = SLURM_FIRST_JOB_ID + rnd.randrange(1_000_000)
        job["slurm_job_id"] = str(slurm_id) if emulator and started else None
    return {key: job[key] for key in RECORD_FIELDS}


def infer_status(job: dict[str, Any], rnd: Random) -> str:
    """The status that the given fields imply, else a likely one."""
    if job.get("errors"):
        return "ERROR"
    if job.get("end_timestamp"):
        return "DONE"
    if job.get("start_timestamp"):
        return "RUNNING"
    if "start_timestamp" in job:
        return "PENDING"
    return rnd.choices(tuple(STATUS_WEIGHTS), tuple(STATUS_WEIGHTS.values()))[0]


def fill_times(job: dict[str, Any], status: str, rnd: Random) -> None:
    """Fill the missing timestamps so that created <= start <= end <= updated, as the status needs.

    A missing step falls after the one before it and before any given later step.
    """
    started = status != "PENDING" and not (status == "CANCELED" and rnd.random() < 0.4)
    ended = status in FINAL_STATUSES
    given = [job.get(k) for k in LIFE_STEPS]
    anchor = next((t for t in given if t is not None), None)
    if "created_at" not in job:
        job["created_at"] = (
            anchor - seconds(rnd.uniform(30, 900))
            if anchor
            else NOW - seconds(rnd.uniform(3600, 30 * 86400))
        )
    if "start_timestamp" not in job:
        before = job.get("end_timestamp") or job.get("updated_at")
        job["start_timestamp"] = later(job["created_at"], rnd, 5, 900, before) if started else None
    if "end_timestamp" not in job:
        begin = job["start_timestamp"] or job["created_at"]
        job["end_timestamp"] = later(begin, rnd, 10, 1800, job.get("updated_at")) if ended else None
    if "updated_at" not in job:
        last = max(
            t for t in (job["created_at"], job["start_timestamp"], job["end_timestamp"]) if t
        )
        job["updated_at"] = later(last, rnd, 0, 2)


def later(
    after: datetime, rnd: Random, low: float, high: float, before: datetime | None = None
) -> datetime:
    """A while after `after`, `low` to `high` seconds, but not past `before`."""
    moment = after + seconds(rnd.uniform(low, high))
    if before is not None and moment > before >= after:
        moment = after + (before - after) * rnd.uniform(0.2, 0.8)
    return moment


def fill_progress(job: dict[str, Any], status: str, rnd: Random) -> int:
    if status == "DONE":
        return 100
    if status in RUNNING_STATUSES:
        return rnd.randint(1, 99)
    if status in FAILED_STATUSES and job["start_timestamp"] is not None:
        return rnd.randint(1, 99)
    return 0


BATCH_FIELDS = ("project_id", "user_id", "origin")  # the same for every job of a batch


def complete_batch(given: dict[str, Any], jobs: list[dict[str, Any]], fake: Faker) -> dict[str, Any]:  # fmt: skip
    """A full batch record: the given fields, the others from its jobs or made up; its status,
    counts and times from its jobs."""
    rnd = fake.random
    first = jobs[0] if jobs else {}
    emulator = any(job["slurm_cluster_name"] for job in jobs)
    created = min((job["created_at"] for job in jobs), default=None)
    batch = {
        "id": fake.uuid4(), "parent_id": None, "status": "PENDING", "open": False,
        "device_type": "EMU_MPS" if emulator else "FRESNEL",
        "project_id": first.get("project_id") or fake.uuid4(),
        "user_id": first.get("user_id") or fake.uuid4(),
        "created_at": created or NOW - seconds(rnd.uniform(3600, 30 * 86400)),
        "queue_priority": "MEDIUM", "tags": [], "webhook": None, "configuration": None,
        "backend_configuration": None, "sequence_builder": None, "end_datetime": None,
        **given,
    }  # fmt: skip
    batch.setdefault("updated_at", batch["created_at"])
    if given.get("status") != "CANCELED":
        batch["status"] = "PENDING"  # what the jobs make it
    return {**batch, **summary(batch, jobs)}


def batch_fields(
    batches: list[dict[str, Any]], jobs: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """By batch id, the project, user and origin its batch record gives, else its jobs first."""
    shared: dict[str, dict[str, Any]] = {}
    keyed = [(b["id"], b) for b in batches if "id" in b]
    keyed += [(j["batch_id"], j) for j in jobs if "batch_id" in j]
    for batch_id, record in keyed:
        known = shared.setdefault(batch_id, {})
        for key in BATCH_FIELDS:
            if key in record:
                known.setdefault(key, record[key])
    return shared
