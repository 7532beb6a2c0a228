"""The dashboard: one page at / and /_mock/ui, its assets served from the package.

The page is plain HTML, CSS and JavaScript (mockjobs/static/ui/), with no build step and
nothing fetched from elsewhere; it drives the API and the control API like any client.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

ASSETS = Path(__file__).resolve().parent.parent / "static" / "ui"

# The page loads only its own files and talks only to this server.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

blueprint = Blueprint("ui", __name__, static_folder=ASSETS, static_url_path="/_mock/ui/static")


@blueprint.get("/")
@blueprint.get("/_mock/ui")
@blueprint.get("/_mock/ui/")
def page() -> Response:
    response = send_from_directory(ASSETS, "index.html", max_age=0)
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-cache"
    return response
