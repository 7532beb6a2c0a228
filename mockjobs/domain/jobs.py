"""A job's life, in one place: how long it waits and runs, how it ends, how it is cancelled.

The generator lays out the data set's past with these rules, fixture completion fills
records in with them, the lifecycle moves live jobs with them, the API cancels with them,
and `inconsistencies` states what every record obeys. Jobs are records: dicts of fields.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random
from typing import Any

from ..errors import Refused
from ..vocabulary import FINAL_STATUSES, LATEST, LIFE_STEPS, RUNNING_STATUSES

Record = Mapping[str, Any]
CANCEL_DELAY = timedelta(seconds=60)  # a cancelled job is CANCELING until its worker stops
LONGEST_RUN = timedelta(days=36500)  # a century: longer runs are capped (runs is any 64-bit int)
ERROR_MESSAGES = (
    "QPU calibration out of tolerance: job aborted",
    "Sequence validation failed: amplitude exceeds the device's maximum of 15.8 rad/us",
    "Register validation failed: atoms closer than the minimal distance of 4 um",
    "Emulation failed: out of memory on the worker node",
    "Job exceeded the maximum run time of 3600 s",
    "Internal error: connection to the worker lost",
    "Slurm job terminated by the cluster (NODE_FAIL)",
    "Invalid variables: missing value for 'omega'",
)


def seconds(value: float) -> timedelta:
    """A duration rounded to whole microseconds."""
    return timedelta(microseconds=round(value * 1_000_000))


@dataclass(frozen=True)
class Pace:
    """How long jobs wait once next in line, and run: set-up plus a time per run."""

    queue: tuple[float, float]  # seconds, from .. to
    per_run: float  # seconds
    setup: tuple[float, float]  # seconds, from .. to
    longest: timedelta


# The data set's jobs, at a busy QPU's pace; jobs submitted through the API, at a pace a
# person can watch on the dashboard and `create_batch(..., wait=True)` waits seconds for.
DATA_PACE = Pace((5, 60), 0.3, (2, 20), LONGEST_RUN)
SUBMITTED_PACE = Pace((0.2, 0.6), 0.001, (0.3, 1.0), timedelta(seconds=5))


def pace_of(job: Record) -> Pace:
    return SUBMITTED_PACE if job.get("submitted") else DATA_PACE


def run_time(job_id: str, runs: int, pace: Pace = DATA_PACE) -> timedelta:
    """How long a job runs once started: set-up plus about `per_run` a run, the same for the same job.

    The generator lays out past runs with it and the lifecycle runs live jobs with it, so a
    job that was running when the data set was made ends when its schedule said it would.
    """
    spread = zlib.crc32(job_id.encode())  # cheap, and the same everywhere
    speed, setup = (spread & 0xFFFF) / 0x10000, (spread >> 16) / 0x10000
    low, high = pace.setup
    estimate = max(runs, 0) * pace.per_run * (0.8 + 0.5 * speed) + low + (high - low) * setup
    return min(seconds(min(estimate, pace.longest.total_seconds())), pace.longest)


def queue_time(job_id: str, pace: Pace = DATA_PACE) -> timedelta:
    """How long a job waits once it is next in line, the same for the same job."""
    return seconds(Random(f"queue-{job_id}").uniform(*pace.queue))


def error_messages(rnd: Random) -> list[str]:
    count = 1 if rnd.random() < 0.85 else 2
    return rnd.sample(ERROR_MESSAGES, count)


def progress_at(start: datetime, end: datetime, at: datetime) -> int:
    """Per cent done at `at` of a run from `start` to `end`, kept within 1..99."""
    done = (at - start) / (end - start) if end > start else 0
    return min(99, max(1, int(done * 100)))


@dataclass(frozen=True)
class Run:
    """How a started job's run goes: its length, and when it fails (None: it ends DONE)."""

    duration: timedelta
    fails_after: timedelta | None
    rnd: Random
    errors: tuple[str, ...] = ()  # the messages it fails with (none given: drawn from rnd)

    @classmethod
    def of(cls, job: Record, error_rate: float) -> Run:
        """The job's run: its fate if the control API decided one, else the error rate's draw."""
        duration = run_time(job["id"], job["runs"], pace_of(job))
        rnd = Random(f"outcome-{job['id']}")
        fate = job.get("fate")
        fails = rnd.random() < error_rate
        if fate is not None:
            fails = fate["status"] == "ERROR"
        errors = tuple(fate.get("errors") or ()) if fate else ()
        return cls(duration, duration * rnd.uniform(0.1, 0.9) if fails else None, rnd, errors)

    def end(self, start: datetime) -> datetime:
        return start + (self.fails_after if self.fails_after is not None else self.duration)

    def progress(self, start: datetime, now: datetime) -> int:
        """Per cent done at `now` while it runs."""
        return progress_at(start, start + self.duration, now)

    def ending(self, start: datetime) -> dict[str, Any]:
        """The fields of the job once the run is over: DONE, or ERROR with its messages."""
        end = self.end(start)
        if self.fails_after is None:
            return {"status": "DONE", "progress": 100, "end_timestamp": end, "updated_at": end}
        return {
            "status": "ERROR",
            "progress": int(self.fails_after / self.duration * 100),
            "errors": list(self.errors) or error_messages(self.rnd),
            "end_timestamp": end,
            "updated_at": end,
        }


def cancel(job: Record, now: datetime) -> dict[str, Any]:
    """The fields of a job cancelled at `now`: CANCELED at once; Refused when it is final."""
    if job["status"] in FINAL_STATUSES:
        raise Refused(f"Job {job['id']} is {job['status']} already: it cannot be cancelled.")
    now = max(now, job["updated_at"], job["start_timestamp"] or job["created_at"])
    return {"status": "CANCELED", "end_timestamp": now, "updated_at": now}


Change = tuple[str, str, dict[str, Any]]  # job id, the status it has, the fields it gets


def advance_batch(
    jobs: Iterable[Record],
    now: datetime,
    since: datetime,
    error_rate: float,
    free_at: datetime | None = None,
) -> tuple[list[Change], datetime | None]:
    """The live jobs of one batch, in creation order, brought to `now`.

    A batch runs its jobs one after the other: a PENDING job starts a queue time after the
    device is free (and not before `since`, when the lifecycle began); a RUNNING one ends
    when its run is over; a CANCELING one is CANCELED `CANCEL_DELAY` after the cancellation.
    `free_at`: when the batch's last job to end left the device (None: none has ended).
    Returns the status changes, and when the batch's next change is due (None: never).
    """
    changes: list[Change] = []
    for job in jobs:
        status, fields = job["status"], {}
        updated_at, start = job["updated_at"], job["start_timestamp"]
        if status == "CANCELING":
            stopped = updated_at + CANCEL_DELAY
            if stopped > now:
                return changes, stopped
            fields = {"status": "CANCELED", "end_timestamp": stopped, "updated_at": stopped}
            free_at = stopped
        elif status in ("PENDING", "RUNNING"):
            if status == "PENDING":
                start = max(updated_at, free_at or since, since) + queue_time(
                    job["id"], pace_of(job)
                )
                if start > now:
                    return changes, start
                fields = {"status": "RUNNING", "start_timestamp": start, "updated_at": start,
                          "progress": 1}  # fmt: skip
            run = Run.of(job, error_rate)
            end = run.end(start)
            if end > now:
                if fields:
                    changes.append((job["id"], status, fields))
                return changes, end  # the device is busy: the next jobs wait
            fields |= run.ending(start)
            free_at = end
        if fields:
            changes.append((job["id"], status, fields))
    return changes, None


def finish_time(
    jobs: Iterable[Record], since: datetime, error_rate: float, free_at: datetime | None
) -> datetime | None:
    """When the last of one batch's live jobs (in creation order) will have ended (None: none)."""
    changes, _ = advance_batch(jobs, LATEST - LONGEST_RUN * 3, since, error_rate, free_at)
    ends = [fields["end_timestamp"] for _, _, fields in changes if "end_timestamp" in fields]
    return max(ends, default=None)


def inconsistencies(job: Record) -> list[tuple[str, str]]:
    """What in a record contradicts the rules every job obeys (SPEC section 6), by field.

    `[(field, why), ...]`, `[]` for a consistent record.
    """
    status, start, end, progress = (
        job["status"], job["start_timestamp"], job["end_timestamp"], job["progress"],
    )  # fmt: skip
    problems = []
    latest = None
    for name in LIFE_STEPS:
        if job[name] is not None:
            if latest is not None and job[name] < latest:
                problems.append((name, "before an earlier step: created_at <= start_timestamp <= end_timestamp <= updated_at"))  # fmt: skip
                break
            latest = job[name]
    if status == "PENDING":
        if start is not None or end is not None:
            problems.append(("start_timestamp" if start else "end_timestamp", "a PENDING job has not started"))  # fmt: skip
        if progress != 0:
            problems.append(("progress", "a PENDING job has progress 0"))
    if status in RUNNING_STATUSES:
        if start is None:
            problems.append(("start_timestamp", f"a {status} job has started"))
        if end is not None:
            problems.append(("end_timestamp", f"a {status} job has not ended"))
        if not 1 <= progress <= 99:
            problems.append(("progress", f"a {status} job has progress 1 to 99"))
    if status in FINAL_STATUSES and end is None:
        problems.append(("end_timestamp", f"a {status} job has ended"))
    if status == "DONE":
        if start is None:
            problems.append(("start_timestamp", "a DONE job has started"))
        if progress != 100:
            problems.append(("progress", "a DONE job has progress 100"))
        if job["errors"]:
            problems.append(("errors", "a DONE job has no errors"))
    if status == "ERROR" and not job["errors"]:
        problems.append(("errors", "an ERROR job has at least one error"))
    if job["slurm_job_id"] is not None and not (start is not None and job["slurm_cluster_name"]):
        problems.append(("slurm_job_id", "a job with a slurm id has started on a slurm cluster"))
    return problems
