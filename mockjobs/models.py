"""The peewee model of a job, and the conversions of its stored values."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import peewee

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what an integer column holds
MICROSECOND = timedelta(microseconds=1)

STATUSES = ("PENDING", "RUNNING", "DONE", "ERROR", "CANCELED", "CANCELING")
FINAL_STATUSES = ("DONE", "ERROR", "CANCELED")
ORIGINS = ("CLIENT", "AZURE", "OVH", "UNKNOWN")

# The 16 keys of a job in the list response, in their documented order.
RESPONSE_FIELDS = (
    "id", "parent_id", "status", "runs", "batch_id", "project_id", "created_at", "updated_at",
    "start_timestamp", "end_timestamp", "variables", "errors", "progress", "creation_order",
    "slurm_job_id", "slurm_cluster_name",
)  # fmt: skip
# What a record holds beyond the response: stored, filterable or served elsewhere.
EXTRA_FIELDS = ("user_id", "origin", "sequence", "result")
RECORD_FIELDS = RESPONSE_FIELDS + EXTRA_FIELDS
SORTABLE_FIELDS = tuple(f for f in RESPONSE_FIELDS if f not in ("variables", "errors"))


def to_micros(value: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (naive means UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with a Z; fractional seconds only when they are not zero."""
    value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds" if value.microsecond else "seconds") + "Z"


class TimestampField(peewee.BigIntegerField):
    """An instant stored as integer microseconds since the epoch: it sorts and compares as one."""

    def db_value(self, value: datetime | int | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return to_micros(value)

    def python_value(self, value: int | None) -> datetime | None:
        return None if value is None else from_micros(value)


def dump_json(value: Any) -> str:
    """Compact JSON, the stored form: `[]` is the one spelling of an empty error list."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class JSONField(peewee.TextField):
    def db_value(self, value: Any) -> str | None:
        return None if value is None else dump_json(value)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class Job(peewee.Model):
    """A job: the 16 fields of the API response plus owner, origin, sequence and result.

    Unbound: every store binds its own subclass (`bind_job_model`), so that several
    servers can live in one process without sharing a database.
    """

    id = peewee.TextField(primary_key=True)
    parent_id = peewee.TextField(null=True, index=True)
    status = peewee.TextField(index=True)
    runs = peewee.BigIntegerField(index=True)
    batch_id = peewee.TextField()
    project_id = peewee.TextField(index=True)
    created_at = TimestampField()
    updated_at = TimestampField()
    start_timestamp = TimestampField(null=True, index=True)
    end_timestamp = TimestampField(null=True, index=True)
    variables = JSONField()
    errors = JSONField()
    progress = peewee.IntegerField()
    creation_order = peewee.IntegerField()
    slurm_job_id = peewee.TextField(null=True)
    slurm_cluster_name = peewee.TextField(null=True)
    user_id = peewee.TextField(index=True)
    origin = peewee.TextField()
    sequence = peewee.TextField(null=True)
    result = JSONField(null=True)

    class Meta:
        table_name = "job"
        indexes = (
            (("created_at", "id"), False),  # the default order, newest first
            (("batch_id", "creation_order"), False),  # a batch's jobs, as the SDK lists them
        )


def bind_job_model(database: peewee.Database) -> type[Job]:
    """A Job model of its own for one database."""

    meta = type("Meta", (), {"database": database, "table_name": "job"})
    return type("Job", (Job,), {"Meta": meta, "__module__": __name__})
