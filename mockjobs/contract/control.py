"""The bodies of the control API (/_mock): fault rules and the clock."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from ..vocabulary import CONTROL_PREFIX, FAULT_STATUSES, HTTP_METHODS

MAX_ADVANCE = 10 * 365 * 86400  # seconds the clock moves at most in one advance
MAX_TIMES = 1_000_000_000  # answers a rule gives at most (leave `times` out: until cleared)
MAX_TEXT = 2048  # characters of a rule's path, and of each query name and value


class Number(fields.Float):
    """A JSON number, never a string that reads as one (`"10"`) nor a boolean."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


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
                rf"^/(?!{CONTROL_PREFIX[1:]}(/|$))",
                error=f"Must start with '/' and not be under {CONTROL_PREFIX}.",
            ),
        ],
    )
    query = fields.Dict(
        keys=fields.String(validate=validate.Length(max=MAX_TEXT)),
        values=fields.String(validate=validate.Length(max=MAX_TEXT)),
        load_default=dict,
        validate=validate.Length(max=32),
    )
    status = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.OneOf(FAULT_STATUSES)
    )
    times = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(1, MAX_TIMES)
    )
    delay_ms = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 60_000))
    retry_after = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(0, 86_400)
    )
    drop = fields.Boolean(load_default=False)

    @post_load
    def needs_an_effect(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data["status"] is None and not data["drop"] and not data["delay_ms"]:
            raise ValidationError("Give a status, a delay_ms or drop.", "status")
        return data


class ClockSchema(Schema):
    """The body of POST /_mock/clock."""

    class Meta:
        unknown = RAISE

    advance = Number(required=True, allow_nan=False, validate=validate.Range(0, MAX_ADVANCE))


FAULT_RULE = FaultRuleSchema()
CLOCK = ClockSchema()
