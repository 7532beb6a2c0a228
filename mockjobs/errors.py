"""The exceptions mockjobs's Python API raises (MockJobsServer, MockJobsClient): one family.

Standard library only, imported by every layer.
"""

from __future__ import annotations

from collections.abc import Sequence


class MockJobsError(Exception):
    """Anything mockjobs's Python API refuses or cannot do."""


class InvalidInput(MockJobsError, ValueError):
    """An argument the mock refuses; nothing was changed.

    `problems` holds `(field, message)` pairs, the field a dotted path (`status`, `3.runs`,
    `batches.0.id`; empty for the whole input); the message says each of them in one line.
    """

    def __init__(self, problems: Sequence[tuple[str, str]], context: str = "") -> None:
        self.problems = list(problems)
        said = "; ".join(f"{field}: {message}" if field else message for field, message in problems)
        super().__init__(f"{context}: {said}" if context else said)

    @property
    def fields(self) -> list[str]:
        """The fields at fault, in the order they were found."""
        return [field for field, _ in self.problems]


class Refused(MockJobsError):
    """An operation the mock's state does not allow (a final job cancelled, more fates than
    it keeps); the message says why. Over HTTP, a 400 JSend `fail`."""


class ServerUnavailable(MockJobsError, ConnectionError):
    """No mockjobs answered at the URL (refused, timed out, cut off, or not a mockjobs)."""


class UnexpectedAnswer(MockJobsError):
    """The server answered with a status the operation does not expect (401: the token)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status
