"""mockjobs: a local mock of the job list API of a quantum-cloud service."""

from __future__ import annotations

from .app import create_app

__version__ = "0.1.0"
__all__ = ["__version__", "create_app"]
