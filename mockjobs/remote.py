"""A server of the API, read over HTTP with the standard library (for `mockjobs record`).

GET requests and their JSON answers; 429s and 5xx retried with backoff (Retry-After
honoured, up to a bound), a connection cut once the server has answered retried too; the
token sent to the server's own origin only, redirects included; the list paged with
`offset = end`. Every failure is a RecordError whose message names the URL.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PAGE = 100  # the list's largest page (0 < limit < 101)
ATTEMPTS = 5  # tries of a request answered 429 or 5xx (or cut off, once the server answered)
BACKOFF = 0.5  # seconds before the first retry, doubled each time, at most MAX_BACKOFF
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 120.0  # a longer Retry-After ends the recording rather than stall it
RETRIED = frozenset({429, 500, 502, 503, 504})


class RecordError(Exception):
    """The server could not be recorded; the message names the URL (exit status 1)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class KeepTokenOnItsHost(urllib.request.HTTPRedirectHandler):
    """Redirects, the token dropped when they lead to another host."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:  # fmt: skip
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and origin_of(newurl) != origin_of(req.full_url):
            new.remove_header("Authorization")
        return new


def origin_of(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc.lower()


@dataclass
class Client:
    """GET requests to one server, JSON answers, 429s and 5xx retried with backoff."""

    base: str
    token: str | None = None
    timeout: float = 30.0
    reached: bool = False  # once the server has answered, a cut connection is retried too
    opener: Any = field(default_factory=lambda: urllib.request.build_opener(KeepTokenOnItsHost))
    user_agent: str = "mockjobs-record"

    def url(self, path: str, query: Iterable[tuple[str, str]] = ()) -> str:
        text = urllib.parse.urlencode(list(query))
        return f"{self.base}{path}" + (f"?{text}" if text else "")

    def get(self, path: str, query: Iterable[tuple[str, str]] = ()) -> Any:
        """The JSON answer of GET base+path?query."""
        return self.get_url(self.url(path, query))

    def get_url(self, url: str) -> Any:
        """The JSON answer of GET url; the token is sent to the server's own origin only."""
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept": "application/json"})  # fmt: skip
        if self.token and origin_of(url) == origin_of(self.base):
            request.add_header("Authorization", f"Bearer {self.token}")
        body = self.fetch(request)
        try:
            return json.loads(body)
        except ValueError:
            raise RecordError(f"{url}: the answer is not JSON ({body[:60]!r})") from None

    def fetch(self, request: urllib.request.Request) -> bytes:
        url = request.full_url
        for attempt in range(1, ATTEMPTS + 1):
            last = attempt == ATTEMPTS
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    body = response.read()
                self.reached = True
                return body
            except urllib.error.HTTPError as error:
                with error:
                    status, headers, body = error.code, error.headers, error.read()
                self.reached = True
                if status not in RETRIED or last:
                    raise RecordError(http_failure(url, status, body, self.token), status) from None
                wait = retry_after(headers.get("Retry-After"))
                if wait is not None and wait > MAX_RETRY_AFTER:
                    raise RecordError(
                        f"{url}: HTTP {status}, and the server asks to retry after {wait:.0f} s"
                    ) from None
                time.sleep(backoff(attempt) if wait is None else wait)
            except urllib.error.URLError as error:
                reason = error.reason
                transient = isinstance(reason, TimeoutError | ConnectionResetError)
                if not (self.reached and transient) or last:
                    raise RecordError(f"cannot reach {url}: {describe(reason)}") from None
                time.sleep(backoff(attempt))
            except (http.client.HTTPException, OSError) as error:  # cut off, timed out
                if not self.reached or last:
                    raise RecordError(f"{url}: {describe(error)}") from None
                time.sleep(backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(self, path: str, query: Sequence[tuple[str, str]]) -> Iterator[tuple[list[Any], int]]:
        """Each page's items and the total, paging with `offset = end` until `end >= total`."""
        offset = 0
        while True:
            url = self.url(path, [*query, ("limit", str(PAGE)), ("offset", str(offset))])
            items, pagination = page_of(url, self.get_url(url))
            yield items, pagination["total"]
            if pagination["end"] >= pagination["total"] or not items:
                return
            if pagination["end"] <= offset:
                raise RecordError(f"{url}: the page ends at {pagination['end']}, not after it")
            offset = pagination["end"]


def page_of(url: str, body: Any) -> tuple[list[Any], dict[str, int]]:
    """A page's items and pagination, or a RecordError saying it is not a page of the API."""
    items = body.get("data") if isinstance(body, dict) else None
    pagination = body.get("pagination") if isinstance(body, dict) else None
    if (
        isinstance(items, list)
        and all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in items)
        and isinstance(pagination, dict)
        and all(isinstance(pagination.get(key), int) for key in ("total", "start", "end"))
    ):
        return items, pagination
    raise RecordError(f"{url}: not a page of the API (no 'data' list of records and 'pagination')")


def data_of(url: str, body: Any) -> Any:
    """The `data` of a JSend success."""
    if not isinstance(body, dict) or "data" not in body:
        raise RecordError(f"{url}: not a JSend answer (no 'data')")
    return body["data"]


def backoff(attempt: int) -> float:
    return min(BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF)


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date), None without one."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def http_failure(url: str, status: int, body: bytes, token: str | None) -> str:
    """One line for an error answer: the URL, the status and what the server said."""
    said = ""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        detail = answer.get("message") or answer.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            detail = f"{detail[0].get('loc')}: {detail[0].get('msg')}"
        if detail:
            said = f": {str(detail)[:200]}"
    line = f"{url}: HTTP {status} {http.client.responses.get(status, '')}".rstrip() + said
    if status in (401, 403):
        line += " (check --token)" if token else " (give --token)"
    return line


def describe(reason: Any) -> str:
    return getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
