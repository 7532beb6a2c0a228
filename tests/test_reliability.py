"""Hostile and careless clients, and web pages: nothing breaks, nothing grows, nothing leaks.

Bounded loops only; figures come from bench/bench_reliability.py, never from timed asserts.
"""

from __future__ import annotations

import gzip
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockjobs import MockJobsServer
from mockjobs.app import create_app
from mockjobs.queries.pages import ORDERS

BODY_ENDPOINTS = ["/_mock/jobs", "/_mock/faults", "/_mock/clock"]
DEEP = "[" * 1000 + "]" * 1000
HOSTILE_BODIES: list[tuple[str, bytes]] = [
    ("deep arrays", DEEP.encode()),
    ("deep objects", ('{"a":' * 500 + "1" + "}" * 500).encode()),
    ("nested 65 levels", ("[" * 65 + "]" * 65).encode()),
    ("NaN", b'[{"variables": {"x": NaN}}]'),
    ("Infinity", b'{"advance": Infinity}'),
    ("-Infinity", b'[{"result": {"counter": {"0": -Infinity}}}]'),
    ("overflowing number", b'[{"result": {"counter": {"00": 1e999}}}]'),
    ("not UTF-8", b'{"path": "/\xff\xfe"}'),
    ("a lone surrogate", b'[{"id": "\\udc00"}]'),
    ("truncated", b'{"path": "/api'),
    ("empty", b""),
    ("a string", b'"reset"'),
    ("null", b"null"),
    ("gzip bytes", gzip.compress(b"[{}]")),
]


@pytest.fixture
def api() -> FlaskClient:
    return create_app({"SEED": 30, "LIFECYCLE": True}).test_client()


def state(api: FlaskClient) -> tuple[Any, ...]:
    """What a refused request must leave as it was (the journal aside)."""
    jobs = api.get("/api/v2/jobs?limit=100").get_json()
    return jobs["pagination"]["total"], api.get("/_mock/faults").get_json()


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
@pytest.mark.parametrize(("name", "body"), HOSTILE_BODIES, ids=[n for n, _ in HOSTILE_BODIES])
def test_a_hostile_body_is_a_422_that_changes_nothing(
    api: FlaskClient, endpoint: str, name: str, body: bytes
) -> None:
    before = state(api)
    response = api.post(endpoint, data=body, content_type="application/json")
    assert response.status_code == 422, (name, response.data[:300])
    detail = response.get_json()["detail"]
    assert detail and all(error["loc"][0] == "body" for error in detail)
    assert state(api) == before


def test_a_body_over_the_limit_is_a_413(api: FlaskClient) -> None:
    response = api.post("/_mock/jobs", data=b"[" + b"{}," * 6_000_000 + b"{}]",
                        content_type="application/json")  # fmt: skip
    assert response.status_code == 413
    assert response.get_json() == {"detail": "Request Entity Too Large"}


def test_too_many_records_in_one_request_are_refused(api: FlaskClient) -> None:
    before = state(api)
    response = api.post("/_mock/jobs", json={"jobs": [{}] * 10_001})
    assert response.status_code == 422
    assert response.get_json()["detail"][0]["ctx"] == {
        "max_length": 10_000,
        "actual_length": 10_001,
    }
    assert state(api) == before


RECORDS_REFUSED = [
    ({"id": "a/b"}, "id"),
    ({"batch_id": "x/y"}, "batch_id"),
    ({"created_at": "9999-01-01T00:00:00Z"}, "created_at"),
    ({"created_at": "1969-12-31T23:59:59Z"}, "created_at"),
    ({"status": "DONE", "start_timestamp": "2025-01-02T00:00:00Z",
      "end_timestamp": "2025-01-01T00:00:00Z"}, "end_timestamp"),
    ({"status": "DONE", "errors": ["boom"]}, "errors"),
    ({"status": "PENDING", "progress": 50}, "progress"),
    ({"status": "RUNNING", "end_timestamp": "2025-01-01T00:00:00Z"}, "end_timestamp"),
]  # fmt: skip


@pytest.mark.parametrize(("record", "field"), RECORDS_REFUSED)
def test_a_record_that_could_not_be_served_is_refused_naming_its_field(
    api: FlaskClient, record: dict[str, Any], field: str
) -> None:
    before = state(api)
    response = api.post("/_mock/jobs", json=[{}, record])
    assert response.status_code == 422
    assert response.get_json()["detail"][0]["loc"] == ["body", 1, field]
    assert state(api) == before


def test_what_is_accepted_never_breaks_a_later_request(api: FlaskClient) -> None:
    huge = api.post(
        "/_mock/jobs",
        json=[
            {"status": "RUNNING", "runs": 10**15},
            {"status": "RUNNING", "runs": 2**63 - 1, "created_at": "8999-12-31T00:00:00Z"},
            {"status": "PENDING", "runs": -5, "created_at": "8999-12-31T23:00:00Z"},
            {"status": "DONE", "runs": 10**12},
        ],
    ).get_json()["data"]
    statuses = [  # ten years at a time, to the end of what the clock may reach, and then some
        api.post("/_mock/clock", json={"advance": 315_360_000}).status_code for _ in range(700)
    ]
    assert statuses[0] == 200 and statuses[-1] == 422 and set(statuses) == {200, 422}
    for job in huge:
        for path in (f"/api/v2/jobs/{job['id']}", f"/api/v1/jobs/{job['id']}/status"):
            assert api.get(path).status_code == 200, path
    done = huge[3]["id"]
    result = api.get(
        api.get(f"/api/v1/jobs/{done}/results_link").get_json()["data"]["results_link"]
    )
    assert sum(result.get_json()["counter"].values()) == 10**12  # counts, and no 10^12 samples
    assert api.get("/api/v2/jobs?limit=100&order_by=end_timestamp").status_code == 200
    assert api.get("/_mock/clock").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"path": "/api/v2/jobs", "status": 500, "times": 10**30}, "times"),
        ({"path": "/api/v2/jobs", "status": 503, "retry_after": 10**30}, "retry_after"),
        ({"path": "/" + "a" * 200_000, "status": 500}, "path"),
        ({"path": "/x", "status": 500, "query": {f"k{i}": "v" for i in range(100)}}, "query"),
        ({"path": "/x", "status": 500, "times": "3"}, "times"),
    ],
)
def test_fault_rules_are_bounded_and_strictly_typed(
    api: FlaskClient, body: dict[str, Any], field: str
) -> None:
    response = api.post("/_mock/faults", json=body)
    assert response.status_code == 422
    assert [error["loc"] for error in response.get_json()["detail"]] == [["body", field]]
    assert api.get("/_mock/faults").get_json() == {"data": []}


@pytest.mark.parametrize("advance", ["10", True, None, [1], -1, 315_360_001])
def test_the_clock_takes_a_number_of_seconds_only(api: FlaskClient, advance: Any) -> None:
    response = api.post("/_mock/clock", json={"advance": advance})
    assert response.status_code == 422
    assert response.get_json()["detail"][0]["loc"] == ["body", "advance"]


def test_the_journal_is_bounded_in_bytes_and_keeps_no_secret(api: FlaskClient) -> None:
    query = "&".join(["status=x"] * 5_000)
    for _ in range(40):
        api.get(
            f"/api/v2/jobs?{query}", headers={"Authorization": "Bearer s3cret", "X-Api-Key": "k3y"}
        )
    answer = api.get("/_mock/requests")
    assert len(answer.data) < 40 * 20_000  # each entry some KB, not the megabyte it was sent
    entries = answer.get_json()["data"]
    assert len(entries) == 40
    first = entries[0]
    assert first["query"]["status"][-1].endswith("more values]")
    assert first["headers"]["Authorization"] == "Bearer …" and first["headers"]["X-Api-Key"] == "…"
    assert "truncated" in first["response"]  # 5,000 enum errors: kept cut, and marked
    assert b"s3cret" not in answer.data and b"k3y" not in answer.data
    newest = api.get("/_mock/requests?limit=5").get_json()
    assert newest["data"] == entries[-5:] and newest["total"] == 40
    assert api.get("/_mock/requests?limit=5&offset=38").get_json()["data"] == entries[:2]
    assert api.get("/_mock/requests?limit=-1").status_code == 422


def test_the_caches_are_bounded_in_entries_and_bytes() -> None:
    app = create_app({"SEED": 30})
    api, pages = app.test_client(), app.extensions["mockjobs"].job_pages
    for index in range(300):  # filter sets that match nothing, each with a 16 KB key
        assert api.get(f"/api/v2/jobs?id__starts_with={index:05d}{'z' * 16_000}").status_code == 200
    orders = pages._orders
    assert orders.bytes == sum(orders.costs.values()) and len(orders) == 300
    assert orders.bytes >= 300 * 16_000  # counted, so that they count against the budget
    orders.max_bytes = 50 * 16_500
    api.get(f"/api/v2/jobs?id__starts_with={'q' * 16_000}")
    assert len(orders) <= 50 and orders.bytes <= orders.max_bytes
    assert ORDERS[1] <= 256 * 2**20  # the documented bound


def test_an_integer_of_thousands_of_digits_is_a_422(api: FlaskClient) -> None:
    body = '{"path": "/x", "status": 500, "times": ' + "1" * 5000 + "}"
    response = api.post("/_mock/faults", data=body, content_type="application/json")
    assert (
        response.status_code == 422 and response.get_json()["detail"][0]["type"] == "json_invalid"
    )


def test_python_callers_cannot_store_nan_either() -> None:
    from mockjobs.data.fixtures import FixtureError

    with MockJobsServer(seed=5) as server, pytest.raises(FixtureError, match="not a JSON number"):
        server.add_jobs([{"variables": {"omega": float("nan")}}])


def test_concurrent_clock_advances_all_count(api: FlaskClient) -> None:
    start = api.get("/_mock/clock").get_json()["now"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: api.post("/_mock/clock", json={"advance": 60}), range(80)))
    moved = instant(api.get("/_mock/clock").get_json()["now"]) - instant(start)
    assert 4800 <= moved.total_seconds() < 4800 + 60  # every advance, and a little real time


def instant(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))
