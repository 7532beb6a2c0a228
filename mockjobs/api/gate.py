"""What a request meets around its view: the token, armed faults, latency, the lifecycle,
and the journal that records it."""

from __future__ import annotations

import hmac
import random
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any

from flask import Config, Flask, Request, Response, current_app, jsonify, request
from waitress.channel import ClientDisconnected
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException

from ..contract.bodies import read_json
from ..contract.envelope import jsend_error
from ..contract.errors import ApiError
from ..contract.query import query_lists as parsed_lists
from ..mock.journal import KEPT_HEADERS, MAX_PART, clip
from ..mock.state import Mock
from ..vocabulary import (
    CONTROL_PREFIX,
    DOCS_PREFIX,
    is_control_path,
    is_page_path,
)
from .bodies import body_bytes

DASHBOARD = "X-Mockjobs-Dashboard"  # sent by the dashboard's own requests
# Documents, "pre-signed" result links, and the dashboard (which asks for the token itself).
PUBLIC = (
    "/openapi.json",
    "/results/",
    f"{CONTROL_PREFIX}/ui",
    "/api/v1/devices/public-specs",
    DOCS_PREFIX,
)
DROP = "mockjobs.drop"  # WSGI environ key: close the connection instead of answering
RECEIVED = "mockjobs.received"  # WSGI environ key: when the server had the request whole


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")  # a server on loopback answers these Hosts


def register_gate(app: Flask) -> None:
    app.extensions["mockjobs.sleepers"] = threading.BoundedSemaphore(
        max(1, app.config["THREADS"] - 2)  # worker threads kept free of any delay
    )
    app.before_request(gate)
    app.after_request(finish)
    app.wsgi_app = dropping(app.wsgi_app)  # type: ignore[method-assign]
    app.wsgi_app = seen_at_once(app.wsgi_app, app.extensions["mockjobs"].store.moment)  # type: ignore[method-assign]


def gate() -> Response | None:
    """Before the view, in this order: the Host, the token, the control API's content type,
    an armed fault (whose answer, if it gives one, is the request's), the latency, the
    lifecycle. One hook, the request and the app looked up once: every request pays for it."""
    req, app = request._get_current_object(), current_app._get_current_object()  # type: ignore[attr-defined]
    check_host(req, app.config)
    check_token(req, app.config)
    refuse_cross_site_control(req)
    if is_page_path(req.path):
        return None  # no fault, latency or lifecycle for the control API and the docs
    mock = app.extensions["mockjobs"]
    if req.method != "OPTIONS":
        faulted = inject_fault(req, mock)
        if faulted is not None:
            return faulted
    add_latency(app)
    if req.path.startswith("/api/"):
        mock.tick()
    return None


def finish(response: Response) -> Response:
    """After the view: the CORS headers, then the journal's entry."""
    req, app = request._get_current_object(), current_app._get_current_object()  # type: ignore[attr-defined]
    allow_cross_origin(req, response)
    if not is_page_path(req.path):
        record(req, response, app.extensions["mockjobs"])
    return response


def check_host(request: Request, config: Config) -> None:
    """Refuse a Host that names neither this server nor an allowed name: DNS rebinding.

    A page on `evil.example`, its name made to resolve to 127.0.0.1, would otherwise reach
    a mock on loopback as a same-origin page, the control API and the journal included.
    """
    allowed = (*LOOPBACK_NAMES, *config["ALLOWED_HOSTS"])
    if "*" in allowed or "HTTP_HOST" not in request.environ:  # HTTP/1.0 names no host
        return
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    host = host.strip("[]").lower()
    if host in allowed or (host.startswith("127.") and host.replace(".", "").isdigit()):
        return
    raise ApiError(
        {"detail": f"Host {request.host!r} is not allowed here (allowed: {', '.join(allowed)})"},
        400,
    )


def refuse_cross_site_control(request: Request) -> None:
    """A POST to the control API must say it is JSON, which no page can send without a preflight.

    A form or a `text/plain` fetch from any site is a CORS "simple request", sent with no
    preflight: without this, any page could reset the mock or arm a fault.
    """
    if request.routing_exception is not None:  # a 404 or a 405 says more
        return
    if (
        is_control_path(request.path)
        and request.method == "POST"
        and request.mimetype != "application/json"
    ):
        raise ApiError(
            {"detail": "The control API takes Content-Type: application/json"
             f" (got {request.mimetype or 'none'!r})."}, 415,
        )  # fmt: skip


def allow_cross_origin(request: Request, response: Response) -> None:
    """Any page may read the API, its Content-Range included, and send its token; not /_mock.

    The control API answers a preflight only from the dashboard's own origin, and never
    lets another page read it (the journal holds what clients sent).
    """
    origin = request.headers.get("Origin")
    if is_control_path(request.path):
        if origin != f"{request.scheme}://{request.host}":
            return
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "Content-Range"
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "GET")
        requested = request.headers.get("Access-Control-Request-Headers")
        if requested:
            response.headers["Access-Control-Allow-Headers"] = requested
        response.headers["Access-Control-Max-Age"] = "600"


def sleep(seconds: float, app: Flask | None = None) -> None:
    """Wait, unless every worker but two is waiting already: those stay free for everyone.

    A fault's delay or the latency never stops the control API, the dashboard or a client
    the test is not delaying; a request beyond the waiting room is answered at once.
    """
    sleepers = (app or current_app).extensions["mockjobs.sleepers"]
    if seconds > 0 and sleepers.acquire(blocking=False):
        try:
            time.sleep(seconds)
        finally:
            sleepers.release()


def check_token(request: Request, config: Config) -> None:
    """With a token configured, the API and the control API need `Authorization: Bearer TOKEN`."""
    token = config["TOKEN"]
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


def query_lists(request: Request) -> dict[str, list[str]]:
    """The query as a dict of lists (the faults and the journal read it, never change it)."""
    return parsed_lists(request.query_string)


def inject_fault(request: Request, mock: Mock) -> Response | None:
    """The first armed rule matching the request decides: an error, a delay, or no answer."""
    if DASHBOARD in request.headers:  # the page looking on must not use up the rules under test
        return None
    rule = mock.faults.take(request.method, request.path, lambda: query_lists(request))
    if rule is None:
        return None
    sleep(rule["delay_ms"] / 1000)
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


def add_latency(app: Flask) -> None:
    low, high = app.config["LATENCY"]
    if high:
        sleep(random.uniform(low, high) / 1000, app)


def record(request: Request, response: Response, mock: Mock) -> None:
    """Journal the request with its status."""
    mock.journal.record(
        request.method,
        request.path,
        request.query_string,
        sent_headers(request.environ),
        response.status_code,
        response=response.get_json(silent=True) if response.status_code >= 400 else None,
        body=sent_json() if request.method in ("POST", "PUT", "PATCH") else None,
    )


HEADER_KEYS = ("HTTP_", "CONTENT_TYPE", "CONTENT_LENGTH")  # the environ's keys of headers


def sent_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers, named as werkzeug names them: the same object for the same few
    short headers (a client sends the same again; werkzeug's names took 5 us a request), to
    be read, never changed."""
    items = tuple([item for item in environ.items() if item[0].startswith(HEADER_KEYS)])
    if len(items) <= KEPT_HEADERS and sum(len(k) + len(v) for k, v in items) <= MAX_PART:
        return _kept_headers(items)
    return _headers(items)


def _headers(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(EnvironHeaders(dict(items)))


_kept_headers = lru_cache(maxsize=256)(_headers)  # 256 sets of at most 4,096 characters


def sent_json() -> Any:
    """The JSON the request sent, inflated (None: none; its text, when it is not JSON)."""
    try:
        data = body_bytes()
    except (ApiError, HTTPException):
        return None  # not gzip after all, or too large: the answer says so
    if not data:
        return None
    try:
        return read_json(data)
    except ApiError:
        return clip(data.decode("utf-8", "replace"), MAX_PART)


def seen_at_once(
    app: Callable[..., Iterable[bytes]],
    moment: Callable[[int | None], AbstractContextManager[None]],
) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware: a request sees the store as it was when it first looked.

    The data version, the fault rules and the clock are read in one statement, once a request,
    not once each by the gate, the lifecycle and the view (in memory, not even once while no
    row changed; in a file, a read another thread began after the request was received
    serves it too: SqliteStore.read_stamp). What any process wrote before is seen.
    """

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with moment(environ.get(RECEIVED)):
            return app(environ, start_response)

    return middleware


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
