"""The control API under the reserved prefix /_mock: reset, add jobs, read the journal."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..errors import RequestValidationError
from ..fixtures import FixtureError
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


@blueprint.get("/requests")
def list_requests() -> Response:
    """The requests received (not those to /_mock), oldest first."""
    return jsonify(data=[entry.to_json() for entry in current_mock().journal.entries()])


@blueprint.delete("/requests")
def clear_requests() -> Response:
    current_mock().journal.clear()
    return jsonify(data=[])


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
