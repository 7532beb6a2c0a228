"""Reference FastAPI declaration of GET /api/v2/jobs, for comparing query validation.

This module is not part of mockjobs and is never imported by it: mockjobs is a Flask
application. It declares the 16 query parameters of the real service's job list exactly as
the API documentation does (same names, types, bounds, defaults and declaration order), so
that FastAPI + pydantic v2 can answer "what would the real service do with this query
string?". Instead of jobs, the endpoint returns the values it parsed, in the JSON form used
by ``tests/validation_cases.json`` (see :func:`encode_params`).

It needs FastAPI, which is not a dependency of mockjobs; run it from a scratch environment::

    python3 -m venv /tmp/fa && /tmp/fa/bin/pip install fastapi httpx
    /tmp/fa/bin/python tests/reference/make_validation_cases.py

Two endpoints are served:

``GET /api/v2/jobs``
    The real service's declaration: 16 independent ``Query`` parameters. Unknown
    parameters are ignored.
``GET /strict/api/v2/jobs``
    The same parameters gathered in one pydantic model with ``extra="forbid"``, which is
    how a FastAPI application refuses unknown query parameters. It is the reference for
    mockjobs' strict mode (``type: "extra_forbidden"``) only.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field


class OrderBy(enum.StrEnum):
    """The 14 sortable fields of a job (the response fields minus variables and errors)."""

    id = "id"
    parent_id = "parent_id"
    status = "status"
    runs = "runs"
    batch_id = "batch_id"
    project_id = "project_id"
    created_at = "created_at"
    updated_at = "updated_at"
    start_timestamp = "start_timestamp"
    end_timestamp = "end_timestamp"
    progress = "progress"
    creation_order = "creation_order"
    slurm_job_id = "slurm_job_id"
    slurm_cluster_name = "slurm_cluster_name"


class OrderByDirection(enum.StrEnum):
    ASC = "ASC"
    DESC = "DESC"


class JobStatus(enum.StrEnum):
    """Job status type enum"""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    ERROR = "ERROR"
    CANCELED = "CANCELED"
    CANCELING = "CANCELING"


class JobOrigin(enum.StrEnum):
    """Origin of the job"""

    CLIENT = "CLIENT"
    AZURE = "AZURE"
    OVH = "OVH"
    UNKNOWN = "UNKNOWN"


def encode_datetime(value: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; a naive value is taken as UTC (SPEC.md section 2).

    Fractional seconds appear only when non-zero, as in mockjobs' own timestamps. An aware
    value whose UTC equivalent falls outside years 1-9999 keeps its own offset.
    """
    timespec = "microseconds" if value.microsecond else "seconds"
    if value.tzinfo is None:
        return value.isoformat(timespec=timespec) + "Z"
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        # e.g. 9999-12-31T23:59:59-01:00 is a valid instant in year 10000 UTC, which Python
        # cannot represent: keep the offset the client gave.
        return value.isoformat(timespec=timespec)
    return value.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def encode_value(value: Any) -> Any:
    """JSON form of one parsed value: enum members by value, datetimes by encode_datetime."""
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return encode_datetime(value)
    return value  # str, int (of any size), bool or None


def encode_params(params: dict[str, Any]) -> dict[str, Any]:
    """JSON form of the parsed parameters, in declaration order."""
    return {name: encode_value(value) for name, value in params.items()}


app = FastAPI(title="Reference declaration of GET /api/v2/jobs")


@app.get("/api/v2/jobs")
def get_jobs(
    # Declaration order matters: FastAPI validates, and reports errors, in this order.
    order_by: OrderBy = OrderBy.created_at,
    order_by_direction: OrderByDirection = OrderByDirection.DESC,
    limit: Annotated[int, Query(gt=0, lt=101)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    id: Annotated[list[str], Query(description="Unique id for the job")] = [],  # noqa: B006
    id__starts_with: Annotated[str, Query(description="First characters of the job id")] = "",
    batch_id: Annotated[list[str], Query(description="Owner batch of the job")] = [],  # noqa: B006
    project_id: Annotated[list[str], Query(description="Owner project of the job")] = [],  # noqa: B006
    user_id: Annotated[list[str], Query(description="Owner user of the job")] = [],  # noqa: B006
    status: Annotated[list[JobStatus], Query()] = [],  # noqa: B006
    min_runs: int | None = None,
    max_runs: int | None = None,
    errors: bool | None = None,
    origin: Annotated[list[JobOrigin], Query()] = [],  # noqa: B006
    start_date: datetime | None = None,
    end_date: datetime | None = None,
) -> dict[str, Any]:
    """Return the parsed parameters instead of jobs."""
    params = dict(locals())  # the 16 parameters, in declaration order
    return {"parsed": encode_params(params)}


class StrictJobsQuery(BaseModel):
    """The same 16 parameters as one query model that forbids unknown parameters."""

    model_config = ConfigDict(extra="forbid")

    order_by: OrderBy = OrderBy.created_at
    order_by_direction: OrderByDirection = OrderByDirection.DESC
    limit: int = Field(100, gt=0, lt=101)
    offset: int = Field(0, ge=0)
    id: list[str] = []
    id__starts_with: str = ""
    batch_id: list[str] = []
    project_id: list[str] = []
    user_id: list[str] = []
    status: list[JobStatus] = []
    min_runs: int | None = None
    max_runs: int | None = None
    errors: bool | None = None
    origin: list[JobOrigin] = []
    start_date: datetime | None = None
    end_date: datetime | None = None


@app.get("/strict/api/v2/jobs")
def get_jobs_strict(query: Annotated[StrictJobsQuery, Query()]) -> dict[str, Any]:
    """Strict-mode reference: unknown query parameters are ``extra_forbidden``."""
    return {"parsed": encode_params(dict(query))}
