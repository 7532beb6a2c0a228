"""MockJobsClient: the control of a mockjobs running anywhere, through its control API (/_mock).

`mockjobs serve` as a CI service, a shared mock, or a server another process started: the
same methods and journal assertions as MockJobsServer (MockControl's), over HTTP, with the
standard library's client. Errors are mockjobs's own: InvalidInput naming the field (a 422),
Refused (a 400), ServerUnavailable (nothing answers, or not as mockjobs does),
UnexpectedAnswer (any other status; 401: the token).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .control import MockControl, Record
from .errors import InvalidInput, Refused, ServerUnavailable, UnexpectedAnswer
from .mock.journal import FIELDS, RecordedRequest
from .vocabulary import CONTROL_PREFIX

TIMEOUT = 600.0  # seconds a control request may take: a reset to a new data set of up to
# a million jobs generates it (minutes)


class MockJobsClient(MockControl):
    """The control of the mockjobs at `url`: `MockJobsClient("http://127.0.0.1:8000").reset()`.

    `token`: the server's `--token`, sent as `Authorization: Bearer TOKEN`.
    """

    def __init__(self, url: str, token: str | None = None, *, timeout: float = TIMEOUT) -> None:
        self.url = server_url(url)
        self.token, self.timeout = token, timeout

    def __repr__(self) -> str:
        return f"MockJobsClient({self.url!r})"

    # -- the control ----------------------------------------------------------------------

    def add_jobs(self, records: Sequence[Record] | Record) -> list[Record]:
        if not isinstance(records, dict):
            records = list(records)
        return self._call("POST", "/jobs", records, "add_jobs")["data"]

    def _reset(self, body: dict[str, Any]) -> None:
        self._call("POST", "/reset", body, "reset")

    def _arm_fault(self, body: Record) -> Record:
        return self._call("POST", "/faults", body, "arm_fault")["data"]

    @property
    def faults(self) -> list[Record]:
        return self._call("GET", "/faults")["data"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def _decide_fates(self, body: Record) -> list[Record]:
        return self._call("POST", "/fates", body, "decide_fates")["data"]

    @property
    def fates(self) -> list[Record]:
        return self._call("GET", "/fates")["data"]

    def clear_fates(self) -> None:
        self._call("DELETE", "/fates")

    @property
    def now(self) -> datetime:
        return datetime.fromisoformat(self._call("GET", "/clock")["now"])

    def _advance_clock(self, seconds: float) -> datetime:
        answer = self._call("POST", "/clock", {"advance": seconds}, "advance_clock")
        return datetime.fromisoformat(answer["now"])

    @property
    def requests(self) -> list[RecordedRequest]:
        entries = self._call("GET", "/requests")["data"]
        return [RecordedRequest(**{name: entry.get(name) for name in FIELDS}) for entry in entries]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    # -- HTTP -----------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, operation: str = "") -> Any:
        """The JSON answer of a control request; an error of mockjobs's own otherwise."""
        url = f"{self.url}{CONTROL_PREFIX}{path}"
        request = urllib.request.Request(url, method=method, headers={"Accept": "application/json"})
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                status, text = error.code, error.read()
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise ServerUnavailable(f"no mockjobs answers at {self.url}: {reason}") from None
        try:
            answer = json.loads(text)
        except ValueError:
            raise ServerUnavailable(
                f"{method} {url}: HTTP {status}, not JSON: is {self.url} a mockjobs?"
            ) from None
        if 200 <= status < 300:
            return answer
        raise failure(f"{method} {url}", status, answer, operation or f"{method} {path}")


def server_url(url: str, name: str = "url") -> str:
    """A server's base URL, what precedes /api/...: http(s)://HOST[:PORT][/PATH], or
    InvalidInput naming the argument (or option) `name`."""
    parts = urllib.parse.urlsplit(url.strip())
    try:
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise InvalidInput([(name, f"expected http(s)://HOST[:PORT][/PATH], got {url!r}")])
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/")))


def failure(request: str, status: int, answer: Any, operation: str) -> Exception:
    """The error of mockjobs's own that a control request's error answer stands for."""
    said = answer.get("detail") or answer.get("message") if isinstance(answer, dict) else None
    if status == 422 and isinstance(said, list) and all(isinstance(e, dict) for e in said):
        return InvalidInput(
            [(".".join(map(str, entry.get("loc", [])[1:])), str(entry.get("msg"))) for entry in said],
            operation,
        )  # fmt: skip
    if status == 400:
        return Refused(f"{operation}: {said}")
    if status == 404:  # no control API there: another server, or a path before /_mock
        return ServerUnavailable(f"{request}: HTTP 404: is this a mockjobs (its base URL)?")
    hint = " (give the server's --token)" if status in (401, 403) else ""
    return UnexpectedAnswer(f"{request}: HTTP {status}: {said}{hint}", status)
