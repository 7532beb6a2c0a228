"""Differential test: mockjobs' query validation against FastAPI's, on generated query strings.

hypothesis generates raw query strings (valid, invalid and odd) and each one is sent, byte for
byte, to the reference FastAPI declaration of GET /api/v2/jobs (tests/reference/fastapi_app.py,
through FastAPI's TestClient) and to mockjobs (through Flask's test client). Both must answer
with the same status; a 422 must have the same body; for a 200, the values mockjobs parsed must
be the values FastAPI parsed. Strict mode is compared with the reference's /strict endpoint.

The only differences allowed are the ones SPEC.md decides (`apply_spec_decisions`, and naive
date-times taken as UTC); any other difference is a mockjobs bug.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings

from mockjobs import create_app
from mockjobs.contract.query import parse_query

from .query_strings import queries
from .reference.fastapi_app import app as reference_app
from .test_validation import encode

# Starlette's TestClient prefers the `httpx2` package and, when the module is imported, warns
# (StarletteDeprecationWarning, a UserWarning) that it falls back to `httpx`. That warning, and
# only that one, is not ours: ignore it while importing, instead of failing the suite on it.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message=r"Using `httpx` with `starlette\.testclient` is deprecated",
        category=UserWarning,
    )
    from fastapi.testclient import TestClient

PATH = "/api/v2/jobs"
STRICT_PATH = "/strict/api/v2/jobs"

# The suite's budget: deterministic, no example database, no deadline (the first FastAPI
# request is slow). Together well under a minute.
SUITE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SUITE_STRICT = settings(SUITE, max_examples=300)


# -- sending one raw query string to both applications ---------------------------------------


class RawQuery:
    """ASGI wrapper that hands the application the query string's bytes exactly as given.

    httpx percent-encodes what it considers unsafe in a URL (spaces, quotes, non-ASCII...) and
    the TestClient transport decodes the query as ASCII, so the raw bytes cannot all travel in
    the URL; the request goes through the TestClient without a query and this wrapper puts
    the raw bytes into the ASGI scope, where a real server (uvicorn) puts what it received.
    """

    def __init__(self, asgi_app: Any) -> None:
        self.app = asgi_app
        self.query_string = b""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "query_string": self.query_string}
        await self.app(scope, receive, send)


class Reference:
    """The FastAPI reference: `get(path, query)` gives (status, JSON body)."""

    def __init__(self, client: TestClient, wrapper: RawQuery) -> None:
        self.client = client
        self.wrapper = wrapper

    def get(self, path: str, query: str) -> tuple[int, Any]:
        self.wrapper.query_string = query.encode()  # what Flask's test client sends for `query`
        response = self.client.get(path)
        return response.status_code, response.json()


@pytest.fixture(scope="module")
def reference() -> Iterator[Reference]:
    wrapper = RawQuery(reference_app)
    with TestClient(wrapper) as client:  # one event loop for every request
        yield Reference(client, wrapper)


@pytest.fixture(scope="module")
def mock_app() -> Flask:
    return create_app({"SEED": 0})


@pytest.fixture(scope="module")
def strict_mock_app() -> Flask:
    return create_app({"SEED": 0, "STRICT": True})


# -- SPEC.md's deliberate differences from FastAPI --------------------------------------------


def apply_spec_decisions(body: Any) -> Any:
    """FastAPI's 422 body as SPEC.md wants it."""
    for error in body.get("detail", []) if isinstance(body, dict) else []:
        # SPEC.md section 3: every date-time error is `datetime_from_date_parsing`, msg
        # "Input should be a valid datetime or date, REASON". pydantic says `datetime_parsing`,
        # "Input should be a valid datetime, REASON" when the text parses but Python's datetime
        # cannot hold the value (year 0: `0000-01-01`, `-62135596801000`).
        if error.get("type") == "datetime_parsing":
            reason = error["ctx"]["error"]
            error["type"] = "datetime_from_date_parsing"
            error["msg"] = f"Input should be a valid datetime or date, {reason}"
    return body


# -- the comparison ----------------------------------------------------------------------------


def mockjobs_parsed(app: Flask, query: str, *, strict: bool) -> dict[str, Any]:
    with app.test_request_context(PATH, query_string=query):
        assert request.query_string == query.encode()  # werkzeug did not rewrite it
        params = parse_query(request.args, strict=strict)
    return {name: encode(value) for name, value in params.items()}


def check_query(query: str, reference: Reference, app: Flask, *, strict: bool) -> None:
    """The same raw query string, answered by FastAPI and by mockjobs, must agree."""
    status, body = reference.get(STRICT_PATH if strict else PATH, query)
    assert status in (200, 422), (status, body)  # the reference itself must not fail
    client: FlaskClient = app.test_client()
    response = client.get(PATH, query_string=query)
    got = response.get_json()
    assert response.status_code == status, f"{query!r}: FastAPI {status} {body}, mockjobs {got}"
    if status == 422:
        expected = apply_spec_decisions(body)
        assert got == expected, f"{query!r}"
        assert json.dumps(got) == json.dumps(expected), f"{query!r}: key order"
    else:
        assert got["status"] == "success"
        # SPEC.md section 2: a naive date-time is UTC in mockjobs, where FastAPI keeps it
        # naive. That decision is applied by the reference app's `encode_datetime`, which
        # writes a naive value as UTC with `Z`, just as `encode` writes mockjobs' aware value.
        assert mockjobs_parsed(app, query, strict=strict) == body["parsed"], f"{query!r}"


@SUITE
@given(query=queries())
def test_same_answer_as_fastapi(query: str, reference: Reference, mock_app: Flask) -> None:
    check_query(query, reference, mock_app, strict=False)


@SUITE_STRICT
@given(query=queries(unknown_weight=4))
def test_strict_mode_same_answer_as_fastapi(
    query: str, reference: Reference, strict_mock_app: Flask
) -> None:
    check_query(query, reference, strict_mock_app, strict=True)
