"""What a request meets around its view: the token, armed faults, latency, the lifecycle,
and the journal that records it."""

from __future__ import annotations

import hmac
import random
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from waitress.channel import ClientDisconnected

from ..contract.envelope import jsend_error
from ..contract.errors import ApiError
from ..mock.journal import RecordedRequest
from ..vocabulary import CONTROL_PREFIX, format_timestamp
from . import current_mock

DASHBOARD = "X-Mockjobs-Dashboard"  # sent by the dashboard's own requests
# Documents, "pre-signed" result links, and the dashboard (which asks for the token itself).
PUBLIC = ("/openapi.json", "/results/", f"{CONTROL_PREFIX}/ui")
DROP = "mockjobs.drop"  # WSGI environ key: close the connection instead of answering


def register_gate(app: Flask) -> None:
    app.before_request(check_token)
    app.before_request(inject_fault)
    app.before_request(add_latency)
    app.before_request(run_lifecycle)
    app.after_request(record)
    app.wsgi_app = dropping(app.wsgi_app)  # type: ignore[method-assign]


def is_control() -> bool:
    return request.path.startswith(CONTROL_PREFIX)


def check_token(*_: object) -> None:
    """With a token configured, the API and the control API need `Authorization: Bearer TOKEN`."""
    token = current_app.config["TOKEN"]
    if (
        not token
        or request.method == "OPTIONS"
        or request.path == "/"
        or request.path.startswith(PUBLIC)
    ):
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise ApiError({"detail": "Not authenticated"}, 401, {"WWW-Authenticate": "Bearer"})


def query_lists() -> dict[str, list[str]]:
    return {key: request.args.getlist(key) for key in request.args}


def inject_fault() -> Response | None:
    """The first armed rule matching the request decides: an error, a delay, or no answer."""
    if is_control() or request.method == "OPTIONS":
        return None
    if DASHBOARD in request.headers:  # the page looking on must not use up the rules under test
        return None
    rule = current_mock().faults.take(request.method, request.path, query_lists())
    if rule is None:
        return None
    time.sleep(rule["delay_ms"] / 1000)
    if rule["drop"]:
        request.environ[DROP] = True
        return Response(status=499)  # journaled as 499, "client closed request"; never sent
    if rule["status"] is None:
        return None
    message = f"Fault injected by mockjobs (rule {rule['id']})."
    response = jsonify(jsend_error(rule["status"], message))
    response.status_code = rule["status"]
    if rule["retry_after"] is not None:
        response.headers["Retry-After"] = str(rule["retry_after"])
    return response


def add_latency() -> None:
    low, high = current_app.config["LATENCY"]
    if high and not is_control():
        time.sleep(random.uniform(low, high) / 1000)


def run_lifecycle() -> None:
    if request.path.startswith("/api/"):
        current_mock().tick()


def record(response: Response) -> Response:
    """Journal the request (not those to the control API) with its status."""
    if not is_control():
        current_mock().journal.record(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=query_lists(),
                headers=dict(request.headers),
                status=response.status_code,
                time=format_timestamp(datetime.now(UTC)),
                response=response.get_json(silent=True) if response.status_code >= 400 else None,
            )
        )
    return response


class ConnectionDropped(ClientDisconnected):
    """Raised out of the app so that waitress closes the connection without an answer."""


def dropping(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware: when the app marked the request for dropping, drop the connection."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = app(environ, start_response)
        if environ.get(DROP):
            close = getattr(body, "close", None)
            if close:
                close()
            raise ConnectionDropped("dropped by a mockjobs fault rule")
        return body

    return middleware
