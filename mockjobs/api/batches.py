"""Batches: submit, read, poll, close, add jobs, cancel, rebatch, tag, list (SPEC section 11)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema

from ..contract import batches as contract
from ..contract.body_fields import List, load_body
from ..contract.envelope import jsend_success
from ..contract.errors import RequestValidationError
from ..contract.query import parse_query
from . import current_mock
from .bodies import json_body

blueprint = Blueprint("batches", __name__)
BATCH_QUERY = contract.BatchQuerySchema()
SELECTION = contract.JobSelectionSchema()
CREATE, CANCEL_MANY = contract.BatchCreateSchema(), contract.CancelBatchesSchema()


def answer(schema: Schema, data: Any) -> Response:
    """A JSend success around `data`, as `schema` (contract.batches) says it."""
    return jsonify(schema.dump(jsend_success(data)))


def batch(record: dict[str, Any]) -> Response:
    return answer(contract.BATCH_ANSWER, record)


def body(schema: Schema | None, root: List | None = None) -> Any:
    """The request's body loaded by `schema` (or as the list `root`), or FastAPI's 422."""
    return load_body(schema, json_body(), root)


@blueprint.post("/api/v1/batches")
def create_batch() -> tuple[Response, int]:
    """A new batch and its jobs, queued now; `open` ones take more jobs until closed."""
    received = json_body()
    given = load_body(CREATE, received)
    if not given["open"] and not given["jobs"]:
        raise_value_error("a closed batch needs at least one job", received)
    if given["sequence_builder"] is None and any(job["sequence"] is None for job in given["jobs"]):
        raise_value_error("a job needs a sequence when the batch has no sequence_builder", received)
    return batch(current_mock().batches.create(given)), 200


def raise_value_error(message: str, received: Any) -> None:
    """What a pydantic model validator's ValueError makes of a body: one error, located at
    the body itself, whose input is the body as received."""
    raise RequestValidationError(
        [{"type": "value_error", "loc": ["body"], "msg": f"Value error, {message}",
          "input": received, "ctx": {"error": {}}}]
    )  # fmt: skip


@blueprint.get("/api/v1/batches")
def list_batches() -> Response:
    """A page of the batches matching the SDK's BatchFilters, newest first, with Content-Range."""
    content, content_range = current_mock().batches.page(
        request.query_string,
        lambda: parse_query(request.args, strict=current_app.config["STRICT"], schema=BATCH_QUERY),
    )
    response = Response(content, mimetype="application/json")
    response.headers["Content-Range"] = content_range
    return response


@blueprint.get("/api/v2/batches/<batch_id>")
def get_batch(batch_id: str) -> Response:
    return batch(current_mock().batches.get(batch_id))


@blueprint.get("/api/v1/batches/<batch_id>/status")
def get_batch_status(batch_id: str) -> Response:
    """What `wait=True` polls; in fast-forward mode a submitted batch is done by then."""
    return answer(contract.BATCH_STATUS_ANSWER, current_mock().batches.status(batch_id))


@blueprint.patch("/api/v2/batches/<batch_id>/complete")
def close_batch(batch_id: str) -> Response:
    return batch(current_mock().batches.close(batch_id))


@blueprint.post("/api/v2/batches/<batch_id>/jobs")
def add_jobs(batch_id: str) -> Response:
    specs = body(None, contract.ADD_JOBS)
    return batch(current_mock().batches.add_jobs(batch_id, specs))


@blueprint.patch("/api/v2/batches/<batch_id>/cancel")
def cancel_batch(batch_id: str) -> Response:
    return batch(current_mock().batches.cancel(batch_id))


@blueprint.patch("/api/v1/batches/cancel")
def cancel_batches() -> Response:
    ids = body(CANCEL_MANY)["batch_ids"]
    cancelled, errors = current_mock().batches.cancel_many(ids)
    return answer(contract.CANCELLED_BATCHES_ANSWER, {"batches": cancelled, "errors": errors})


@blueprint.patch("/api/v2/batches/<batch_id>/cancel/jobs")
def cancel_jobs(batch_id: str) -> Response:
    selection = parse_query(request.args, schema=SELECTION)
    jobs, errors = current_mock().batches.cancel_jobs(batch_id, selection)
    return answer(contract.CANCELLED_JOBS_ANSWER, {"jobs": jobs, "errors": errors})


@blueprint.post("/api/v1/batches/<batch_id>/rebatch")
def rebatch(batch_id: str) -> Response:
    selection = parse_query(request.args, schema=SELECTION)
    return batch(current_mock().batches.rebatch(batch_id, selection))


@blueprint.patch("/api/v1/batches/<batch_id>/tags")
def set_tags(batch_id: str) -> Response:
    tags = body(None, contract.TAGS)
    return batch(current_mock().batches.set_tags(batch_id, tags))
