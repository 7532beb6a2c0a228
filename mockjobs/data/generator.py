"""Deterministic generation of realistic, consistent jobs with a seeded Faker instance.

Jobs come in batches. A batch is queued at its creation, then runs its jobs one after
the other on one device; whether a job is PENDING, RUNNING, DONE, ERROR, CANCELED or
CANCELING follows from that schedule and the fixed instant `NOW` at which the data set
is looked at. Timestamps are laid out from fixed instants, never from today's date, so
that a job count and a seed give the same jobs on every machine and every day.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

from faker import Faker

from ..domain.batches import summary
from ..domain.jobs import CANCEL_DELAY, error_messages, progress_at, run_time, seconds
from ..vocabulary import (
    DEFAULT_RANDOM_SEED,
    FAILED_STATUSES,
    FINAL_STATUSES,
    QUEUE_PRIORITIES,
    RECORD_FIELDS,
)

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)  # the instant generated data is looked at

# Devices, and the slurm cluster of the emulators (None: a QPU).
DEVICES = {
    "FRESNEL": None,
    "EMU_MPS": "emu-mps-gpu",
    "EMU_SV": "emu-sv-cpu",
    "EMU_FREE": "emu-free-cpu",
}
DEVICE_WEIGHTS = (40, 25, 20, 15)
ORIGIN_WEIGHTS = {"CLIENT": 60, "AZURE": 15, "OVH": 15, "UNKNOWN": 10}
RUNS = (50, 100, 200, 250, 500, 1000)
RUNS_WEIGHTS = (10, 35, 20, 10, 15, 10)
SLURM_FIRST_JOB_ID = 4_180_000


def variables(rnd: Random, names: tuple[str, ...]) -> dict[str, Any]:
    """Values for a batch's variables, as a parametrized pulse sequence would use them."""
    values: dict[str, Any] = {}
    for name in names:
        if name == "duration":
            values[name] = rnd.randrange(100, 4001, 100)
        elif name == "amplitudes":
            values[name] = [round(rnd.uniform(0.5, 12.0), 3) for _ in range(rnd.randint(2, 4))]
        else:
            values[name] = round(rnd.uniform(0.5, 12.0), 3)
    return values


VARIABLE_SETS = ((), ("omega",), ("omega", "delta"), ("duration", "omega"), ("amplitudes",))


@dataclass
class Batch:
    """What the jobs of one batch share."""

    id: str
    project_id: str
    user_id: str
    origin: str
    device: str
    variable_names: tuple[str, ...]
    runs: int
    created_at: datetime
    error_rate: float
    cancel_at: datetime | None
    role: str = ""  # a live batch at NOW: "queued", "running" or "cancelling"
    parent_id: str | None = None  # the failed batch it retries


class Generator:
    """Jobs for one job count and seed; `jobs()` yields them oldest batch first."""

    def __init__(self, count: int, random_seed: int = DEFAULT_RANDOM_SEED) -> None:
        self.count = count
        self.fake = Faker()
        self.fake.seed_instance(random_seed)
        self.rnd = self.fake.random
        self.uuid4 = self.fake.uuid4  # looked up once: Faker's proxy costs more than the uuid
        self.span = timedelta(days=min(365, max(7, count / 20)))
        # The newest jobs (2 %, from 5 to 200) are in batches still at work at NOW.
        self.live = min(count, max(5, min(200, count // 50)))
        projects = [self.uuid4() for _ in range(min(40, 3 + count // 200))]
        users = [self.uuid4() for _ in range(min(200, 5 + count // 100))]
        self.memberships = {
            user: self.rnd.sample(projects, min(len(projects), 1 + (self.rnd.random() < 0.3)))
            for user in users
        }
        self.users = users
        self.user_weights = [1 / (rank + 1) for rank in range(len(users))]
        self.failed: deque[tuple[Batch, list[dict[str, Any]]]] = deque(maxlen=100)
        self.next_slurm_id = SLURM_FIRST_JOB_ID
        self.batches: deque[dict[str, Any]] = deque()  # the records of the batches made, to take

    def jobs(self) -> Iterator[dict[str, Any]]:
        made = live = 0
        while made < self.count:
            batch, retried = self.new_batch(made)
            old = self.count - self.live
            # Old batches stop at the live ones, which are small enough to be several.
            if made < old:
                size = min(len(retried) or self.batch_size(), old - made)
            else:
                size = max(1, self.live // 3)
                if self.count - made - size < 2:  # the last one cancels a queued job too
                    size = self.count - made
            if made + size == self.count:
                batch.role = "cancelling"
            elif made >= old:
                batch.role = ("queued", "running")[live % 2]
                live += 1
            if batch.role:
                batch.created_at = NOW - seconds(self.rnd.uniform(60, 2400))
                batch.cancel_at, batch.error_rate = None, 0.0
            yield from self.run_batch(batch, size, retried)
            made += size

    def created_at(self, made: int) -> datetime:
        """When the batch after `made` jobs is created: the older jobs spread over the span."""
        at = NOW - self.span + (self.span - timedelta(hours=1)) * (made / self.count)
        return at + seconds(self.rnd.uniform(0, 600))

    def batch_size(self) -> int:
        rnd = self.rnd
        kind = rnd.random()
        if kind < 0.35:
            return 1
        if kind < 0.70:
            return rnd.randint(2, 5)
        if kind < 0.95:
            return rnd.randint(6, 20)
        return rnd.randint(21, 60)

    def new_batch(self, made: int) -> tuple[Batch, list[dict[str, Any]]]:
        """A new batch: a retry of a recent failed batch's jobs now and then."""
        rnd = self.rnd
        created_at = self.created_at(made)
        retried: list[dict[str, Any]] = []
        if self.failed and made < self.count - self.live and rnd.random() < 0.3:
            previous, retried = self.failed.popleft()
            project_id, user_id, origin = previous.project_id, previous.user_id, previous.origin
            device, names, runs = previous.device, previous.variable_names, previous.runs
        else:
            user_id = rnd.choices(self.users, self.user_weights)[0]
            project_id = rnd.choice(self.memberships[user_id])
            origin = rnd.choices(tuple(ORIGIN_WEIGHTS), tuple(ORIGIN_WEIGHTS.values()))[0]
            device = rnd.choices(tuple(DEVICES), DEVICE_WEIGHTS)[0]
            names = rnd.choice(VARIABLE_SETS)
            runs = rnd.choices(RUNS, RUNS_WEIGHTS)[0]
        error_rate = 0.0 if rnd.random() < 0.8 else rnd.uniform(0.1, 0.6)
        cancel_at = None
        if rnd.random() < 0.05:
            cancel_at = created_at + seconds(rnd.uniform(5, 1800))
        batch = Batch(
            self.uuid4(), project_id, user_id, origin, device, names, runs,
            created_at, error_rate, cancel_at,
        )  # fmt: skip
        if retried:
            batch.parent_id = previous.id
        return batch, retried

    def run_batch(
        self, batch: Batch, size: int, retried: list[dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        """The batch's jobs, run one after the other from the end of its time in the queue."""
        rnd = self.rnd
        cluster = DEVICES[batch.device]
        queue = rnd.uniform(5, 120) if cluster else rnd.uniform(60, 7200)  # a QPU is in demand
        clock = batch.created_at + seconds(queue)
        if batch.role == "queued":
            clock = max(clock, NOW + seconds(rnd.uniform(60, 3600)))
        failed: list[dict[str, Any]] = []
        made: list[dict[str, Any]] = []
        for order in range(1, size + 1):
            parent = retried[order - 1] if retried else None
            job_id = self.uuid4()
            runs = batch.runs if rnd.random() < 0.9 else rnd.choice(RUNS)
            runs = parent["runs"] if parent else runs
            duration = run_time(job_id, runs)
            if batch.role in ("running", "cancelling") and order == 1:
                # The first job has been running a while; or was, when cancelled moments ago.
                now = NOW
                if batch.role == "cancelling":
                    now = batch.cancel_at = NOW - seconds(rnd.uniform(2, 20))
                clock = now - duration * rnd.uniform(0.2, 0.8)
                batch.created_at = min(batch.created_at, clock - seconds(rnd.uniform(5, 120)))
            values = parent["variables"] if parent else variables(rnd, batch.variable_names)
            job = {
                "id": job_id,
                "parent_id": parent["id"] if parent else None,
                "runs": runs,
                "batch_id": batch.id,
                "project_id": batch.project_id,
                "created_at": batch.created_at,
                "variables": values,
                "creation_order": order,
                "user_id": batch.user_id,
                "origin": batch.origin,
                "sequence": None,
                "result": None,
            }
            clock = self.schedule(job, batch, clock, duration)
            if cluster and job["start_timestamp"] is not None:
                job["slurm_job_id"] = str(self.next_slurm_id)
                job["slurm_cluster_name"] = cluster
                self.next_slurm_id += 1
            else:
                job["slurm_job_id"] = job["slurm_cluster_name"] = None
            if job["status"] in FAILED_STATUSES:
                failed.append(job)
            made.append(job)
            yield {key: job[key] for key in RECORD_FIELDS}
        if failed and batch.cancel_at is None:
            self.failed.append((batch, failed))
        self.batches.append(batch_record(batch, made))

    def schedule(
        self, job: dict[str, Any], batch: Batch, start: datetime, duration: timedelta
    ) -> datetime:
        """Set the job's status, timestamps, progress and errors; returns when the next job starts."""
        rnd = self.rnd
        planned, end = start, start + duration
        cancel = batch.cancel_at
        fails = rnd.random() < batch.error_rate
        if fails:
            end = start + duration * rnd.uniform(0.05, 0.9)
        status, errors, progress, updated = "DONE", [], 100, end
        if cancel is not None and cancel < end and cancel <= NOW:
            if cancel < start:  # cancelled in the queue: never started
                status, start, end, progress, updated = "CANCELED", None, cancel, 0, cancel
            elif cancel + CANCEL_DELAY > NOW:  # the worker has not stopped yet
                status, progress, updated = "CANCELING", progress_at(start, end, cancel), cancel
                end = None
            else:
                status, progress, updated = "CANCELED", progress_at(start, end, cancel), cancel
                end = cancel
        elif start > NOW:
            status, start, end, progress, updated = "PENDING", None, None, 0, job["created_at"]
        elif end > NOW:
            status, progress, end = "RUNNING", progress_at(start, end, NOW), None
            updated = max(start, NOW - seconds(rnd.uniform(0, 10)))
        elif fails:
            status, errors = "ERROR", error_messages(rnd)
            progress = progress_at(start, start + duration, end)
            if rnd.random() < 0.2:  # refused before it ran
                start, progress = None, 0
        if status in FINAL_STATUSES:
            updated = min(NOW, end + seconds(rnd.uniform(0, 2)))
        job.update(
            status=status, start_timestamp=start, end_timestamp=end, updated_at=updated,
            progress=progress, errors=errors,
        )  # fmt: skip
        if end is None:  # still to run, or running: the next job starts once it will have ended
            return planned + duration
        return end + seconds(rnd.uniform(0.5, 3))


TAGS = ("calibration", "benchmark", "production", "vqe", "qaoa", "mis", "rydberg", "nightly")


def batch_record(batch: Batch, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    """The record of a batch whose jobs are made: its status, counts and times from them.

    Its own draws (priority, tags, open) come from its id, so the jobs stay as they were.
    """
    rnd = Random(f"batch-{batch.id}")
    cancelled = batch.cancel_at is not None and batch.cancel_at <= NOW
    record = {
        "id": batch.id, "parent_id": batch.parent_id,
        "status": "CANCELED" if cancelled else "PENDING",
        "open": batch.role == "running" and rnd.random() < 0.3,
        "device_type": batch.device, "project_id": batch.project_id, "user_id": batch.user_id,
        "created_at": batch.created_at, "updated_at": batch.created_at,
        "start_datetime": None, "end_datetime": batch.cancel_at if cancelled else None,
        "queue_priority": rnd.choices(QUEUE_PRIORITIES, (15, 70, 15))[0],
        "tags": rnd.sample(TAGS, rnd.choice((0, 0, 1, 1, 2))), "webhook": None,
        "configuration": None, "backend_configuration": None, "sequence_builder": None,
    }  # fmt: skip
    return {**record, **summary(record, jobs)}


def generate(count: int, random_seed: int = DEFAULT_RANDOM_SEED) -> Generator:
    """A generator of `count` jobs: iterate `jobs()`; `batches` holds the records of the
    batches made so far (take them as they come: a million jobs make many)."""
    return Generator(count, random_seed)


def generate_jobs(count: int, random_seed: int = DEFAULT_RANDOM_SEED) -> Iterator[dict[str, Any]]:
    """`count` complete job records, the same ones for the same count and seed."""
    return Generator(count, random_seed).jobs()
