"""Web pages, raw requests and connections: the cross-site checks, hosts, slow clients.

Bounded loops only; figures come from bench/bench_reliability.py, never from timed asserts.
"""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask.testing import FlaskClient

from mockjobs import MockJobsServer
from mockjobs.app import create_app

from .test_reliability import state


@pytest.fixture
def api() -> FlaskClient:
    return create_app({"SEED": 30}).test_client()


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


def test_a_path_that_only_starts_like_the_control_api_is_a_client_path(api: FlaskClient) -> None:
    assert api.post("/_mock/faults", json={"path": "/_mockery", "status": 503}).status_code == 201
    assert api.get("/_mockery").status_code == 503  # faulted, and journaled, like any client path
    assert [e["path"] for e in api.get("/_mock/requests").get_json()["data"]][-1] == "/_mockery"
