"""GET /api/v2/jobs: the job list."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from ..openapi import openapi_document
from ..schemas import parse_query
from . import current_mock

blueprint = Blueprint("jobs", __name__)


@blueprint.get("/api/v2/jobs")
def list_jobs() -> Response:
    """A page of the jobs matching the query, in the JSend envelope, with Content-Range."""
    cache = current_mock().list_cache
    key = request.query_string
    answer = cache.answer_for(key)
    if answer is None:
        answer = cache.answer(key, parse_query(request.args, strict=current_app.config["STRICT"]))
    response = Response(answer.body, mimetype="application/json")
    response.headers["Content-Range"] = answer.content_range
    return response


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API, generated from the schemas that validate it."""
    return jsonify(openapi_document())
