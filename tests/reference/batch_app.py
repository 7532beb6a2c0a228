"""Reference FastAPI declaration of the batch and workload request bodies, for comparing
their validation (tests/test_batch_bodies.py).

This module is not part of mockjobs and is never imported by it. Its pydantic models mirror
mockjobs/contract/batches.py field by field (names, types, defaults, bounds, declaration
order), as the real service would declare them for the bodies pasqal-cloud 0.24.0 sends, so
that FastAPI + pydantic v2 answer "what would the real service make of this body?". A body
that validates is answered `{"ok": true}`: only the 422s are compared.

mockjobs' two rules between fields of a new batch (a closed batch needs a job; a job needs a
sequence when the batch has no sequence builder) are a model validator here.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any
from uuid import UUID

from fastapi import Body, FastAPI
from pydantic import BaseModel, Field, model_validator

INT64_MAX = 2**63 - 1


class DeviceTypeName(enum.StrEnum):
    """mockjobs.vocabulary.DEVICE_TYPES, in its order (the order of the enum's message)."""

    FRESNEL = "FRESNEL"
    FRESNEL_CAN1 = "FRESNEL_CAN1"
    EMU_FREE = "EMU_FREE"
    EMU_TN = "EMU_TN"
    EMU_FRESNEL = "EMU_FRESNEL"
    EMU_MPS = "EMU_MPS"
    EMU_SV = "EMU_SV"


class QueuePriority(enum.StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class JobCreate(BaseModel):
    runs: Annotated[int, Field(ge=1, le=INT64_MAX)] | None = None
    variables: dict[str, Any] | None = None
    sequence: str | None = None


class BatchCreate(BaseModel):
    sequence_builder: str | None = None
    jobs: list[JobCreate]
    open: bool = False
    device_type: DeviceTypeName | None = None
    project_id: Annotated[str, Field(min_length=1)]
    webhook: str | None = None
    configuration: dict[str, Any] | None = None
    backend_configuration: str | None = None
    tags: list[str] | None = None
    queue_priority: QueuePriority = QueuePriority.MEDIUM

    @model_validator(mode="after")
    def jobs_can_run(self) -> BatchCreate:
        """mockjobs' rules between fields, in its order: the first broken one is the error."""
        if not self.open and not self.jobs:
            raise ValueError("a closed batch needs at least one job")
        if self.sequence_builder is None and any(job.sequence is None for job in self.jobs):
            raise ValueError("a job needs a sequence when the batch has no sequence_builder")
        return self


class CancelBatches(BaseModel):
    batch_ids: list[UUID]


class WorkloadCreate(BaseModel):
    workload_type: str
    backend: str
    config: dict[str, Any]
    project_id: Annotated[str, Field(min_length=1)]


app = FastAPI(title="Reference declaration of the batch and workload bodies")
ACCEPTED = {"ok": True}


@app.post("/api/v1/batches")
def create_batch(batch: BatchCreate) -> dict[str, Any]:
    return ACCEPTED


@app.post("/api/v2/batches/{batch_id}/jobs")
def add_jobs(batch_id: str, jobs: list[JobCreate]) -> dict[str, Any]:
    return ACCEPTED


@app.patch("/api/v1/batches/{batch_id}/tags")
def set_tags(batch_id: str, tags: Annotated[list[str], Body()]) -> dict[str, Any]:
    return ACCEPTED


@app.patch("/api/v1/batches/cancel")
def cancel_batches(selection: CancelBatches) -> dict[str, Any]:
    return ACCEPTED


@app.post("/api/v1/workloads")
def create_workload(workload: WorkloadCreate) -> dict[str, Any]:
    return ACCEPTED
