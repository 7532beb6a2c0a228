"""The request journal: what a server received, bounded, and assertions on it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from ..store.state import JournalTable


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it, and the status it answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int
    time: str = field(compare=False)
    response: Any = field(default=None, compare=False)  # the JSON body of an error answer

    @property
    def url(self) -> str:
        """`GET /api/v2/jobs?status=DONE` style: path and query."""
        query = urlencode([(k, v) for k, values in self.query.items() for v in values])
        return f"{self.path}?{query}" if query else self.path

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.method} {self.url} -> {self.status}"


class Journal:
    """The most recent requests, oldest first, from every process sharing the store."""

    def __init__(self, table: JournalTable) -> None:
        self.table = table

    def record(self, entry: RecordedRequest) -> None:
        self.table.append(entry.to_json())

    def entries(self) -> list[RecordedRequest]:
        return [RecordedRequest(**entry) for entry in self.table.entries()]

    def clear(self) -> None:
        self.table.clear()


def normalize_query(query: dict[str, Any] | None) -> dict[str, list[str]]:
    """`{"status": ["DONE"], "limit": 10}` from any mix of scalars and lists."""
    normalized = {}
    for key, value in (query or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        normalized[key] = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return normalized


def matches(
    entry: RecordedRequest, method: str, path: str, query: dict[str, list[str]], exact: bool
) -> bool:
    if (entry.method, entry.path) != (method, path):
        return False
    if exact:
        return entry.query == query
    return all(entry.query.get(key) == values for key, values in query.items())


def assert_request_made(
    entries: list[RecordedRequest],
    path: str,
    query: dict[str, Any] | None = None,
    *,
    method: str = "GET",
    count: int | None = None,
    exact: bool = False,
) -> list[RecordedRequest]:
    """The requests to `path` with these query values; AssertionError listing the closest if none.

    `query` values may be scalars or lists; a request matches when it has these values for
    these parameters (and, with `exact`, no other parameter). `count` asks for exactly that
    many matching requests, instead of at least one.
    """
    wanted = normalize_query(query)
    found = [entry for entry in entries if matches(entry, method.upper(), path, wanted, exact)]
    if (count is None and found) or (count is not None and len(found) == count):
        return found
    expected = f"{method.upper()} {RecordedRequest(method, path, wanted, {}, 0, '').url}"
    how_many = "at least one request" if count is None else f"{count} request(s)"
    lines = [
        f"expected {how_many} like {expected}{' (exactly)' if exact else ''}, got {len(found)}."
    ]
    closest = sorted(entries, key=lambda e: -similarity(e, method.upper(), path, wanted))[:5]
    if closest:
        lines.append(f"The closest of the {len(entries)} requests received:")
        lines += [f"  {entry}" for entry in closest]
    else:
        lines.append("No request was received.")
    raise AssertionError("\n".join(lines))


def similarity(
    entry: RecordedRequest, method: str, path: str, query: dict[str, list[str]]
) -> float:
    """How close a request is to the expected one: path and method first, then query values."""
    score = 4.0 * (entry.path == path) + 2.0 * (entry.method == method)
    for key, values in query.items():
        if key in entry.query:
            score += 0.5 + 0.5 * (entry.query[key] == values)
    return score
