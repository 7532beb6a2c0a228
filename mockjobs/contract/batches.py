"""Batches: what a client sends and what it is answered (workloads, devices and projects:
resources.py).

The API document covers jobs only; for the rest, pasqal-cloud 0.24.0 is the contract (SPEC
section 11): the bodies its `http_client.py` sends, the fields its models read.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from ..vocabulary import (
    BATCH_FIELDS,
    BATCH_STATUSES,
    DEVICE_TYPES,
    INT64_MAX,
    QUEUE_PRIORITIES,
    RESPONSE_FIELDS,
    STATUSES,
)
from . import body_fields as body
from .answers import JSendPaginationSchema, JSendSuccessSchema
from .json_fields import JsonBoolean, JsonInteger
from .query import Bound, Enum, LaxBoolean, LaxDateTime, LaxInteger, strings
from .records import JobSchema, Timestamp, non_empty

DEFAULT_RUNS = 1000  # a job sent without `runs`: as many shots as Pulser's BitStrings take


# -- what a client sends ---------------------------------------------------------------------


class JobCreateSchema(body.BodySchema):
    """A job to run: `runs` shots of the batch's sequence (or its own), with `variables`."""

    runs = body.Int(load_default=None, allow_none=True, validate=Bound(1, INT64_MAX))
    variables = body.Dict(load_default=None, allow_none=True)
    sequence = body.Str(load_default=None, allow_none=True)


def job_list(**kwargs: object) -> body.List:
    return body.List(body.Model(JobCreateSchema), **kwargs)


class BatchCreateSchema(body.BodySchema):
    """POST /api/v1/batches, as `PasqalCloudClient.create_batch` sends it."""

    sequence_builder = body.Str(load_default=None, allow_none=True)
    jobs = job_list(required=True)
    open = body.Bool(load_default=False)
    device_type = body.Choice(DEVICE_TYPES, load_default=None, allow_none=True)
    project_id = body.Str(required=True, validate=body.MinLength(1))
    webhook = body.Str(load_default=None, allow_none=True)
    configuration = body.Dict(load_default=None, allow_none=True)
    backend_configuration = body.Str(load_default=None, allow_none=True)
    tags = body.List(body.Str(), load_default=None, allow_none=True)
    queue_priority = body.Choice(QUEUE_PRIORITIES, load_default="MEDIUM")


ADD_JOBS = job_list(required=True)  # POST /api/v2/batches/{id}/jobs: a list of jobs
TAGS = body.List(body.Str(), required=True)  # PATCH /api/v1/batches/{id}/tags: a list of tags


class CancelBatchesSchema(body.BodySchema):
    """PATCH /api/v1/batches/cancel."""

    batch_ids = body.List(body.Uuid(), required=True)


def created(description: str) -> LaxDateTime:
    """A bound on the creation instant."""
    return LaxDateTime(load_default=None, allow_none=False, metadata={"description": description})


class BatchQuerySchema(Schema):
    """GET /api/v1/batches: the SDK's BatchFilters and PaginationParams."""

    class Meta:
        unknown = EXCLUDE

    offset = LaxInteger(load_default=0, validate=Bound(min=0))
    limit = LaxInteger(load_default=100, validate=Bound(0, 100, min_inclusive=False))
    id = strings("Batch ids")
    project_id = strings("Owner projects")
    user_id = strings("Owner users")
    device_type = strings("Device types", Enum(DEVICE_TYPES))
    status = strings("Batch statuses", Enum(BATCH_STATUSES))
    open = LaxBoolean(load_default=None, allow_none=False)
    queue_priority = strings("Queue priorities", Enum(QUEUE_PRIORITIES))
    tag = fields.String(load_default=None, metadata={"description": "A tag the batch has"})
    start_date = created("Created at or after")
    end_date = created("Created at or before")


class JobSelectionSchema(Schema):
    """Which jobs of a batch to cancel (CancelJobFilters) or to copy (RebatchFilters, `status`)."""

    class Meta:
        unknown = EXCLUDE

    id = strings("Job ids")
    status = strings("Job statuses (rebatch only)", Enum(STATUSES))
    min_runs = LaxInteger(load_default=None, allow_none=False)
    max_runs = LaxInteger(load_default=None, allow_none=False)
    start_date = created("Created at or after")
    end_date = created("Created at or before")


# -- what it is answered ---------------------------------------------------------------------


# A batch's jobs counted by status: every status, 0 for none.
CountsSchema = Schema.from_dict(
    {
        status: JsonInteger(required=True, validate=validate.Range(0, INT64_MAX))
        for status in STATUSES
    },
    name="CountsSchema",
)


def counts() -> fields.Nested:
    return fields.Nested(CountsSchema, required=True)


class BatchSchema(Schema):
    """A batch as the SDK's `Batch` model reads it; `complete` is `not open` (deprecated)."""

    class Meta:
        unknown = RAISE
        ordered = True

    # Any text, as a job record's ids (submitted batches get UUIDs)
    id = fields.String(required=True, validate=non_empty)
    parent_id = fields.String(required=True, allow_none=True, validate=non_empty)
    status = fields.String(required=True, validate=validate.OneOf(BATCH_STATUSES))
    open = JsonBoolean(required=True)
    complete = fields.Function(lambda batch: not batch["open"], required=True)
    device_type = fields.String(required=True, validate=validate.OneOf(DEVICE_TYPES))
    device_status = fields.Function(lambda _: "UP", required=True)
    project_id = fields.String(required=True, validate=non_empty)
    user_id = fields.String(required=True, validate=non_empty)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    start_datetime = Timestamp(required=True, allow_none=True)
    end_datetime = Timestamp(required=True, allow_none=True)
    queue_priority = fields.String(required=True, validate=validate.OneOf(QUEUE_PRIORITIES))
    tags = fields.List(fields.String(), required=True)
    webhook = fields.String(required=True, allow_none=True)
    configuration = fields.Dict(required=True, allow_none=True)
    backend_configuration = fields.String(required=True, allow_none=True)
    jobs_count = JsonInteger(required=True, validate=validate.Range(0, INT64_MAX))
    jobs_count_per_status = counts()
    sequence_builder = fields.String(required=True, allow_none=True)


class BatchRecordSchema(BatchSchema):
    """A batch record of a fixture file: what a batch answers but `complete`/`device_status`."""

    class Meta:
        exclude = ("complete", "device_status")

    id = fields.String(required=True, validate=[non_empty, validate.Regexp(r"^[^/]*\Z")])


# A fixture's batch record: any top-level field may be left out, but not a status's count.
PARTIAL_BATCH = tuple(BatchRecordSchema().fields)


class BatchAnswerSchema(JSendSuccessSchema):
    """One batch, its sequence builder included."""

    data = fields.Nested(BatchSchema, required=True)


class BatchListSchema(JSendSuccessSchema):
    """A page of batches, newest first, as the job list pages its jobs."""

    data = fields.List(fields.Nested(BatchSchema(only=BATCH_FIELDS)), required=True)
    pagination = fields.Nested(JSendPaginationSchema, required=True)


class BatchStatusSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(BATCH_STATUSES))
    jobs_count = fields.Integer(required=True)
    jobs_count_per_status = counts()


class BatchStatusAnswerSchema(JSendSuccessSchema):
    """What `wait=True` polls: the batch's status and its jobs counted by status."""

    data = fields.Nested(BatchStatusSchema, required=True)


class CancelledBatchesSchema(Schema):
    batches = fields.List(fields.Nested(BatchSchema(only=BATCH_FIELDS)), required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class CancelledBatchesAnswerSchema(JSendSuccessSchema):
    """The batches cancelled, and why each other one was not."""

    data = fields.Nested(CancelledBatchesSchema, required=True)


class CancelledJobsSchema(Schema):
    jobs = fields.List(fields.Nested(JobSchema(only=RESPONSE_FIELDS)), required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class CancelledJobsAnswerSchema(JSendSuccessSchema):
    """The jobs cancelled, and why each other selected one was not."""

    data = fields.Nested(CancelledJobsSchema, required=True)


BATCH_ANSWER = BatchAnswerSchema()
BATCH_ITEM = BatchSchema(only=BATCH_FIELDS)
BATCH_STATUS_ANSWER = BatchStatusAnswerSchema()
CANCELLED_BATCHES_ANSWER = CancelledBatchesAnswerSchema()
CANCELLED_JOBS_ANSWER = CancelledJobsAnswerSchema()
