"""Query validation: every case of tests/validation_cases.json, answered as FastAPI answers it.

The table was produced by sending each raw query string to a FastAPI app that declares the
16 parameters as the API document does (tests/reference/), with SPEC.md's decisions applied
where they differ (each such case says so in its note and keeps FastAPI's answer beside it).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from mockjobs.contract.query import QUERY_SCHEMA, parse_query

CASES = json.loads((Path(__file__).parent / "validation_cases.json").read_text(encoding="utf-8"))
DEFAULTS = {name: field.load_default for name, field in QUERY_SCHEMA.fields.items()}


def case_id(case: dict[str, Any]) -> str:
    return ("strict:" if case.get("strict") else "") + (case["query"][:60] or "<empty>")


def encode(value: Any) -> Any:
    """The table's JSON form of a parsed value."""
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, datetime):
        timespec = "microseconds" if value.microsecond else "seconds"
        try:
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"
        except OverflowError:  # an instant after 9999-12-31T23:59:59.999999Z
            return value.isoformat(timespec=timespec)
    return value


def test_the_table_is_large_and_varied() -> None:
    assert len(CASES) >= 40
    assert sum(case["status"] == 422 for case in CASES) >= 40
    error_types = {error["type"] for case in CASES for error in case.get("detail", [])}
    assert error_types >= {
        "int_parsing", "greater_than", "less_than", "greater_than_equal", "enum",
        "bool_parsing", "datetime_from_date_parsing", "extra_forbidden",
    }  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_query(case: dict[str, Any], client: FlaskClient, strict_client: FlaskClient) -> None:
    http = strict_client if case.get("strict") else client
    response = http.get("/api/v2/jobs", query_string=case["query"])
    assert response.status_code == case["status"], response.get_json()
    if case["status"] == 422:
        assert response.get_json() == {"detail": case["detail"]}
    else:
        assert response.get_json()["status"] == "success"


@pytest.mark.parametrize("case", [c for c in CASES if c["status"] == 200], ids=case_id)
def test_parsed_values(case: dict[str, Any], app: Flask) -> None:
    with app.test_request_context("/api/v2/jobs", query_string=case["query"]):
        params = parse_query(request.args, strict=bool(case.get("strict")))
    assert {name: encode(value) for name, value in params.items()} == {
        **{name: encode(value() if callable(value) else value) for name, value in DEFAULTS.items()},
        **case["parsed"],
    }
