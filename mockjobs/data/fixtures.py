"""Fixture files: reading, validating and completing job records."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from random import Random
from typing import Any

from faker import Faker
from marshmallow import ValidationError

from ..contract.bodies import NotJSON, check, parse_json
from ..contract.records import JobSchema
from ..domain.jobs import error_messages, inconsistencies, seconds
from ..vocabulary import (
    FAILED_STATUSES,
    FINAL_STATUSES,
    LIFE_STEPS,
    RECORD_FIELDS,
    RUNNING_STATUSES,
    format_timestamp,
)
from .generator import DEVICES, NOW, ORIGIN_WEIGHTS, RUNS, RUNS_WEIGHTS, SLURM_FIRST_JOB_ID

RECORD_SCHEMA = JobSchema()
BATCH_FIELDS = ("project_id", "user_id", "origin")  # the same for every job of a batch
STATUS_WEIGHTS = {
    "DONE": 70,
    "ERROR": 10,
    "CANCELED": 5,
    "RUNNING": 7,
    "PENDING": 7,
    "CANCELING": 1,
}


class FixtureError(ValueError):
    """A fixture that cannot be loaded; the message names the file, the record and the field."""

    def __init__(
        self, reason: str, index: int | None = None, field: str | None = None, source: str = ""
    ) -> None:
        super().__init__(reason)
        self.reason, self.index, self.field, self.source = reason, index, field, source

    def within(self, source: str) -> FixtureError:
        """The same error, said of a file."""
        return FixtureError(self.reason, self.index, self.field, source)

    def __str__(self) -> str:
        parts = [self.source] if self.source else []
        if self.index is not None:
            parts.append(f"record {self.index}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ": ".join([*parts, self.reason])


def read_fixture_file(path: str | Path, first_ordinal: int = 0) -> list[dict[str, Any]]:
    """The complete records of a fixture file, or FixtureError: nothing of a bad file is kept.

    `first_ordinal` numbers the records of this load; a record's missing fields depend on
    its number only, so a given command line always completes them the same way.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise FixtureError(f"cannot read: {reason}", source=str(path)) from None
    try:
        document = parse_json(text, texts=False)
    except NotJSON as error:
        where = f" (at character {error.position})" if error.position else ""
        raise FixtureError(f"malformed JSON: {error.reason}{where}", source=str(path)) from None
    try:
        return parse_records(document, first_ordinal)
    except FixtureError as error:
        raise error.within(str(path)) from None


def parse_records(document: Any, first_ordinal: int = 0) -> list[dict[str, Any]]:
    """Validate and complete a list of records (or `{"jobs": [...]}`)."""
    if isinstance(document, dict) and set(document) == {"jobs"}:
        document = document["jobs"]
    if not isinstance(document, list):
        raise FixtureError('expected a list of job records or an object {"jobs": [...]}')
    loaded = []
    for index, given in enumerate(document):
        if not isinstance(given, dict):
            raise FixtureError(f"expected an object, got {json.dumps(given)[:40]}", index)
        try:
            check(given, texts=False)  # NaN or Infinity given from Python, nesting
        except NotJSON as error:
            raise FixtureError(error.reason, index) from None
        if not encodable(given):
            key = next(k for k, v in given.items() if not (encodable(k) and encodable(v)))
            raise FixtureError("not valid Unicode (a lone surrogate)", index, key)
        try:
            loaded.append(RECORD_SCHEMA.load(given, partial=True))
        except ValidationError as error:
            field, message = first_message(error.messages)
            raise FixtureError(message, index, field) from None
    shared = batch_fields(loaded)
    records, seen = [], set()
    fake = Faker()
    for index, given in enumerate(loaded):
        batch = shared.get(given.get("batch_id"))
        if batch is not None:  # the jobs of a batch share project, user and origin
            given = {**batch, **given}
        fake.seed_instance(f"fixture-record-{first_ordinal + index}")
        record = complete(given, fake)
        if batch is not None:
            for key in BATCH_FIELDS:
                batch.setdefault(key, record[key])
        for field, why in inconsistencies(record)[:1]:
            raise FixtureError(f"contradicts the job's status: {why}", index, field)
        if record["id"] in seen:
            raise FixtureError(f"duplicate id {record['id']!r}", index, "id")
        seen.add(record["id"])
        records.append(record)
    return records


def encodable(value: Any) -> bool:
    """Whether a JSON value can be stored: JSON's \\ud800 escapes make strings UTF-8 cannot hold."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def batch_fields(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """By batch id, the project, user and origin that the batch's records give first."""
    shared: dict[str, dict[str, Any]] = {}
    for record in records:
        if "batch_id" in record:
            known = shared.setdefault(record["batch_id"], {})
            for key in BATCH_FIELDS:
                if key in record:
                    known.setdefault(key, record[key])
    return shared


def first_message(messages: dict[str, Any]) -> tuple[str, str]:
    """The first field named in marshmallow's messages, and its message."""
    field, message = next(iter(messages.items()))
    while isinstance(message, dict):  # a list's element: {index: [...]}
        key, message = next(iter(message.items()))
        field = f"{field}[{key}]"
    if isinstance(message, list):
        message = message[0]
    return field, str(message)


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


def dump_records(records: Iterable[dict[str, Any]]) -> Iterable[str]:
    """A fixture file's text, in pieces: `{"jobs": [...]}` with one record a line."""
    yield '{"jobs": [\n'
    for index, record in enumerate(records):
        prefix = ",\n" if index else ""
        yield prefix + json.dumps(to_json(record), ensure_ascii=False, separators=(",", ":"))
    yield "\n]}\n"


def to_json(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: format_timestamp(value) if isinstance(value, datetime) else value
        for key, value in record.items()
    }
