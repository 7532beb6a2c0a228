"""What the job API answers, as marshmallow schemas: views dump by them, OpenAPI shows them."""

from __future__ import annotations

from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, fields, validate

from ..vocabulary import JOB_FIELDS, RESPONSE_FIELDS
from .records import JobSchema


class JSendPaginationSchema(Schema):
    """Pagination information: `end` is exclusive."""

    class Meta:
        unknown = RAISE

    total = fields.Integer(required=True, validate=validate.Range(min=0))
    start = fields.Integer(required=True, validate=validate.Range(min=0))
    end = fields.Integer(required=True, validate=validate.Range(min=0))


class JobListSchema(Schema):
    """The envelope of the job list: JSend with pagination, as the API document has it."""

    class Meta:
        unknown = RAISE

    status = fields.String(
        required=True,
        validate=validate.OneOf(["success", "fail", "error"]),
        metadata={"default": "success"},
    )
    message = fields.String(required=True, metadata={"default": "OK."})
    code = fields.String(required=True, metadata={"default": "200"})
    data = fields.List(fields.Nested(JobSchema(only=RESPONSE_FIELDS)), required=True)
    pagination = fields.Nested(JSendPaginationSchema, required=True)


class JSendSuccessSchema(Schema):
    """A JSend `success` answer (envelope.jsend_success); subclasses say what its `data` is."""

    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf(["success"]))
    message = fields.String(required=True)
    code = fields.String(required=True)


class JobAnswerSchema(JSendSuccessSchema):
    """One job: the list's 16 keys and its `sequence`."""

    data = fields.Nested(JobSchema(only=JOB_FIELDS), required=True)


class JobStatusAnswerSchema(JSendSuccessSchema):
    """What a client polls while it waits: the job's id and status."""

    data = fields.Nested(JobSchema(only=("id", "status")), required=True)


class ResultsLinkSchema(Schema):
    """A link that needs no token, like a pre-signed URL."""

    class Meta:
        unknown = RAISE

    results_link = fields.Url(required=True, allow_none=True, metadata={"format": "uri"})


class ResultsLinkAnswerSchema(JSendSuccessSchema):
    """Where to download the job's results; null for a job without results."""

    data = fields.Nested(ResultsLinkSchema, required=True)


class ResultsSchema(Schema):
    """A job's results: generated ones are counts and samples; a stored one is as it was given."""

    class Meta:
        unknown = INCLUDE  # a fixture's `result` is any object

    counter = fields.Dict(keys=fields.String(), values=fields.Integer(validate=validate.Range(1)))
    raw = fields.List(fields.String())


class JSendFailSchema(Schema):
    """A JSend `fail` answer (envelope.jsend_fail): an unknown job, a refused transition."""

    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf(["fail"]))
    message = fields.String(required=True)
    code = fields.String(required=True)
    data = fields.Raw(required=True, metadata={"type": "null"})


class ValidationErrorSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # FastAPI documents no additionalProperties here (ctx, input, url)

    loc = fields.List(
        fields.Raw(metadata={"anyOf": [{"type": "string"}, {"type": "integer"}]}), required=True
    )
    msg = fields.String(required=True)
    type = fields.String(required=True)


class HTTPValidationErrorSchema(Schema):
    """FastAPI's 422 body (errors.RequestValidationError)."""

    class Meta:
        unknown = EXCLUDE

    detail = fields.List(
        fields.Nested(ValidationErrorSchema), required=True, validate=validate.Length(min=1)
    )


JOB_ANSWER = JobAnswerSchema()
JOB_STATUS_ANSWER = JobStatusAnswerSchema()
RESULTS_LINK_ANSWER = ResultsLinkAnswerSchema()


class DetailSchema(Schema):
    """`{"detail": "..."}`: an answer of the server itself (404, 405, 413, 415, 400 for a Host)."""

    detail = fields.String(required=True)
