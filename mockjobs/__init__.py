"""mockjobs: a local mock of the job list API of a quantum-cloud service.

Public names are imported on first use, so that having mockjobs installed (its pytest
plugin is loaded by every pytest run) costs nothing until a name is used.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .client import MockJobsClient
    from .control import MockControl
    from .errors import InvalidInput, MockJobsError, Refused, ServerUnavailable, UnexpectedAnswer
    from .mock.journal import RecordedRequest
    from .server import MockJobsServer

__all__ = [
    "EXAMPLES",
    "InvalidInput",
    "MockControl",
    "MockJobsClient",
    "MockJobsError",
    "MockJobsServer",
    "RecordedRequest",
    "Refused",
    "ServerUnavailable",
    "UnexpectedAnswer",
    "__version__",
    "create_app",
]
PUBLIC = {
    "create_app": ".app",
    "MockJobsServer": ".server",
    "MockJobsClient": ".client",
    "MockControl": ".control",
    "RecordedRequest": ".mock.journal",
    **dict.fromkeys(
        ("InvalidInput", "MockJobsError", "Refused", "ServerUnavailable", "UnexpectedAnswer"),
        ".errors",
    ),
}


def __getattr__(name: str) -> Any:
    if name == "EXAMPLES":  # the example fixture files, shipped with the package
        return Path(__file__).resolve().parent / "examples"
    if name == "__version__":
        from importlib.metadata import version

        return version("mockjobs")
    if name in PUBLIC:
        return getattr(import_module(PUBLIC[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
