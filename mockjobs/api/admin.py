"""The control API under the reserved prefix /_mock: reset, jobs, faults, clock, journal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..errors import RequestValidationError
from ..faults import FaultRuleSchema
from ..fixtures import FixtureError
from ..models import format_timestamp
from . import current_mock

blueprint = Blueprint("admin", __name__, url_prefix="/_mock")


@blueprint.post("/reset")
def reset() -> Response:
    """Back to the configured data set; the journal is cleared."""
    current_mock().reset()
    return jsonify(status="ok")


@blueprint.post("/jobs")
def add_jobs() -> tuple[Response, int]:
    """Add job records (a list, or `{"jobs": [...]}`), partial ones completed; all or nothing."""
    body = json_body()
    try:
        added = current_mock().add_jobs(body)
    except FixtureError as error:
        loc: list[Any] = ["body"]
        if error.index is not None:
            loc.append(error.index)
        if error.field is not None:
            loc.append(error.field)
        raise RequestValidationError(
            [{"type": "value_error", "loc": loc, "msg": error.reason}]
        ) from None
    return jsonify(data=added), 201


@blueprint.post("/faults")
def arm_fault() -> tuple[Response, int]:
    """Arm a fault rule; matching requests get its status, its delay, or a dropped connection."""
    return jsonify(data=current_mock().faults.arm(load_body(FAULT_RULE)).to_json()), 201


@blueprint.get("/faults")
def list_faults() -> Response:
    return jsonify(data=[rule.to_json() for rule in current_mock().faults.rules()])


@blueprint.delete("/faults")
def clear_faults() -> Response:
    current_mock().faults.clear()
    return jsonify(data=[])


@blueprint.get("/clock")
def read_clock() -> Response:
    return jsonify(now=format_timestamp(current_mock().clock.now()))


@blueprint.post("/clock")
def advance_clock() -> Response:
    """`{"advance": SECONDS}`: move the clock forward (with lifecycle on, the jobs follow)."""
    now = current_mock().advance_clock(load_body(CLOCK)["advance"])
    return jsonify(now=format_timestamp(now))


@blueprint.get("/requests")
def list_requests() -> Response:
    """The requests received (not those to /_mock), oldest first."""
    return jsonify(data=[entry.to_json() for entry in current_mock().journal.entries()])


@blueprint.delete("/requests")
def clear_requests() -> Response:
    current_mock().journal.clear()
    return jsonify(data=[])


class ClockSchema(Schema):
    class Meta:
        unknown = RAISE

    advance = fields.Float(
        required=True, allow_nan=False, validate=validate.Range(0, 10 * 365 * 86400)
    )


FAULT_RULE = FaultRuleSchema()
CLOCK = ClockSchema()


def load_body(schema: Schema) -> dict[str, Any]:
    """The request's JSON object loaded by `schema`, or a 422 naming each field at fault."""
    try:
        return schema.load(object_body())
    except ValidationError as error:
        raise RequestValidationError(list(field_errors(error.messages))) from None


def object_body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise RequestValidationError(
            [
                {
                    "type": "model_attributes_type",
                    "loc": ["body"],
                    "msg": "Input should be an object",
                    "input": body,
                }
            ]
        )
    return body


def field_errors(messages: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """marshmallow's messages as FastAPI-shaped errors naming each field."""
    for field, problems in messages.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            yield {"type": "value_error", "loc": ["body", field], "msg": str(problem)}


def json_body() -> Any:
    """The request's JSON body, or a 422 in FastAPI's shape."""
    text = request.get_data(as_text=True)
    try:
        return json.loads(text)
    except ValueError as error:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ["body", getattr(error, "pos", 0)],
              "msg": "JSON decode error", "input": {}, "ctx": {"error": str(error).split(":")[0]}}]
        ) from None  # fmt: skip
