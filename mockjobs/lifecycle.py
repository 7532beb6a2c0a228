"""Jobs that live: with lifecycle on, queued jobs start, running ones progress and finish.

A batch runs its jobs one after the other, as the generator lays them out. A PENDING job
starts a little while after it is next in line; a RUNNING job takes a time that grows with
its runs and ends DONE, or ERROR at the configured rate; a CANCELING one is CANCELED a
minute after the cancellation. Everything follows from the jobs and the clock, so a jump of the clock lands where
waiting would have.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import groupby
from random import Random

from .db import Store
from .generator import CANCEL_DELAY, error_messages, run_time, seconds
from .models import Job


def queue_time(job: Job) -> timedelta:
    """How long a job waits once it is next in line: 5 to 60 s, the same for the same job."""
    return seconds(Random(f"queue-{job.id}").uniform(5, 60))


def advance(store: Store, now: datetime, since: datetime, error_rate: float) -> int:
    """Bring every live job to where it is at `now`, lifecycle running from `since`.

    Returns how many jobs changed.
    """
    changed = [job for _, batch in groupby(store.live(), key=lambda j: j.batch_id)
               for job in run_batch(batch, now, since, error_rate)]  # fmt: skip
    if changed:
        store.save(changed)
    return len(changed)


def run_batch(jobs: Iterable[Job], now: datetime, since: datetime, error_rate: float) -> list[Job]:
    """The live jobs of one batch, in creation order, moved forward; those that changed."""
    changed = []
    free_at: datetime | None = None  # when the previous job of the batch left the device
    for job in jobs:
        before = (job.status, job.progress, job.updated_at)
        if job.status == "CANCELING":
            if job.updated_at + CANCEL_DELAY > now:
                break
            job.status = "CANCELED"
            job.end_timestamp = job.updated_at = job.updated_at + CANCEL_DELAY
            free_at = job.end_timestamp
        if job.status == "PENDING":
            start = max(job.updated_at, free_at or since, since) + queue_time(job)
            if start > now:
                break
            job.status, job.start_timestamp, job.updated_at, job.progress = (
                "RUNNING",
                start,
                start,
                0,
            )
        if job.status == "RUNNING":
            free_at = finish(job, now, error_rate)
        if (job.status, job.progress, job.updated_at) != before:
            changed.append(job)
        if job.status == "RUNNING":
            break  # the device is busy: the next jobs wait
    return changed


def finish(job: Job, now: datetime, error_rate: float) -> datetime | None:
    """Progress a RUNNING job to `now`, or end it; when it ended (None: still running)."""
    start = job.start_timestamp
    assert start is not None
    duration = run_time(job.id, job.runs)
    rnd = Random(f"outcome-{job.id}")
    fails_at = duration * rnd.uniform(0.1, 0.9) if rnd.random() < error_rate else None
    end = start + (fails_at or duration)
    if end > now:
        job.progress = min(99, max(1, int((now - start) / duration * 100)))
        job.updated_at = max(job.updated_at, now)
        return None
    job.end_timestamp = job.updated_at = end
    if fails_at is None:
        job.status, job.progress = "DONE", 100
    else:
        job.status, job.progress, job.errors = (
            "ERROR",
            int(fails_at / duration * 100),
            error_messages(rnd),
        )
    return end
