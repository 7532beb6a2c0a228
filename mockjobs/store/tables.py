"""The tables: peewee models of the data (jobs, batches, workloads) and of the mock's shared state, unbound.

Every store binds its own subclasses (`bind`), so that several servers live in one process
without sharing a database. Data tables carry the data version (their every change bumps it,
by trigger) and are snapshotted for resets; state tables (the faults, named values such as
the clock and the data set, and on PostgreSQL the journal) are neither.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import peewee

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def to_micros(value: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (naive means UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


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
    return _encode(value)


# json.dumps makes an encoder at every call given options: a journal entry's JSON took a third longer
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


class JSONField(peewee.TextField):
    def db_value(self, value: Any) -> str | None:
        return None if value is None else dump_json(value)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class Job(peewee.Model):
    """A job: the 16 fields of the API response plus owner, origin, sequence and result."""

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
    # Not of the record: how the mock runs a job submitted through the API.
    submitted = peewee.BooleanField(default=False)  # it runs even with lifecycle off, quickly
    fate = JSONField(null=True)  # how it ends, as the control API decided: {status, errors}

    class Meta:
        table_name = "job"
        indexes = (
            (("created_at", "id"), False),  # the default order, newest first
            (("batch_id", "creation_order"), False),  # a batch's jobs, as the SDK lists them
        )


class Batch(peewee.Model):
    """A batch: jobs run one after another on one device. Its summary follows its jobs."""

    id = peewee.TextField(primary_key=True)
    parent_id = peewee.TextField(null=True)
    status = peewee.TextField(index=True)
    open = peewee.BooleanField()
    device_type = peewee.TextField(index=True)
    project_id = peewee.TextField(index=True)
    user_id = peewee.TextField(index=True)
    created_at = TimestampField()
    updated_at = TimestampField()
    start_datetime = TimestampField(null=True)
    end_datetime = TimestampField(null=True)
    queue_priority = peewee.TextField()
    tags = JSONField()
    webhook = peewee.TextField(null=True)
    configuration = JSONField(null=True)
    backend_configuration = peewee.TextField(null=True)
    sequence_builder = peewee.TextField(null=True)
    jobs_count = peewee.BigIntegerField()
    jobs_count_per_status = JSONField()
    submitted = peewee.BooleanField(default=False)  # through the API, since the data set

    class Meta:
        table_name = "batch"
        indexes = ((("created_at", "id"), False),)  # the list's order, newest first


class Workload(peewee.Model):
    """A workload: a job of another kind (its config is the client's), run on a backend."""

    id = peewee.TextField(primary_key=True)
    project_id = peewee.TextField()
    user_id = peewee.TextField()
    status = peewee.TextField()
    backend = peewee.TextField()
    workload_type = peewee.TextField()
    config = JSONField()
    created_at = TimestampField()
    updated_at = TimestampField()
    start_timestamp = TimestampField(null=True)
    end_timestamp = TimestampField(null=True)
    errors = JSONField()

    class Meta:
        table_name = "workload"


class JournalEntry(peewee.Model):
    """One request received (by any process sharing the database), where the journal is a
    table."""

    seq = peewee.AutoField()
    entry = JSONField()

    class Meta:
        table_name = "mockjobs_journal"


class FaultRule(peewee.Model):
    """An armed fault rule; `times` counts down atomically over every process."""

    id = peewee.AutoField()
    method = peewee.TextField()
    path = peewee.TextField()
    query = JSONField()
    status = peewee.IntegerField(null=True)
    times = peewee.BigIntegerField(null=True)
    delay_ms = peewee.IntegerField()
    retry_after = peewee.BigIntegerField(null=True)
    drop = peewee.BooleanField()

    class Meta:
        table_name = "mockjobs_fault"


class Setting(peewee.Model):
    """A value of the mock's shared state: the clock, the configured data set, ..."""

    key = peewee.TextField(primary_key=True)
    value = JSONField()

    class Meta:
        table_name = "mockjobs_state"


DATA_TABLES: tuple[type[peewee.Model], ...] = (Job, Batch, Workload)
KEPT_STATE = (FaultRule, Setting)  # kept by every process until the state version changes
JOURNAL_TABLE = JournalEntry  # where a backend keeps the journal in a table (journal.py)


def bind(model: type[peewee.Model], database: peewee.Database) -> type[peewee.Model]:
    """A subclass of `model` of its own, bound to `database`."""
    meta = type("Meta", (), {"database": database, "table_name": model._meta.table_name})
    return type(model.__name__, (model,), {"Meta": meta, "__module__": __name__})
