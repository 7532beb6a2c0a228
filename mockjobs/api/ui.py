"""The dashboard: one page at / and /_mock/ui, its assets served from the package.

The page is plain HTML, CSS and JavaScript (mockjobs/static/ui/), with no build step and
nothing fetched from elsewhere; it drives the API and the control API like any client.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, jsonify, send_from_directory
from marshmallow import fields

from ..contract.batches import BatchQuerySchema
from ..contract.query import QUERY_SCHEMA
from ..vocabulary import (
    BATCH_STATUSES,
    CONTROL_PREFIX,
    DEVICE_TYPES,
    FAULT_STATUSES,
    HTTP_METHODS,
    ORIGINS,
    QUEUE_PRIORITIES,
    SORTABLE_FIELDS,
    STATUSES,
)

ASSETS = Path(__file__).resolve().parent.parent / "static" / "ui"

# The page loads only its own files and talks only to this server.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

blueprint = Blueprint("ui", __name__)
BATCH_QUERY = BatchQuerySchema().fields
PAGING = ("order_by", "order_by_direction", "limit", "offset")
ASSET_NAMES = frozenset(path.name for path in ASSETS.iterdir())  # what the page loads, no more


@blueprint.get(f"{CONTROL_PREFIX}/ui/static/<path:name>")
def asset(name: str) -> Response:
    """One of the page's files, by its exact name (`app.js/` or `../x` is a 404)."""
    if name not in ASSET_NAMES:
        abort(404)
    response = send_from_directory(ASSETS, name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.get("/")
@blueprint.get(f"{CONTROL_PREFIX}/ui")
@blueprint.get(f"{CONTROL_PREFIX}/ui/")
def page() -> Response:
    response = send_from_directory(ASSETS, "index.html", max_age=0)
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get(f"{CONTROL_PREFIX}/ui/vocabulary.json")
def vocabulary() -> Response:
    """The API's words, for the page's choices: written once, in the package."""
    lists, scalars = filters_of(QUERY_SCHEMA.fields)
    batch_lists, batch_scalars = filters_of(BATCH_QUERY)
    return jsonify(
        statuses=STATUSES,
        origins=ORIGINS,
        sortable=SORTABLE_FIELDS,
        lists=lists,
        scalars=scalars,
        methods=HTTP_METHODS,
        fault_statuses=FAULT_STATUSES,
        batch_statuses=BATCH_STATUSES,
        device_types=DEVICE_TYPES,
        queue_priorities=QUEUE_PRIORITIES,
        batch_lists=batch_lists,
        batch_scalars=batch_scalars,
    )


def filters_of(query: dict[str, fields.Field]) -> tuple[list[str], list[str]]:
    """A query's filters: free-text lists (repeated, no fixed choices), then single values.

    The lists with fixed choices (statuses, origins, device types…) are the page's checkboxes.
    """
    filters = [name for name in query if name not in PAGING]
    lists = [
        n for n in filters if isinstance(query[n], fields.List) and not query[n].inner.validators
    ]
    return lists, [name for name in filters if not isinstance(query[name], fields.List)]
