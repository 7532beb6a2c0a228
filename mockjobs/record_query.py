"""What `mockjobs record` asks for: the job list's filters as command-line options, checked
as the API checks them, into the job list's query."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from .contract.errors import RequestValidationError
from .contract.query import parse_query

# The job list's filters, in the API document's order: (parameter, repeated, metavar, help).
FILTERS = (
    ("id", True, "ID", "A job id (repeatable)."),
    ("id__starts_with", False, "TEXT", "Jobs whose id starts with TEXT."),
    ("batch_id", True, "ID", "A batch id (repeatable)."),
    ("project_id", True, "ID", "A project id (repeatable)."),
    ("user_id", True, "ID", "A user id (repeatable)."),
    ("status", True, "STATUS", "A job status (repeatable): PENDING, RUNNING, DONE, ..."),
    ("min_runs", False, "N", "Jobs of at least N runs."),
    ("max_runs", False, "N", "Jobs of at most N runs."),
    ("errors", False, "BOOL", "true: jobs with error messages; false: without."),
    ("origin", True, "ORIGIN", "An origin (repeatable): CLIENT AZURE OVH UNKNOWN."),
    ("start_date", False, "INSTANT", "Jobs started at or after the instant (ISO 8601 or Unix)."),
    ("end_date", False, "INSTANT", "Jobs ended at or before the instant."),
)


class BadOption(ValueError):
    """An option the command refuses before sending anything (exit status 2)."""


def option_name(parameter: str) -> str:
    """The command-line option of a query parameter: `id__starts_with` is --id-starts-with."""
    return "--" + parameter.replace("__", "_").replace("_", "-")


class Args:
    """Query pairs as parse_query reads them."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = pairs

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self.pairs)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key for key, _ in self.pairs))

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]


def job_query(filters: dict[str, Any]) -> list[tuple[str, str]]:
    """The job list's query of the filter options given, checked as the API checks it.

    Values are passed on as given; one the API would refuse is a BadOption naming the option.
    """
    pairs: list[tuple[str, str]] = []
    for parameter, repeated, _, _ in FILTERS:
        value = filters.get(parameter)
        values = list(value or ()) if repeated else ([] if value is None else [value])
        pairs.extend((parameter, text) for text in values)
    try:
        parse_query(Args(pairs))
    except RequestValidationError as error:
        raise BadOption(
            "; ".join(
                f"{option_name(e['loc'][1])} {e['input']!r}: {e['msg']}" for e in error.detail
            )
        ) from None
    return pairs


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The job list's filters as options of `record`: --status, --id-starts-with, ..."""
    for parameter, repeated, metavar, help_text in reversed(FILTERS):
        command = click.option(
            option_name(parameter), parameter, multiple=repeated,
            metavar=metavar, help=help_text,
        )(command)  # fmt: skip
    return command
