"""The rest of a job's life: one job, its status and results, cancelling, and the lifecycle."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockjobs.app import create_app
from mockjobs.vocabulary import RESPONSE_FIELDS

FIXTURE_RESULT = {"counter": {"00": 3, "11": 1}, "raw": ["00", "11", "00", "00"]}


@pytest.fixture
def api() -> FlaskClient:
    return create_app({"SEED": 100}).test_client()


def jobs(api: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    return api.get(f"/api/v2/jobs?limit=100&{query}").get_json()["data"]


def one(api: FlaskClient, status: str) -> dict[str, Any]:
    return jobs(api, f"status={status}")[0]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_get_one_job(api: FlaskClient) -> None:
    listed = one(api, "DONE")
    body = api.get(f"/api/v2/jobs/{listed['id']}").get_json()
    assert (body["status"], body["message"], body["code"]) == ("success", "OK.", "200")
    assert list(body["data"]) == [*RESPONSE_FIELDS, "sequence"]
    assert {key: body["data"][key] for key in RESPONSE_FIELDS} == listed


def test_get_job_status(api: FlaskClient) -> None:
    listed = one(api, "RUNNING")
    body = api.get(f"/api/v1/jobs/{listed['id']}/status").get_json()
    assert body["data"] == {"id": listed["id"], "status": "RUNNING"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/jobs/nope",
        "/api/v1/jobs/nope/status",
        "/api/v1/jobs/nope/results_link",
        "/results/nope",
    ],
)
def test_unknown_job_is_a_404(api: FlaskClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.get_json() == {
        "status": "fail",
        "message": "Job nope not found.",
        "code": "404",
        "data": None,
    }
    assert api.patch("/api/v2/jobs/nope/cancel").status_code == 404


def test_results_of_a_done_job(api: FlaskClient) -> None:
    done = one(api, "DONE")
    link = api.get(f"/api/v1/jobs/{done['id']}/results_link").get_json()["data"]["results_link"]
    assert link == f"http://localhost/results/{done['id']}"
    result = api.get(link).get_json()
    assert sum(result["counter"].values()) == len(result["raw"]) == done["runs"]
    assert all(result["raw"].count(bits) == count for bits, count in result["counter"].items())
    assert api.get(link).get_json() == result  # the same every time


@pytest.mark.parametrize("status", ["PENDING", "RUNNING", "ERROR", "CANCELED"])
def test_no_results_before_done(api: FlaskClient, status: str) -> None:
    job = one(api, status)
    assert api.get(f"/api/v1/jobs/{job['id']}/results_link").get_json()["data"] == {
        "results_link": None
    }


def test_a_stored_result_is_served_as_given(api: FlaskClient) -> None:
    api.post(
        "/_mock/jobs", json=[{"id": "with-result", "status": "DONE", "result": FIXTURE_RESULT}]
    )
    link = api.get("/api/v1/jobs/with-result/results_link").get_json()["data"]["results_link"]
    assert api.get(link).get_json() == FIXTURE_RESULT


@pytest.mark.parametrize("status", ["PENDING", "RUNNING"])
def test_cancel_a_live_job(api: FlaskClient, status: str) -> None:
    job = one(api, status)
    response = api.patch(f"/api/v2/jobs/{job['id']}/cancel")
    assert response.status_code == 200
    cancelled = response.get_json()["data"]
    assert cancelled["status"] == "CANCELED"
    assert cancelled["end_timestamp"] == cancelled["updated_at"]
    assert instant(cancelled["updated_at"]) >= instant(job["updated_at"])
    assert cancelled["start_timestamp"] == job["start_timestamp"]
    assert jobs(api, f"id={job['id']}")[0] == {k: cancelled[k] for k in RESPONSE_FIELDS}


def test_cancel_a_canceling_job_finishes_the_cancellation(api: FlaskClient) -> None:
    """CANCELING is not a final state (SPEC section 5): cancelling it again makes it CANCELED."""
    job = one(api, "CANCELING")
    cancelled = api.patch(f"/api/v2/jobs/{job['id']}/cancel").get_json()["data"]
    assert (
        cancelled["status"] == "CANCELED" and cancelled["end_timestamp"] == cancelled["updated_at"]
    )
    assert instant(cancelled["end_timestamp"]) >= instant(job["updated_at"])


@pytest.mark.parametrize("status", ["DONE", "ERROR", "CANCELED"])
def test_cancel_a_final_job_is_a_400(api: FlaskClient, status: str) -> None:
    job = one(api, status)
    response = api.patch(f"/api/v2/jobs/{job['id']}/cancel")
    assert response.status_code == 400
    body = response.get_json()
    assert (body["status"], body["code"]) == ("fail", "400") and status in body["message"]
    assert jobs(api, f"id={job['id']}")[0] == job


# -- the lifecycle --------------------------------------------------------------------------


def living(error_rate: float = 0.1) -> FlaskClient:
    return create_app({"SEED": 200, "LIFECYCLE": True, "ERROR_RATE": error_rate}).test_client()


def consistent(job: dict[str, Any]) -> None:
    stamps = [
        job[k] for k in ("created_at", "start_timestamp", "end_timestamp", "updated_at") if job[k]
    ]
    assert [instant(s) for s in stamps] == sorted(instant(s) for s in stamps), job
    if job["status"] == "DONE":
        assert job["progress"] == 100 and job["end_timestamp"] and not job["errors"]
    if job["status"] == "ERROR":
        assert job["errors"] and job["end_timestamp"]
    if job["status"] == "RUNNING":
        assert job["start_timestamp"] and not job["end_timestamp"] and 0 <= job["progress"] <= 99


def test_without_lifecycle_jobs_stay_still(api: FlaskClient) -> None:
    before = jobs(api, "status=RUNNING&status=PENDING")
    api.post("/_mock/clock", json={"advance": 86400})
    assert jobs(api, "status=RUNNING&status=PENDING") == before


def test_with_lifecycle_a_day_later_every_job_has_finished() -> None:
    api = living()
    live = jobs(api, "status=RUNNING&status=PENDING&status=CANCELING")
    assert live
    now = api.post("/_mock/clock", json={"advance": 86400}).get_json()["now"]
    assert now.startswith("2025-06-03T12:00")
    after = {job["id"]: job for job in jobs(api, "&".join(f"id={j['id']}" for j in live))}
    assert {job["status"] for job in after.values()} <= {"DONE", "ERROR", "CANCELED"}
    for job in after.values():
        consistent(job)
        assert instant(job["end_timestamp"]) <= instant(now)


@pytest.mark.parametrize(("rate", "outcome"), [(0.0, "DONE"), (1.0, "ERROR")])
def test_the_error_rate_decides_the_outcome(rate: float, outcome: str) -> None:
    api = living(rate)
    running = [job["id"] for job in jobs(api, "status=RUNNING&status=PENDING")]
    api.post("/_mock/clock", json={"advance": 86400})
    assert {job["status"] for job in jobs(api, "&".join(f"id={i}" for i in running))} == {outcome}


def test_a_running_job_progresses_step_by_step() -> None:
    api = living(0.0)
    job = one(api, "RUNNING")
    seen = [job["progress"]]
    for _ in range(400):
        api.post("/_mock/clock", json={"advance": 2})
        job = api.get(f"/api/v2/jobs/{job['id']}").get_json()["data"]
        consistent(job)
        seen.append(job["progress"])
        if job["status"] == "DONE":
            break
    assert job["status"] == "DONE"
    assert seen == sorted(seen) and len(set(seen)) > 3


def test_pending_jobs_of_a_batch_run_one_after_the_other() -> None:
    api = living(0.0)
    pending = one(api, "PENDING")
    api.post("/_mock/clock", json={"advance": 86400})
    batch = sorted(jobs(api, f"batch_id={pending['batch_id']}"), key=lambda j: j["creation_order"])
    ends = [
        (instant(j["start_timestamp"]), instant(j["end_timestamp"]))
        for j in batch
        if j["start_timestamp"]
    ]
    assert len(ends) == len(batch)
    assert all(earlier[1] <= later[0] for earlier, later in pairwise(ends))


def test_canceling_becomes_canceled() -> None:
    api = living()
    job = one(api, "CANCELING")
    api.post("/_mock/clock", json={"advance": 60})
    assert api.get(f"/api/v1/jobs/{job['id']}/status").get_json()["data"]["status"] == "CANCELED"


def test_reset_restores_data_and_clock() -> None:
    api = living()
    before = jobs(api)
    api.post("/_mock/clock", json={"advance": 86400})
    api.post("/_mock/reset", json={})
    assert api.get("/_mock/clock").get_json()["now"].startswith("2025-06-02T12:00")
    assert [job["id"] for job in jobs(api)] == [job["id"] for job in before]


@pytest.mark.parametrize(
    ("body", "loc"),
    [({"advance": -1}, ["body", "advance"]), ({"advance": "soon"}, ["body", "advance"]),
     ({}, ["body", "advance"]), ({"advance": 1, "speed": 2}, ["body", "speed"]), ([1], ["body"])],
)  # fmt: skip
def test_bad_clock_input_is_a_422(api: FlaskClient, body: Any, loc: list[Any]) -> None:
    before = api.get("/_mock/clock").get_json()["now"]
    response = api.post("/_mock/clock", json=body)
    assert response.status_code == 422 and response.get_json()["detail"][0]["loc"] == loc
    assert instant(api.get("/_mock/clock").get_json()["now"]) < instant(before).replace(year=2026)
