"""The request journal: what a server received, bounded, and assertions on it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from ..contract.query import KEPT_QUERY, query_lists
from ..store.journal import JournalStorage
from ..vocabulary import timestamp_now

MAX_TEXT = 256  # characters kept of a path, a query value or a header
MAX_PART = 4096  # characters kept of a query's values, of the headers, of an error answer's JSON
MAX_BODY = 32 * 1024  # characters kept of a request body's JSON (a batch with its sequence)
SECRETS = ("authorization", "proxy-authorization", "cookie", "x-api-key")  # kept redacted
KEPT_HEADERS = 16  # requests with at most this many headers share their bounded headers


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
    body: Any = field(default=None, compare=False)  # the JSON a POST, PUT or PATCH sent (inflated)

    @property
    def url(self) -> str:
        """`GET /api/v2/jobs?status=DONE` style: path and query."""
        query = urlencode([(k, v) for k, values in self.query.items() for v in values])
        return f"{self.path}?{query}" if query else self.path

    def to_json(self) -> dict[str, Any]:
        """Its fields, as they are (a shallow copy: asdict would copy them deep)."""
        return {name: getattr(self, name) for name in FIELDS}

    def __str__(self) -> str:
        return f"{self.method} {self.url} -> {self.status}"


FIELDS = tuple(f.name for f in fields(RecordedRequest))


class Journal:
    """The most recent requests, oldest first, from every process sharing the store.

    Bounded in bytes as well as in entries (`record`): about 46 KB an entry at most.
    """

    def __init__(self, table: JournalStorage) -> None:
        self.table = table

    def record(
        self,
        method: str,
        path: str,
        query: bytes,
        headers: dict[str, str],
        status: int,
        response: Any = None,
        body: Any = None,
    ) -> None:
        """Journal a request as RecordedRequest's fields (`query`: the query string as
        received), bounded, at the time now. Every request comes here, with the GIL held: no
        dataclass is made of it, and a short query or few headers are bounded once for all
        the requests that send them."""
        entry = {
            "method": method, "path": clip(path), "query": journal_query(query),
            "headers": bounded_headers(headers), "status": status, "time": timestamp_now(),
            "response": within(response, MAX_PART), "body": within(body, MAX_BODY),
        }  # fmt: skip
        self.table.append(entry)

    def entries(self, limit: int | None = None, offset: int = 0) -> list[RecordedRequest]:
        """The newest `limit` (all: None) after skipping the newest `offset`, oldest first."""
        return self.page(limit, offset)[0]

    def page(self, limit: int | None = None, offset: int = 0) -> tuple[list[RecordedRequest], int]:
        """`entries`, and how many the journal holds, read at once (they agree)."""
        entries, total = self.table.window(limit, offset)
        return [RecordedRequest(**entry) for entry in entries], total

    def count(self) -> int:
        return self.table.count()

    def clear(self) -> None:
        self.table.clear()


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """`text`, or its first `limit` characters and a marker saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[truncated {len(text) - limit} characters]"


def redact(name: str, value: str) -> str:
    """A credential's scheme only (`Bearer …`), so that the journal never shows a secret."""
    if name.lower() not in SECRETS:
        return clip(value)
    scheme, _, secret = value.partition(" ")
    return f"{clip(scheme, 32)} …" if secret and name.lower().endswith("authorization") else "…"


def journal_query(raw: bytes) -> dict[str, list[str]]:
    """A query string's lists, bounded: the same object for the same short query string."""
    return _kept_query(raw) if len(raw) <= KEPT_QUERY else bounded_query(query_lists(raw))


def bounded_query(given: dict[str, list[str]]) -> dict[str, list[str]]:
    """At most MAX_PART characters of names and values (a name counted with each value)."""
    if sum(len(n) * len(v) + sum(map(len, v)) for n, v in given.items()) < MAX_PART and all(
        len(n) <= MAX_TEXT and all(len(v) <= MAX_TEXT for v in values)
        for n, values in given.items()
    ):
        return given  # nothing to cut: most requests
    query: dict[str, list[str]] = {}
    room, left = MAX_PART, sum(map(len, given.values()))
    for name, values in given.items():
        kept = query.setdefault(clip(name), [])
        for value in values:
            if room <= 0:
                kept.append(f"…[{left} more values]")
                break
            kept.append(clip(value))
            room, left = room - len(kept[-1]) - len(name), left - 1
        if room <= 0 and left:
            break
    return query


def bounded_headers(given: dict[str, str]) -> dict[str, str]:
    """At most MAX_PART characters of names and values, secrets redacted: the same object for
    the same few headers (a client sends the same again), to be read, never changed."""
    items = tuple(given.items())
    if len(items) <= KEPT_HEADERS and sum(len(k) + len(v) for k, v in items) <= MAX_PART:
        return _kept_headers(items)
    return _bounded_headers(items)


def _bounded_headers(given: tuple[tuple[str, str], ...]) -> dict[str, str]:
    headers: dict[str, str] = {}
    room = MAX_PART
    for name, value in given:
        if room <= 0:
            headers["…"] = f"[{len(given) - len(headers)} more headers]"
            break
        headers[clip(name)] = redact(name, value)
        room -= len(name) + len(headers[clip(name)])
    return headers


# 256 short query strings (at most KEPT_QUERY bytes each)
_kept_query = lru_cache(maxsize=256)(lambda raw: bounded_query(query_lists(raw)))
# 256 sets of at most KEPT_HEADERS headers and MAX_PART characters (in this process's memory
# only, as the requests were: what the journal shows is redacted)
_kept_headers = lru_cache(maxsize=256)(_bounded_headers)


def within(value: Any, limit: int) -> Any:
    """A JSON value, or `{"truncated": its text clipped}` when its text is longer than `limit`."""
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False)
    return value if len(text) <= limit else {"truncated": clip(text, limit)}


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
