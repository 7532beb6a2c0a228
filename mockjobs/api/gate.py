"""What a request meets before its view: the token, armed faults, latency, the lifecycle."""

from __future__ import annotations

import hmac
import random
import time

from flask import Flask, Response, current_app, jsonify, request

from ..errors import ApiError
from ..faults import DROP
from ..journal import CONTROL_PREFIX
from . import current_mock

DASHBOARD = "X-Mockjobs-Dashboard"  # sent by the dashboard's own requests
# Documents, "pre-signed" result links, and the dashboard (which asks for the token itself).
PUBLIC = ("/openapi.json", "/results/", f"{CONTROL_PREFIX}/ui")


def register_gate(app: Flask) -> None:
    app.before_request(check_token)
    app.before_request(inject_fault)
    app.before_request(add_latency)
    app.before_request(run_lifecycle)


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


def inject_fault() -> Response | None:
    """The first armed rule matching the request decides: an error, a delay, or no answer."""
    if request.path.startswith(CONTROL_PREFIX) or request.method == "OPTIONS":
        return None
    if DASHBOARD in request.headers:  # the page looking on must not use up the rules under test
        return None
    query = {key: request.args.getlist(key) for key in request.args}
    rule = current_mock().faults.take(request.method, request.path, query)
    if rule is None:
        return None
    time.sleep(rule.delay_ms / 1000)
    if rule.drop:
        request.environ[DROP] = True
        return Response(status=499)  # journaled as 499, "client closed request"; never sent
    if rule.status is None:
        return None
    message = f"Fault injected by mockjobs (rule {rule.id})."
    response = jsonify(status="error", message=message, code=str(rule.status), data=None)
    response.status_code = rule.status
    if rule.retry_after is not None:
        response.headers["Retry-After"] = str(rule.retry_after)
    return response


def add_latency() -> None:
    low, high = current_app.config["LATENCY"]
    if high and not request.path.startswith(CONTROL_PREFIX):
        time.sleep(random.uniform(low, high) / 1000)


def run_lifecycle() -> None:
    if request.path.startswith("/api/"):
        current_mock().tick()
