"""Fixture files: reading and validating job and batch records, completed (completion.py
fills in their missing fields; writing.py writes a fixture file)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faker import Faker
from marshmallow import ValidationError

from ..contract.batches import PARTIAL_BATCH, BatchRecordSchema
from ..contract.bodies import NotJSON, check, parse_json
from ..contract.records import JobSchema
from ..domain.jobs import inconsistencies
from ..errors import InvalidInput, MockJobsError
from .completion import BATCH_FIELDS, batch_fields, complete, complete_batch

RECORD_SCHEMA = JobSchema()
BATCH_SCHEMA = BatchRecordSchema()
BATCH = "batch record"  # how an error names a batch record


MAX_REPORTED = 20  # a fixture's errors reported at once, at most


class FixtureError(InvalidInput):
    """A fixture that cannot be loaded; the message names the file, the record and the field.

    `others`: the fixture's further errors (up to MAX_REPORTED in all), `more` beyond those.
    """

    def __init__(
        self, reason: str, index: int | None = None, field: str | None = None, source: str = "",
        kind: str = "record", others: tuple[FixtureError, ...] = (), more: int = 0,
    ) -> None:  # fmt: skip
        MockJobsError.__init__(self, reason)
        self.reason, self.index, self.field, self.source = reason, index, field, source
        self.kind = kind  # "record" (a job's) or "batch record"
        self.others, self.more = others, more

    @property
    def all(self) -> list[FixtureError]:
        return [self, *self.others]

    @property
    def location(self) -> list[str | int]:
        """Where in a document the error is: `["batches", 0, "id"]`, `[3, "status"]`."""
        where: list[str | int] = ["batches"] if self.kind == BATCH else []
        where += [part for part in (self.index, self.field) if part is not None]
        return where

    @property
    def problems(self) -> list[tuple[str, str]]:  # type: ignore[override]
        """InvalidInput's `(field, message)` pairs: `("batches.0.id", "duplicate id 'b'")`."""
        return [(".".join(map(str, error.location)), error.reason) for error in self.all]

    def within(self, source: str) -> FixtureError:
        """The same error, said of a file."""
        others = tuple(other.within(source) for other in self.others)
        return FixtureError(
            self.reason, self.index, self.field, source, self.kind, others, self.more
        )

    def __str__(self) -> str:
        said = [self.line(), *(other.line() for other in self.others)]
        if self.more:
            said.append(f"and {self.more} more errors")
        return "; ".join(said)  # one line, as the command line reports it

    def line(self) -> str:
        parts = [self.source] if self.source else []
        if self.index is not None:
            parts.append(f"{self.kind} {self.index}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ": ".join([*parts, self.reason])


@dataclass(frozen=True)
class Fixture:
    """What a fixture holds, complete: batch records, and job records (each of a batch)."""

    batches: list[dict[str, Any]]
    jobs: list[dict[str, Any]]


def read_fixture_file(path: str | Path, first_ordinal: int = 0) -> list[dict[str, Any]]:
    """The complete job records of a fixture file (read_fixture: its batches too)."""
    return read_fixture(path, first_ordinal).jobs


def read_fixture(path: str | Path, first_ordinal: int = 0) -> Fixture:
    """The complete records of a fixture file, or FixtureError: nothing of a bad file is kept.

    `first_ordinal` numbers the records of this load; a record's missing fields depend on
    its number only, so a given command line always completes them the same way.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError) as error:  # ValueError: not UTF-8, or a NUL in the path
        reason = getattr(error, "strerror", None) or error
        raise FixtureError(f"cannot read: {reason}", source=str(path)) from None
    try:
        document = parse_json(text, texts=False)
    except NotJSON as error:
        where = f" (at character {error.position})" if error.position else ""
        raise FixtureError(f"malformed JSON: {error.reason}{where}", source=str(path)) from None
    try:
        return parse_fixture(document, first_ordinal)
    except FixtureError as error:
        raise error.within(str(path)) from None


def parse_records(document: Any, first_ordinal: int = 0) -> list[dict[str, Any]]:
    """Validate and complete a fixture's job records (parse_fixture: its batches too)."""
    return parse_fixture(document, first_ordinal).jobs


def parse_fixture(document: Any, first_ordinal: int = 0) -> Fixture:
    """Validate and complete a list of job records, or `{"jobs": [...]}` with `"batches"`.

    Every job is of a batch: batch records a fixture leaves out are made from their jobs,
    and partial ones completed from them (their status, counts and times always follow).
    """
    given_batches: list[Any] = []
    if isinstance(document, dict) and "jobs" in document and set(document) <= {"jobs", "batches"}:
        given_batches = document.get("batches", [])
        document = document["jobs"]
        if not isinstance(given_batches, list):
            raise FixtureError('"batches" must be a list of batch records')
    if not isinstance(document, list):
        raise FixtureError(
            'expected a list of job records or an object {"jobs": [...], "batches": [...]}'
        )
    errors = Errors()
    batches = []
    for index, given in enumerate(given_batches):
        try:
            batches.append(load_batch(given, index))
        except FixtureError as error:
            errors.add(error)
    jobs = parse_jobs(document, first_ordinal, batches, errors)
    return Fixture(complete_batches(batches, jobs, first_ordinal), jobs)


class Errors:
    """A fixture's errors as its records are checked, raised together (`check`)."""

    def __init__(self) -> None:
        self.found: list[FixtureError] = []
        self.count = 0

    def add(self, error: FixtureError) -> None:
        self.count += 1
        if len(self.found) < MAX_REPORTED:
            self.found.append(error)

    def check(self) -> None:
        if self.found:
            first, *others = self.found
            raise FixtureError(first.reason, first.index, first.field, first.source, first.kind,
                               tuple(others), self.count - len(self.found))  # fmt: skip


def load_batch(given: Any, index: int) -> dict[str, Any]:
    """A batch record of a fixture, validated (partial: completed later)."""
    if not isinstance(given, dict):
        raise FixtureError(f"expected an object, got {json.dumps(given)[:40]}", index, kind=BATCH)
    try:
        check(given, texts=False)
        if not encodable(given):
            raise NotJSON("not valid Unicode (a lone surrogate)")
    except NotJSON as error:
        raise FixtureError(error.reason, index, kind=BATCH) from None
    try:
        return BATCH_SCHEMA.load(given, partial=PARTIAL_BATCH)
    except ValidationError as error:
        field, message = first_message(error.messages)
        raise FixtureError(message, index, field, kind=BATCH) from None


def load_job(given: Any, index: int) -> dict[str, Any]:
    """A job record of a fixture, validated (partial: completed later)."""
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
        return RECORD_SCHEMA.load(given, partial=True)
    except ValidationError as error:
        field, message = first_message(error.messages)
        raise FixtureError(message, index, field) from None


def parse_jobs(
    document: list[Any], first_ordinal: int, batches: list[dict[str, Any]], errors: Errors
) -> list[dict[str, Any]]:
    """The job records, validated then completed; every error of each stage reported at once."""
    loaded = []
    for index, given in enumerate(document):
        try:
            loaded.append(load_job(given, index))
        except FixtureError as error:
            errors.add(error)
    errors.check()
    shared = batch_fields(batches, loaded)
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
            errors.add(FixtureError(f"contradicts the job's status: {why}", index, field))
        if record["id"] in seen:
            errors.add(FixtureError(f"duplicate id {record['id']!r}", index, "id"))
        seen.add(record["id"])
        records.append(record)
    errors.check()
    return records


def complete_batches(
    given: list[dict[str, Any]], jobs: list[dict[str, Any]], first_ordinal: int
) -> list[dict[str, Any]]:
    """The batch records of a fixture: those given, completed from their jobs, then one made
    for each batch its jobs name and no record gives. A given status, or count, must be
    what the jobs make it (SPEC section 11)."""
    by_batch: dict[str, list[dict[str, Any]]] = {}
    for job in jobs:
        by_batch.setdefault(job["batch_id"], []).append(job)
    fake = Faker()
    records, seen = [], set()
    for index, batch in enumerate([*given, *({"id": i} for i in by_batch if i not in {b.get("id") for b in given})]):  # fmt: skip
        fake.seed_instance(f"fixture-batch-{first_ordinal + index}")
        own = by_batch.get(batch.get("id"), [])
        record = complete_batch(batch, own, fake)
        where = index if index < len(given) else None
        if record["id"] in seen:
            raise FixtureError(f"duplicate id {record['id']!r}", where, "id", kind=BATCH)
        seen.add(record["id"])
        for job in own:
            for key in ("project_id", "user_id"):
                if job[key] != record[key]:
                    raise FixtureError(
                        f"contradicts its batch, whose {key} is {record[key]!r}",
                        jobs.index(job), key,
                    )  # fmt: skip
        for key in ("status", "jobs_count", "jobs_count_per_status"):
            if key in batch and batch[key] != record[key]:
                raise FixtureError(
                    f"contradicts its jobs, which make it {json.dumps(record[key])}",
                    where, key, kind=BATCH,
                )  # fmt: skip
        records.append(record)
    return records


def encodable(value: Any) -> bool:
    """Whether a JSON value can be stored: JSON's \\ud800 escapes make strings UTF-8 cannot hold."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def first_message(messages: dict[str, Any]) -> tuple[str, str]:
    """The first field named in marshmallow's messages, and its message."""
    field, message = next(iter(messages.items()))
    while isinstance(message, dict):  # a list's element: {index: [...]}
        key, message = next(iter(message.items()))
        field = f"{field}[{key}]"
    if isinstance(message, list):
        message = message[0]
    return field, str(message)
