"""GET /api/v2/jobs: the job list."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from ..models import RESPONSE_FIELDS
from ..openapi import openapi_document
from ..schemas import JobSchema, parse_query
from . import current_mock

blueprint = Blueprint("jobs", __name__)
JOBS = JobSchema(only=RESPONSE_FIELDS, many=True)


@blueprint.get("/api/v2/jobs")
def list_jobs() -> Response:
    """A page of the jobs matching the query, in the JSend envelope, with Content-Range."""
    params = parse_query(request.args, strict=current_app.config["STRICT"])
    total, jobs = current_mock().store.list_jobs(params)
    start, end = params["offset"], params["offset"] + len(jobs)
    response = jsonify(
        status="success",
        message="OK.",
        code="200",
        data=JOBS.dump(jobs),
        pagination={"total": total, "start": start, "end": end},
    )
    response.headers["Content-Range"] = content_range(start, end, total)
    return response


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API, generated from the schemas that validate it."""
    return jsonify(openapi_document())


def content_range(start: int, end: int, total: int) -> str:
    """`1-100/500` for the first 100 of 500 (1-based, inclusive); `*/500` for no jobs."""
    return f"{start + 1}-{end}/{total}" if end > start else f"*/{total}"
