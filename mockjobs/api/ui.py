"""The dashboard: one page at / and /_mock/ui, its assets served from the package."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("ui", __name__)
