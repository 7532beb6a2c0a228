"""Workloads, devices and projects: what a client sends and what it is answered.

The API document covers jobs only; for these, pasqal-cloud 0.24.0 is the contract (SPEC
section 11): the bodies its `http_client.py` sends, the fields its models read.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from ..vocabulary import DEVICE_TYPES, STATUSES
from . import body_fields as body
from .answers import JSendSuccessSchema
from .query import Enum
from .records import Timestamp

# -- what a client sends ---------------------------------------------------------------------


class WorkloadCreateSchema(body.BodySchema):
    """POST /api/v1/workloads, as `PasqalCloudClient.create_workload` sends it."""

    workload_type = body.Str(required=True)
    backend = body.Str(required=True)
    config = body.Dict(required=True)
    project_id = body.Str(required=True, validate=body.MinLength(1))


class ProjectQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    project_status = fields.String(load_default="ACTIVE", validate=Enum(("ACTIVE", "ARCHIVED")))


# -- what it is answered ---------------------------------------------------------------------


class WorkloadSchema(Schema):
    """A workload as the SDK's `Workload` model reads it; its result is behind `result_link`."""

    class Meta:
        unknown = RAISE
        ordered = True

    id = fields.String(required=True, metadata={"format": "uuid"})
    project_id = fields.String(required=True)
    user_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    backend = fields.String(required=True)
    workload_type = fields.String(required=True)
    config = fields.Dict(required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    start_timestamp = Timestamp(required=True, allow_none=True)
    end_timestamp = Timestamp(required=True, allow_none=True)
    errors = fields.List(fields.String(), required=True)
    result_link = fields.Url(required=True, allow_none=True)
    result = fields.Dict(required=True, allow_none=True)


class WorkloadAnswerSchema(JSendSuccessSchema):
    data = fields.Nested(WorkloadSchema, required=True)


class DeviceSpecsAnswerSchema(JSendSuccessSchema):
    """Each device type's specs: Pulser's abstract representation of the device, as text."""

    data = fields.Dict(
        keys=fields.String(validate=validate.OneOf(DEVICE_TYPES)), values=fields.String(),
        required=True,
    )  # fmt: skip


class PublicDeviceSchema(Schema):
    device_type = fields.String(required=True, validate=validate.OneOf(DEVICE_TYPES))
    status = fields.String(required=True, validate=validate.OneOf(["UP", "DOWN"]))
    specs = fields.String(required=True)


class PublicDevicesAnswerSchema(JSendSuccessSchema):
    """The devices, no token needed."""

    data = fields.List(fields.Nested(PublicDeviceSchema), required=True)


class ProjectSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["ACTIVE", "ARCHIVED"]))


class ProjectsAnswerSchema(JSendSuccessSchema):
    """The projects of the data set and of the batches submitted since: all ACTIVE."""

    data = fields.List(fields.Nested(ProjectSchema), required=True)


WORKLOAD_ANSWER = WorkloadAnswerSchema()
DEVICE_SPECS_ANSWER = DeviceSpecsAnswerSchema()
PUBLIC_DEVICES_ANSWER = PublicDevicesAnswerSchema()
PROJECTS_ANSWER = ProjectsAnswerSchema()
