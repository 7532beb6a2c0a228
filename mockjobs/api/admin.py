"""The control API under the reserved prefix /_mock: reset, jobs, faults, clock, journal."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..contract.bodies import load_object, read_json
from ..contract.control import (
    ARMED_RULE_ANSWER,
    CLOCK,
    CLOCK_ANSWER,
    FATE,
    FATES_ANSWER,
    FAULT_RULE,
    JOURNAL_ANSWER,
    RESET,
    RULES_ANSWER,
)
from ..contract.errors import RequestValidationError
from ..contract.query import JOURNAL_QUERY, parse_query
from ..data.fixtures import FixtureError
from ..errors import InvalidInput
from ..vocabulary import CONTROL_PREFIX
from . import current_mock

blueprint = Blueprint("admin", __name__, url_prefix=CONTROL_PREFIX)
MAX_RECORDS = 10_000  # job records a request adds at most (each is completed: ~0.2 ms)


@blueprint.post("/reset")
def reset() -> Response:
    """Back to the configured data set, or to another one (which then stays); the journal,
    the faults and the clock afresh."""
    try:
        current_mock().reset(**load_object(RESET, request.get_data()))
    except InvalidInput as error:  # a file named: it cannot be read, or holds bad records
        raise RequestValidationError(
            [{"type": "value_error", "loc": ["body", field], "msg": message}
             for field, message in error.problems]
        ) from None  # fmt: skip
    return jsonify(status="ok")


@blueprint.post("/jobs")
def add_jobs() -> tuple[Response, int]:
    """Add job records (a list, or `{"jobs": [...]}`), partial ones completed; all or nothing."""
    body = read_json(request.get_data())
    records = body.get("jobs") if isinstance(body, dict) else body
    if isinstance(records, list) and len(records) > MAX_RECORDS:
        raise RequestValidationError(
            [{"type": "too_long", "loc": ["body"], "msg": f"At most {MAX_RECORDS} records a request",
              "input": {}, "ctx": {"max_length": MAX_RECORDS, "actual_length": len(records)}}]
        )  # fmt: skip
    try:
        added = current_mock().add_jobs(body)
    except FixtureError as error:  # every error found, each located
        raise RequestValidationError([located(each) for each in error.all]) from None
    return jsonify(data=added), 201


def located(error: FixtureError) -> dict[str, Any]:
    """A fixture error as a 422's entry: `["body", ("batches",) index, field]`."""
    return {"type": "value_error", "loc": ["body", *error.location], "msg": error.reason}


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


@blueprint.post("/fates")
def decide_fates() -> tuple[Response, int]:
    """The next `count` submitted jobs end `status` (ERROR: with `errors`), whatever the error rate."""
    fate = load_object(FATE, request.get_data())
    fates = current_mock().batches.decide(fate["status"], fate["count"], fate["errors"])
    return jsonify(FATES_ANSWER.dump({"data": fates})), 201


@blueprint.get("/fates")
def list_fates() -> Response:
    return jsonify(FATES_ANSWER.dump({"data": current_mock().batches.fates()}))


@blueprint.delete("/fates")
def clear_fates() -> Response:
    current_mock().batches.forget_fates()
    return jsonify(data=[])


@blueprint.get("/clock")
def read_clock() -> Response:
    return jsonify(CLOCK_ANSWER.dump({"now": current_mock().clock.now()}))


@blueprint.post("/clock")
def advance_clock() -> Response:
    """`{"advance": SECONDS}`: move the clock forward (with lifecycle on, the jobs follow)."""
    seconds = load_object(CLOCK, request.get_data())["advance"]
    try:
        now = current_mock().advance_clock(seconds)
    except ValueError as error:
        raise RequestValidationError(
            [{"type": "value_error", "loc": ["body", "advance"], "msg": str(error)}]
        ) from None
    return jsonify(CLOCK_ANSWER.dump({"now": now}))


@blueprint.get("/requests")
def list_requests() -> Response:
    """The requests received (not those to /_mock), oldest first; `?limit=N` the newest N."""
    page = parse_query(request.args, schema=JOURNAL_QUERY)
    entries, total = current_mock().journal.page(page["limit"], page["offset"])
    return jsonify(JOURNAL_ANSWER.dump({"data": entries, "total": total}))


@blueprint.delete("/requests")
def clear_requests() -> Response:
    current_mock().journal.clear()
    return jsonify(data=[])
