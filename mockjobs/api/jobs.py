"""The job list, GET /api/v2/jobs, and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from ..contract.openapi import openapi_document
from ..contract.query import parse_query
from . import current_mock

blueprint = Blueprint("jobs", __name__)


@blueprint.get("/api/v2/jobs")
def list_jobs() -> Response:
    """A page of the jobs matching the query, in the JSend envelope, with Content-Range."""
    body, content_range = current_mock().job_page(
        request.query_string, lambda: parse_query(request.args, strict=current_app.config["STRICT"])
    )
    response = Response(body, mimetype="application/json")
    response.headers["Content-Range"] = content_range
    return response


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API, generated from the schemas that validate it."""
    return jsonify(openapi_document())
