"""The control API (/_mock) as marshmallow schemas: its bodies (fault rules, clock), its answers."""

from __future__ import annotations

from copy import copy
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, missing, post_load, validate

from ..vocabulary import CONTROL_PREFIX, FAULT_STATUSES, HTTP_METHODS
from .batches import PARTIAL_BATCH, BatchRecordSchema
from .json_fields import JsonBoolean, JsonInteger, JsonNumber
from .records import JobSchema, Timestamp

MAX_ADVANCE = 10 * 365 * 86400  # seconds the clock moves at most in one advance
MAX_TIMES = 1_000_000_000  # answers a rule gives at most (leave `times` out: until cleared)
MAX_TEXT = 2048  # characters of a rule's path, of each query name and value, of a file's path
MAX_SEED = 1_000_000  # generated jobs a reset through HTTP asks for, at most (minutes of work)
MAX_PATH = 1024  # characters of a fixture file's path
MAX_FIXTURES = 16  # fixture files a reset names, at most


class FaultRuleSchema(Schema):
    """The body of POST /_mock/faults."""

    class Meta:
        unknown = RAISE

    method = fields.String(load_default="GET", validate=validate.OneOf(HTTP_METHODS))
    path = fields.String(
        required=True,
        validate=[
            validate.Length(max=MAX_TEXT),
            validate.Regexp(
                rf"^/(?!{CONTROL_PREFIX[1:]}(/|$))[^\x00]*\Z",
                error=f"Must start with '/', not be under {CONTROL_PREFIX}, hold no U+0000.",
            ),
        ],
    )
    query = fields.Dict(
        keys=fields.String(validate=validate.Length(max=MAX_TEXT)),
        values=fields.String(validate=validate.Length(max=MAX_TEXT)),
        load_default=dict,
        validate=validate.Length(max=32),
    )
    status = JsonInteger(
        load_default=None, allow_none=True, validate=validate.OneOf(FAULT_STATUSES)
    )
    times = JsonInteger(load_default=None, allow_none=True, validate=validate.Range(1, MAX_TIMES))
    delay_ms = JsonInteger(load_default=0, validate=validate.Range(0, 60_000))
    retry_after = JsonInteger(
        load_default=None, allow_none=True, validate=validate.Range(0, 86_400)
    )
    drop = JsonBoolean(load_default=False)

    @post_load
    def needs_an_effect(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data["status"] is None and not data["drop"] and not data["delay_ms"]:
            raise ValidationError("Give a status, a delay_ms or drop.", "status")
        return data


# needs_an_effect in JSON Schema, for the OpenAPI document.
HAS_AN_EFFECT = {
    "anyOf": [
        {"required": ["status"], "properties": {"status": {"type": "integer"}}},
        {"required": ["delay_ms"], "properties": {"delay_ms": {"exclusiveMinimum": 0}}},
        {"required": ["drop"], "properties": {"drop": {"const": True}}},
    ]
}


class ResetSchema(Schema):
    """The body of POST /_mock/reset: `{}` for the configured data set, or another data set,
    which then becomes the configured one (a field left out keeps its configured value).

    JSON all the same, so that no page sends it.
    """

    class Meta:
        unknown = RAISE

    seed = JsonInteger(
        validate=validate.Range(0, MAX_SEED),
        metadata={"description": f"Generated jobs (at most {MAX_SEED:,} through HTTP)"},
    )
    random_seed = JsonInteger(validate=validate.Range(-(2**63), 2**63 - 1))
    fixtures = fields.List(
        fields.String(validate=validate.Length(1, MAX_PATH)),
        validate=validate.Length(max=MAX_FIXTURES),
        metadata={"description": "Fixture files, as paths on the server's machine"},
    )


class ClockSchema(Schema):
    """The body of POST /_mock/clock."""

    class Meta:
        unknown = RAISE

    advance = JsonNumber(required=True, allow_nan=False, validate=validate.Range(0, MAX_ADVANCE))


def given(field: fields.Field, **changes: Any) -> fields.Field:
    """A body's field as an answer has it: always there (`required`), with `changes`."""
    answered = copy(field)
    answered.required, answered.load_default = True, missing
    for name, value in changes.items():
        setattr(answered, name, value)
    return answered


RULE_FIELDS = FaultRuleSchema._declared_fields
# An armed rule, as the control API answers it: its id, then every field of the body.
FaultRuleAnswerSchema = Schema.from_dict(
    {
        "id": fields.Integer(required=True, validate=validate.Range(min=1)),
        **{name: given(field) for name, field in RULE_FIELDS.items()},
        # counted down as the rule is used; a used-up rule stays listed, at 0
        "times": given(RULE_FIELDS["times"], validators=[validate.Range(min=0)]),
    },
    name="FaultRuleAnswerSchema",
)


class ArmedRuleAnswerSchema(Schema):
    """POST /_mock/faults: the rule armed, with its id."""

    data = fields.Nested(FaultRuleAnswerSchema, required=True)


class RulesAnswerSchema(Schema):
    """GET and DELETE /_mock/faults: the rules armed, in the order they were armed."""

    data = fields.List(fields.Nested(FaultRuleAnswerSchema), required=True)


class ClearedAnswerSchema(Schema):
    """DELETE /_mock/faults and DELETE /_mock/requests: nothing left."""

    data = fields.List(fields.Raw(), required=True, validate=validate.Length(equal=0))


class JournalEntrySchema(Schema):
    """One request received (mock.journal.RecordedRequest)."""

    method = fields.String(required=True)  # any, as received: OPTIONS, or one answered 405
    path = fields.String(required=True)
    query = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    headers = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    status = fields.Integer(required=True)
    time = fields.String(required=True, metadata={"format": "date-time"})
    response = fields.Raw(required=True, metadata={"description": "The JSON of an error answer"})
    body = fields.Raw(
        required=True,
        metadata={"description": "The JSON a POST, PUT or PATCH sent, inflated if gzipped"},
    )


class JournalAnswerSchema(Schema):
    """GET /_mock/requests: a page of the journal, oldest first, and how many entries it holds."""

    data = fields.List(fields.Nested(JournalEntrySchema), required=True)
    total = fields.Integer(required=True, validate=validate.Range(min=0))


class ClockAnswerSchema(Schema):
    """GET and POST /_mock/clock: the mock's clock."""

    now = Timestamp(required=True)


class ResetAnswerSchema(Schema):
    """POST /_mock/reset: done."""

    status = fields.String(required=True, validate=validate.OneOf(["ok"]))


class JobsBodySchema(Schema):
    """POST /_mock/jobs as an object: `{"jobs": [records], "batches": [records]}`, partial
    ones completed (a fixture file's form)."""

    class Meta:
        unknown = RAISE

    jobs = fields.List(fields.Nested(JobSchema(partial=True)), required=True)
    batches = fields.List(fields.Nested(BatchRecordSchema(partial=PARTIAL_BATCH)))


MAX_FATES = 10_000  # submitted jobs whose fate is decided ahead, at most


class FateSchema(Schema):
    """The body of POST /_mock/fates: the next `count` submitted jobs end `status`."""

    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf(["DONE", "ERROR"]))
    count = JsonInteger(load_default=1, validate=validate.Range(1, MAX_FATES))
    errors = fields.List(
        fields.String(validate=validate.Length(1, MAX_TEXT)),
        load_default=list,
        validate=validate.Length(max=16),
        metadata={"description": "An ERROR job's messages (none: drawn as the error rate's are)"},
    )

    @post_load
    def errors_of_errors(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data["status"] == "DONE" and data["errors"]:
            raise ValidationError("A DONE job has no errors.", "errors")
        return data


class FatesAnswerSchema(Schema):
    """The fates decided, in the order the next submitted jobs take them."""

    data = fields.List(
        fields.Nested(Schema.from_dict({
            "status": fields.String(required=True), "errors": fields.List(fields.String(), required=True),
        }, name="FateAnswerSchema")),
        required=True,
    )  # fmt: skip


class AddedJobsAnswerSchema(Schema):
    """POST /_mock/jobs: the records added, completed."""

    data = fields.List(fields.Nested(JobSchema), required=True)


# errors_of_errors in JSON Schema, for the OpenAPI document.
NO_ERRORS_WHEN_DONE = {
    "if": {"properties": {"status": {"const": "DONE"}}},
    "then": {"properties": {"errors": {"maxItems": 0}}},
}
FATE = FateSchema()
FATES_ANSWER = FatesAnswerSchema()
FAULT_RULE = FaultRuleSchema()
CLOCK = ClockSchema()
RESET = ResetSchema()
ARMED_RULE_ANSWER = ArmedRuleAnswerSchema()
RULES_ANSWER = RulesAnswerSchema()
JOURNAL_ANSWER = JournalAnswerSchema()
CLOCK_ANSWER = ClockAnswerSchema()
