"""The blueprints: the public API, and (with the job-life issue) the /_mock control prefix."""

from __future__ import annotations

from flask import current_app

from ..state import Mock


def current_mock() -> Mock:
    """The state of the app handling the request."""
    return current_app.extensions["mockjobs"]
