"""The control API under the reserved prefix /_mock: reset, jobs, faults, clock, journal."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..contract.bodies import load_object, read_json
from ..contract.control import (
    ARMED_RULE_ANSWER,
    CLOCK,
    CLOCK_ANSWER,
    FAULT_RULE,
    JOURNAL_ANSWER,
    RULES_ANSWER,
)
from ..contract.errors import RequestValidationError
from ..data.fixtures import FixtureError
from ..vocabulary import CONTROL_PREFIX
from . import current_mock

blueprint = Blueprint("admin", __name__, url_prefix=CONTROL_PREFIX)


@blueprint.post("/reset")
def reset() -> Response:
    """Back to the configured data set; the journal, the faults and the clock afresh."""
    current_mock().reset()
    return jsonify(status="ok")


@blueprint.post("/jobs")
def add_jobs() -> tuple[Response, int]:
    """Add job records (a list, or `{"jobs": [...]}`), partial ones completed; all or nothing."""
    try:
        added = current_mock().add_jobs(read_json(request.get_data()))
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
    rule = current_mock().faults.arm(load_object(FAULT_RULE, request.get_data()))
    return jsonify(ARMED_RULE_ANSWER.dump({"data": rule})), 201


@blueprint.get("/faults")
def list_faults() -> Response:
    return jsonify(RULES_ANSWER.dump({"data": current_mock().faults.rules()}))


@blueprint.delete("/faults")
def clear_faults() -> Response:
    current_mock().faults.clear()
    return jsonify(data=[])


@blueprint.get("/clock")
def read_clock() -> Response:
    return jsonify(CLOCK_ANSWER.dump({"now": current_mock().clock.now()}))


@blueprint.post("/clock")
def advance_clock() -> Response:
    """`{"advance": SECONDS}`: move the clock forward (with lifecycle on, the jobs follow)."""
    now = current_mock().advance_clock(load_object(CLOCK, request.get_data())["advance"])
    return jsonify(CLOCK_ANSWER.dump({"now": now}))


@blueprint.get("/requests")
def list_requests() -> Response:
    """The requests received (not those to /_mock), oldest first."""
    return jsonify(JOURNAL_ANSWER.dump({"data": current_mock().journal.entries()}))


@blueprint.delete("/requests")
def clear_requests() -> Response:
    current_mock().journal.clear()
    return jsonify(data=[])
