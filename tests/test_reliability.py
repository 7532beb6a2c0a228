"""Hostile and careless clients, and web pages: nothing breaks, nothing grows, nothing leaks.

Bounded loops only; figures come from bench/bench_reliability.py, never from timed asserts.
"""

from __future__ import annotations

import gzip
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
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


def test_web_pages_cannot_drive_or_read_the_control_api(api: FlaskClient) -> None:
    before = state(api)
    api.post("/_mock/faults", json={"path": "/x", "status": 500})
    # A form or a text/plain fetch (a CORS "simple request", no preflight) is refused.
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        kwargs = {"content_type": content_type} if content_type else {}
        response = api.post("/_mock/reset", data="{}", **kwargs)
        assert response.status_code == 415, content_type
    assert len(api.get("/_mock/faults").get_json()["data"]) == 1  # not reset
    evil = {"Origin": "https://evil.example"}
    preflight = api.options(
        "/_mock/faults", headers={**evil, "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Origin" not in api.get("/_mock/requests", headers=evil).headers
    own = {"Origin": "http://localhost", "Access-Control-Request-Method": "POST"}
    assert api.options("/_mock/faults", headers=own).headers["Access-Control-Allow-Origin"] == (
        "http://localhost"
    )
    # The public API stays readable by any page, as the service's is.
    listed = api.get("/api/v2/jobs?limit=1", headers=evil)
    assert listed.headers["Access-Control-Allow-Origin"] == "*"
    api.delete("/_mock/faults")
    assert state(api) == before


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "10.0.0.1", "localhost.evil"]
)
def test_a_foreign_host_header_is_refused(api: FlaskClient, host: str) -> None:
    response = api.get("/_mock/requests", headers={"Host": host})
    assert response.status_code == 400
    assert "is not allowed" in response.get_json()["detail"]


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:1", "[::1]:8000"])
def test_loopback_host_headers_are_served(api: FlaskClient, host: str) -> None:
    assert api.get("/_mock/clock", headers={"Host": host}).status_code == 200


def test_only_the_pages_own_files_are_served(api: FlaskClient) -> None:
    with api.get("/_mock/ui/static/app.js") as response:
        assert response.status_code == 200
    for path in ("/_mock/ui/static/app.js/", "/_mock/ui/static/", "/_mock/ui/static/x/../app.js"):
        with api.get(path) as response:
            assert response.status_code == 404, path


def raw(url: str, data: bytes) -> bytes:
    host, port = url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # all sent: a request cut short is never completed
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


HOSTILE_REQUESTS = [
    b"GET /api/v2/jobs?limit=%ff%fe%00 HTTP/1.1\r\n",
    b"GET /api/v2/jobs?\xff\xfe=\x80 HTTP/1.1\r\n",
    b"GET /api/v2/jobs/%00/status HTTP/1.1\r\n",
    b"GET /api/v2/jobs/\xc3\x28 HTTP/1.1\r\n",
    b"GET /api/v2/jobs?" + b"status=DONE&" * 5000 + b" HTTP/1.1\r\n",
    b"GET /api/v2/jobs?order_by=" + b"x" * 60_000 + b" HTTP/1.1\r\n",
    b"POST /_mock/jobs HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n",
    b"POST /_mock/faults HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
    b"PATCH /api/v2/jobs/x/cancel HTTP/1.1\r\nContent-Length: -1\r\n",
    b"GET /results/..%2f..%2fetc%2fpasswd HTTP/1.1\r\n",
    b"BREW /api/v2/jobs HTTP/1.1\r\n",
]


@pytest.mark.parametrize("request_line", HOSTILE_REQUESTS, ids=range(len(HOSTILE_REQUESTS)))
def test_hostile_raw_requests_get_a_json_answer_never_a_5xx(request_line: bytes) -> None:
    with MockJobsServer(seed=20) as server:
        answer = raw(server.url, request_line + b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        if answer:  # a request cut short gets none
            head, _, body = answer.partition(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            assert status < 500, answer[:300]
            assert b"Content-Type: application/json" in head, answer[:300]
            json.loads(body)
        assert requests.get(f"{server.url}/api/v2/jobs?limit=1", timeout=10).status_code == 200


def test_a_long_fault_delay_never_delays_the_control_api_or_other_clients() -> None:
    with MockJobsServer(seed=20, threads=4) as server:
        server.arm_fault(path="/api/v2/jobs", delay_ms=3_000)
        with ThreadPoolExecutor(max_workers=8) as pool:
            delayed = [
                pool.submit(requests.get, f"{server.url}/api/v2/jobs", timeout=30) for _ in range(6)
            ]
            # While the delayed requests still wait, the control API and a job are answered.
            assert requests.get(f"{server.url}/_mock/faults", timeout=30).status_code == 200
            assert requests.get(f"{server.url}/api/v1/jobs/x/status", timeout=30).status_code == 404
            assert not all(future.done() for future in delayed)
            assert all(future.result().status_code == 200 for future in delayed)


def test_a_client_is_answered_while_a_thousand_connections_idle_or_trickle() -> None:
    with MockJobsServer(seed=20) as server:
        host, port = server.url.rsplit("//", 1)[1].split(":")
        idle: list[socket.socket] = []
        try:
            for index in range(1000):
                sock = socket.create_connection((host, int(port)), timeout=10)
                if index % 2:  # half a request, the rest never comes
                    sock.sendall(b"GET /api/v2/jobs?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                idle.append(sock)
            for round_ in range(3):  # and they trickle on
                for sock in idle[1::2]:
                    sock.sendall(b"X-Trickle-%d: 1\r\n" % round_)
                answer = requests.get(f"{server.url}/api/v2/jobs?limit=1", timeout=10)
                assert answer.status_code == 200
                assert requests.get(f"{server.url}/_mock/clock", timeout=10).status_code == 200
        finally:
            for sock in idle:
                sock.close()


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


def test_a_path_that_only_starts_like_the_control_api_is_a_client_path(api: FlaskClient) -> None:
    assert api.post("/_mock/faults", json={"path": "/_mockery", "status": 503}).status_code == 201
    assert api.get("/_mockery").status_code == 503  # faulted, and journaled, like any client path
    assert [e["path"] for e in api.get("/_mock/requests").get_json()["data"]][-1] == "/_mockery"
