"""The blueprints: the job list and one job's endpoints, the /_mock control API, the dashboard."""

from __future__ import annotations

from flask import current_app

from ..state import Mock


def current_mock() -> Mock:
    """The state of the app handling the request."""
    return current_app.extensions["mockjobs"]
