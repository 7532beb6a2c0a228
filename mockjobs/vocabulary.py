"""The words of the API, written once: statuses, origins, field lists, the timestamp format.

Imports nothing of mockjobs: every layer may use it.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

STATUSES = ("PENDING", "RUNNING", "DONE", "ERROR", "CANCELED", "CANCELING")
FINAL_STATUSES = ("DONE", "ERROR", "CANCELED")
LIVE_STATUSES = tuple(status for status in STATUSES if status not in FINAL_STATUSES)
RUNNING_STATUSES = ("RUNNING", "CANCELING")  # started, not ended: progress 1 to 99
FAILED_STATUSES = ("ERROR", "CANCELED")  # ended without a result: a batch worth retrying
ORIGINS = ("CLIENT", "AZURE", "OVH", "UNKNOWN")

# The device types a batch runs on, as the SDK names them (pasqal_cloud.DeviceTypeName).
QPU_TYPES = ("FRESNEL", "FRESNEL_CAN1")
EMULATOR_TYPES = ("EMU_FREE", "EMU_TN", "EMU_FRESNEL", "EMU_MPS", "EMU_SV")
DEVICE_TYPES = (*QPU_TYPES, *EMULATOR_TYPES)
# A batch's statuses (the SDK's BatchStatus); domain.batches derives them from its jobs.
BATCH_STATUSES = ("PENDING", "RUNNING", "DONE", "ERROR", "CANCELED", "TIMED_OUT")
QUEUE_PRIORITIES = ("LOW", "MEDIUM", "HIGH")
# A batch record's fields; what it answers adds `complete` (not `open`) and `device_status`.
BATCH_RECORD_FIELDS = (
    "id", "parent_id", "status", "open", "device_type", "project_id", "user_id", "created_at",
    "updated_at", "start_datetime", "end_datetime", "queue_priority", "tags", "webhook",
    "configuration", "backend_configuration", "sequence_builder", "jobs_count",
    "jobs_count_per_status",
)  # fmt: skip
BATCH_FIELDS = (
    "id",
    "parent_id",
    "status",
    "open",
    "complete",
    "device_type",
    "device_status",
    "project_id",
    "user_id",
    "created_at",
    "updated_at",
    "start_datetime",
    "end_datetime",
    "queue_priority",
    "tags",
    "webhook",
    "configuration",
    "backend_configuration",
    "jobs_count",
    "jobs_count_per_status",
)  # fmt: skip  -- the list's items; one batch adds its sequence_builder
WORKLOAD_FIELDS = (
    "id",
    "project_id",
    "user_id",
    "status",
    "backend",
    "workload_type",
    "config",
    "created_at",
    "updated_at",
    "start_timestamp",
    "end_timestamp",
    "errors",
)  # fmt: skip  -- a record's; what it answers adds result_link and result

# The 16 keys of a job in the list response, in their documented order.
RESPONSE_FIELDS = (
    "id", "parent_id", "status", "runs", "batch_id", "project_id", "created_at", "updated_at",
    "start_timestamp", "end_timestamp", "variables", "errors", "progress", "creation_order",
    "slurm_job_id", "slurm_cluster_name",
)  # fmt: skip
JOB_FIELDS = (*RESPONSE_FIELDS, "sequence")  # one job, GET /api/v2/jobs/{id}
# What a record holds beyond the response: stored, filterable or served elsewhere.
EXTRA_FIELDS = ("user_id", "origin", "sequence", "result")
RECORD_FIELDS = RESPONSE_FIELDS + EXTRA_FIELDS
SORTABLE_FIELDS = tuple(f for f in RESPONSE_FIELDS if f not in ("variables", "errors"))
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what a record's integers can be (64-bit columns)
# The instants a record or the clock may hold: wide enough for any job, narrow enough that a
# job's timing arithmetic (queue, run, cancel: at most a century) never leaves what a date holds.
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)
LIFE_STEPS = ("created_at", "start_timestamp", "end_timestamp", "updated_at")  # in this order

MEMORY = ":memory:"  # the database that lives and dies with the process (SQLite's name)
DEFAULT_RANDOM_SEED = 1  # the generator's seed unless told
CONTROL_PREFIX = "/_mock"  # the control API: not client traffic, never journaled or faulted


DOCS_PREFIX = "/docs"  # Swagger UI over the document: a page, not client traffic either


def is_page_path(path: str) -> bool:
    """Whether `path` is the control API's or the docs': never journaled, faulted or delayed."""
    return is_control_path(path) or path == DOCS_PREFIX or path.startswith(DOCS_PREFIX + "/")


def is_control_path(path: str) -> bool:
    """Whether `path` is the control API's: `/_mock` or under it (not `/_mockery`)."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


FAULT_STATUSES = (429, 500, 502, 503, 504)
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with a Z; fractional seconds only when they are not zero."""
    value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds" if value.microsecond else "seconds") + "Z"


# The order of events in this process (a request received whole, a read of the versions begun),
# counted: a clock may tick too coarsely to tell two apart (Windows: 15.6 ms before Python 3.13).
ticket = itertools.count(1).__next__

_second = (0, "")  # the latest second timestamp_now formatted, and its text (without the Z)


def timestamp_now() -> str:
    """`format_timestamp` of the time now, its seconds formatted once a second (every
    request's journal entry asks: 2.1 -> 0.6 us)."""
    global _second
    second, micro = divmod(time.time_ns() // 1000, 1_000_000)
    kept = _second
    if kept[0] != second:
        kept = _second = (second, format_timestamp(datetime.fromtimestamp(second, UTC))[:-1])
    return f"{kept[1]}.{micro:06d}Z" if micro else f"{kept[1]}Z"
