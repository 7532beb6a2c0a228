"""The blueprints: thin views over the mock. Jobs, the /_mock control API, the dashboard."""

from __future__ import annotations

from flask import current_app

from ..mock.state import Mock


def current_mock() -> Mock:
    """The state of the app handling the request."""
    return current_app.extensions["mockjobs"]
