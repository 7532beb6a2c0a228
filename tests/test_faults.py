"""Faults, latency and the token: a client must survive an API that fails, is slow or refuses it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mockjobs import MockJobsServer
from mockjobs.app import create_app

JOBS = "/api/v2/jobs"


@pytest.fixture
def api() -> FlaskClient:
    return create_app({"SEED": 10}).test_client()


@pytest.fixture(scope="module")
def live() -> Iterator[MockJobsServer]:
    with MockJobsServer(seed=10) as server:
        yield server


def arm(api: FlaskClient, **rule: Any) -> dict[str, Any]:
    response = api.post("/_mock/faults", json={"path": JOBS, **rule})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def test_a_rule_answers_the_next_n_requests_then_stops(api: FlaskClient) -> None:
    rule = arm(api, status=503, times=2)
    assert rule == {"id": 1, "method": "GET", "path": JOBS, "query": {}, "status": 503, "times": 2,
                    "delay_ms": 0, "retry_after": None, "drop": False}  # fmt: skip
    for _ in range(2):
        response = api.get(JOBS)
        assert response.status_code == 503
        assert response.get_json() == {"status": "error", "message": "Fault injected by mockjobs (rule 1).",
                                       "code": "503", "data": None}  # fmt: skip
    assert api.get(JOBS).status_code == 200
    assert api.get("/_mock/faults").get_json()["data"][0]["times"] == 0


def test_429_with_retry_after(api: FlaskClient) -> None:
    arm(api, status=429, retry_after=7, times=1)
    response = api.get(JOBS)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")


def test_rules_match_method_path_and_query_in_the_order_armed(api: FlaskClient) -> None:
    arm(api, status=500, query={"status": "ERROR"})
    arm(api, status=502)
    arm(api, method="PATCH", path="/api/v2/jobs/x/cancel", status=504)
    assert api.get(f"{JOBS}?status=ERROR&status=DONE").status_code == 500
    assert api.get(f"{JOBS}?status=DONE").status_code == 502
    assert api.get(f"{JOBS}/x").status_code == 404  # another path: no rule
    assert api.patch("/api/v2/jobs/x/cancel").status_code == 504


def test_rules_until_cleared(api: FlaskClient) -> None:
    arm(api, status=500)
    assert [api.get(JOBS).status_code for _ in range(3)] == [500] * 3
    assert api.delete("/_mock/faults").get_json() == {"data": []}
    assert api.get(JOBS).status_code == 200
    assert api.get("/_mock/faults").get_json() == {"data": []}


def test_the_dashboards_own_requests_leave_the_rules_alone(api: FlaskClient) -> None:
    arm(api, status=503, times=1)
    assert api.get(JOBS, headers={"X-Mockjobs-Dashboard": "1"}).status_code == 200
    assert api.get(JOBS).status_code == 503


def test_faulted_requests_are_journaled(api: FlaskClient) -> None:
    arm(api, status=503, times=1)
    api.get(JOBS)
    assert [e["status"] for e in api.get("/_mock/requests").get_json()["data"]] == [503]


def test_the_control_api_is_never_faulted(api: FlaskClient) -> None:
    for path in ("/_mock/faults", "/_mock"):
        response = api.post("/_mock/faults", json={"path": path, "status": 500})
        assert response.status_code == 422 and response.get_json()["detail"][0]["loc"] == [
            "body",
            "path",
        ]
    assert api.get("/_mock/faults").get_json() == {"data": []}


def test_the_results_download_can_fail(api: FlaskClient) -> None:
    job = api.get(f"{JOBS}?status=DONE&limit=1").get_json()["data"][0]
    link = api.get(f"/api/v1/jobs/{job['id']}/results_link").get_json()["data"]["results_link"]
    path = link.removeprefix("http://localhost")
    api.post("/_mock/faults", json={"path": path, "status": 500, "times": 1})
    assert [api.get(link).status_code, api.get(link).status_code] == [500, 200]
    assert [(e["path"], e["status"]) for e in api.get("/_mock/requests").get_json()["data"]][-2:] == [
        (path, 500), (path, 200)]  # fmt: skip


def test_a_delay_then_the_normal_answer(live: MockJobsServer) -> None:
    live.reset()
    live.arm_fault(delay_ms=150, times=1)
    begin = time.perf_counter()
    response = requests.get(f"{live.url}{JOBS}", timeout=10)
    assert response.status_code == 200
    assert time.perf_counter() - begin >= 0.15


def test_drop_closes_the_connection_without_an_answer(live: MockJobsServer) -> None:
    live.reset()
    live.arm_fault(drop=True, times=1)
    with pytest.raises(requests.ConnectionError, match=r"without response|Connection aborted"):
        requests.get(f"{live.url}{JOBS}", timeout=10)
    assert requests.get(f"{live.url}{JOBS}", timeout=10).status_code == 200
    assert [entry.status for entry in live.requests] == [499, 200]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"status": 503}, ["body", "path"]),
        ({"path": JOBS, "status": 418}, ["body", "status"]),
        ({"path": JOBS, "status": 503, "times": -1}, ["body", "times"]),
        ({"path": JOBS, "status": 503, "times": 0}, ["body", "times"]),
        ({"path": JOBS, "status": "503"}, ["body", "status"]),
        ({"path": JOBS, "status": 503, "colour": "red"}, ["body", "colour"]),
        ({"path": JOBS, "delay_ms": -5}, ["body", "delay_ms"]),
        ({"path": JOBS}, ["body", "status"]),
        ({"path": "api/v2/jobs", "status": 503}, ["body", "path"]),
        ({"path": JOBS, "status": 503, "method": "BREW"}, ["body", "method"]),
        ({"path": JOBS, "status": 503, "query": {"status": 1}}, ["body", "query", "status"]),
        ([], ["body"]),
    ],
)
def test_bad_rules_are_a_422_and_arm_nothing(api: FlaskClient, body: Any, loc: list[Any]) -> None:
    response = api.post("/_mock/faults", json=body)
    assert response.status_code == 422
    assert response.get_json()["detail"][0]["loc"] == loc
    assert api.get("/_mock/faults").get_json() == {"data": []}


def test_malformed_json_arms_nothing(api: FlaskClient) -> None:
    response = api.post("/_mock/faults", data=b'{"path": ', content_type="application/json")
    assert (
        response.status_code == 422 and response.get_json()["detail"][0]["type"] == "json_invalid"
    )
    assert api.get("/_mock/faults").get_json() == {"data": []}


def test_reset_clears_the_rules(api: FlaskClient) -> None:
    arm(api, status=500)
    api.post("/_mock/reset", json={})
    assert api.get("/_mock/faults").get_json() == {"data": []}


@pytest.mark.mockjobs(seed=5, latency="80-100")
def test_latency_delays_every_api_request(mockjobs: MockJobsServer) -> None:
    begin = time.perf_counter()
    assert requests.get(f"{mockjobs.url}{JOBS}", timeout=10).status_code == 200
    assert time.perf_counter() - begin >= 0.08


# -- the token -------------------------------------------------------------------------------


@pytest.fixture
def guarded() -> FlaskClient:
    return create_app({"SEED": 10, "TOKEN": "s3cret"}).test_client()


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", "s3cret", "Basic s3cret", "Bearer", "Bearer s3cret2"]
)
@pytest.mark.parametrize("path", [JOBS, f"{JOBS}/x", "/_mock/requests", "/_mock/faults"])
def test_without_the_right_token_a_401(guarded: FlaskClient, header: str | None, path: str) -> None:
    response = guarded.get(path, headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.get_json() == {"detail": "Not authenticated"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_with_the_token(guarded: FlaskClient) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    assert guarded.get(JOBS, headers=auth).status_code == 200
    assert guarded.post("/_mock/reset", headers=auth, json={}).status_code == 200
    assert guarded.post("/_mock/reset", json={}).status_code == 401


def test_what_needs_no_token(guarded: FlaskClient) -> None:
    assert guarded.get("/openapi.json").status_code == 200
    preflight = guarded.options(
        JOBS, headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    job = guarded.get(
        f"{JOBS}?status=DONE&limit=1", headers={"Authorization": "Bearer s3cret"}
    ).get_json()["data"][0]
    link = guarded.get(
        f"/api/v1/jobs/{job['id']}/results_link", headers={"Authorization": "Bearer s3cret"}
    )
    assert guarded.get(link.get_json()["data"]["results_link"]).status_code == 200  # "pre-signed"


def test_without_a_configured_token_any_or_none_is_accepted(api: FlaskClient) -> None:
    assert api.get(JOBS, headers={"Authorization": "Bearer whatever"}).status_code == 200
    assert api.get(JOBS).status_code == 200
