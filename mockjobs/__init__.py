"""mockjobs: a local mock of the job list API of a quantum-cloud service."""

from __future__ import annotations

from importlib.metadata import version

from .app import create_app
from .journal import RecordedRequest
from .server import MockJobsServer

__version__ = version("mockjobs")
__all__ = ["MockJobsServer", "RecordedRequest", "__version__", "create_app"]
