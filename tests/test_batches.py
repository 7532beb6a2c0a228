"""Batches through the API (SPEC section 11), on SQLite and PostgreSQL: submitting, polling,
closing, adding, cancelling, rebatching, tagging, listing (bad input: test_batch_input.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockjobs.vocabulary import BATCH_FIELDS, STATUSES

from .postgres import BACKENDS, backend_app

# A Pulser sequence's abstract representation, as far as the mock reads it: device, register.
SEQUENCE = json.dumps(
    {
        "device": {"name": "FRESNEL"},
        "register": [{"name": f"q{i}", "x": 5.0 * i, "y": 0.0} for i in range(4)],
    }
)
PROJECT = "9d4e5f10-0000-4000-8000-000000000001"


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    with backend_app(request, {"SEED": 30, "ERROR_RATE": 0}) as app:
        yield app.test_client()


@pytest.fixture
def quick() -> FlaskClient:
    """Fast-forward: a submitted batch is done by its first status poll."""
    from mockjobs.app import create_app

    return create_app({"SEED": 10, "FAST_FORWARD": True, "ERROR_RATE": 0}).test_client()


def submit(
    api: FlaskClient, jobs: list[dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    body = {"sequence_builder": SEQUENCE, "jobs": [{"runs": 10}, {"runs": 20}] if jobs is None else jobs,
            "project_id": PROJECT, **fields}  # fmt: skip
    response = api.post("/api/v1/batches", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def jobs_of(api: FlaskClient, batch_id: str) -> list[dict[str, Any]]:
    query = f"batch_id={batch_id}&order_by=creation_order&order_by_direction=ASC"
    return api.get(f"/api/v2/jobs?{query}").get_json()["data"]


def status(api: FlaskClient, batch_id: str) -> dict[str, Any]:
    return api.get(f"/api/v1/batches/{batch_id}/status").get_json()["data"]


def advance(api: FlaskClient, seconds: float) -> None:
    assert api.post("/_mock/clock", json={"advance": seconds}).status_code == 200


def counts(**given: int) -> dict[str, int]:
    return {**dict.fromkeys(STATUSES, 0), **given}


def total(api: FlaskClient, path: str = "/api/v2/jobs") -> int:
    return api.get(f"{path}?limit=1").get_json()["pagination"]["total"]


def test_a_submitted_batch_is_pending_now_and_first_in_both_lists(api: FlaskClient) -> None:
    now = api.get("/_mock/clock").get_json()["now"][:19]
    batch = submit(api)
    assert list(batch) == [*BATCH_FIELDS, "sequence_builder"]
    assert (batch["status"], batch["open"], batch["complete"]) == ("PENDING", False, True)
    assert (batch["device_type"], batch["project_id"]) == ("FRESNEL", PROJECT)  # from the sequence
    assert batch["created_at"][:19] == now and batch["jobs_count_per_status"] == counts(PENDING=2)
    jobs = jobs_of(api, batch["id"])
    assert [(j["creation_order"], j["runs"], j["status"]) for j in jobs] == [(1, 10, "PENDING"), (2, 20, "PENDING")]  # fmt: skip
    assert {j["project_id"] for j in jobs} == {PROJECT}
    assert api.get("/api/v2/jobs?limit=1").get_json()["data"][0]["batch_id"] == batch["id"]
    assert api.get("/api/v1/batches?limit=1").get_json()["data"][0]["id"] == batch["id"]


def test_submitted_jobs_run_one_after_another_to_done_as_the_clock_moves(api: FlaskClient) -> None:
    batch = submit(api)
    advance(api, 0.05)
    assert status(api, batch["id"])["status"] == "PENDING"
    seen = []
    for _ in range(40):  # at most 40 * 0.5 s of mock time: a submitted job takes seconds
        advance(api, 0.5)
        now = status(api, batch["id"])
        seen.append(now["status"])
        if now["status"] == "DONE":
            break
    assert seen[-1] == "DONE" and "RUNNING" in seen
    assert now["jobs_count_per_status"] == counts(DONE=2)
    first, second = jobs_of(api, batch["id"])
    assert first["end_timestamp"] <= second["start_timestamp"]  # one device, one job at a time
    done = api.get(f"/api/v2/batches/{batch['id']}").get_json()["data"]
    assert done["start_datetime"] == first["start_timestamp"]
    assert done["end_datetime"] == second["end_timestamp"]


def test_results_have_one_bit_per_atom_of_the_register_and_sum_to_runs(quick: FlaskClient) -> None:
    batch = submit(quick, [{"runs": 37}])
    assert status(quick, batch["id"])["status"] == "DONE"
    (job,) = jobs_of(quick, batch["id"])
    link = quick.get(f"/api/v1/jobs/{job['id']}/results_link").get_json()["data"]["results_link"]
    result = quick.get(link.replace("http://localhost", "")).get_json()
    assert {len(bits) for bits in result["counter"]} == {4}
    assert sum(result["counter"].values()) == 37
    assert "serialised_results" not in result  # a QPU's
    emulated = submit(quick, [{"runs": 5}], device_type="EMU_MPS")
    status(quick, emulated["id"])
    (job,) = jobs_of(quick, emulated["id"])
    result = quick.get(f"/results/{job['id']}").get_json()
    assert json.loads(result["serialised_results"])["atom_order"] == ["q0", "q1", "q2", "q3"]


def test_fast_forward_finishes_a_batch_by_its_first_poll_moving_the_clock(
    quick: FlaskClient,
) -> None:
    before = quick.get("/_mock/clock").get_json()["now"]
    batch = submit(quick, [{"runs": 10}] * 3)
    polled = status(quick, batch["id"])
    assert (polled["status"], polled["jobs_count_per_status"]) == ("DONE", counts(DONE=3))
    after = quick.get("/_mock/clock").get_json()["now"]
    jobs = jobs_of(quick, batch["id"])
    assert before < jobs[0]["start_timestamp"] < jobs[-1]["end_timestamp"] <= after


def test_fates_decide_how_the_next_submitted_jobs_end(quick: FlaskClient) -> None:
    response = quick.post("/_mock/fates", json={"status": "ERROR", "count": 2, "errors": ["boom"]})
    assert response.status_code == 201 and len(response.get_json()["data"]) == 2
    batch = submit(quick, [{"runs": 10}] * 3)
    assert status(quick, batch["id"])["jobs_count_per_status"] == counts(ERROR=2, DONE=1)
    assert [j["errors"] for j in jobs_of(quick, batch["id"])] == [["boom"], ["boom"], []]
    assert quick.get("/_mock/fates").get_json()["data"] == []
    quick.post("/_mock/fates", json={"status": "ERROR"})
    failed = submit(quick, [{"runs": 1}])
    assert status(quick, failed["id"])["status"] == "ERROR"  # every job ended ERROR
    assert jobs_of(quick, failed["id"])[0]["errors"]  # messages drawn as the error rate's are


def test_an_open_batch_takes_jobs_until_closed_and_stays_running_till_then(
    quick: FlaskClient,
) -> None:
    batch = submit(quick, [], open=True)
    assert (batch["status"], batch["open"], batch["jobs_count"]) == ("PENDING", True, 0)
    added = quick.post(f"/api/v2/batches/{batch['id']}/jobs", json=[{"runs": 3}, {"runs": 4, "variables": {"omega": 1}}])  # fmt: skip
    assert added.status_code == 200 and added.get_json()["data"]["jobs_count"] == 2
    assert status(quick, batch["id"])["status"] == "RUNNING"  # all final, but open
    closed = quick.patch(f"/api/v2/batches/{batch['id']}/complete").get_json()["data"]
    assert (closed["status"], closed["open"], closed["complete"]) == ("DONE", False, True)
    assert [j["creation_order"] for j in jobs_of(quick, batch["id"])] == [1, 2]
    again = quick.patch(f"/api/v2/batches/{batch['id']}/complete")
    assert again.status_code == 400 and again.get_json()["status"] == "fail"
    refused = quick.post(f"/api/v2/batches/{batch['id']}/jobs", json=[{"runs": 3}])
    assert refused.status_code == 400 and "closed" in refused.get_json()["message"]
    assert len(jobs_of(quick, batch["id"])) == 2


def test_cancelling_a_batch_cancels_its_unfinished_jobs_and_closes_it(api: FlaskClient) -> None:
    batch = submit(api, open=True)
    cancelled = api.patch(f"/api/v2/batches/{batch['id']}/cancel").get_json()["data"]
    assert (cancelled["status"], cancelled["open"]) == ("CANCELED", False)
    assert cancelled["jobs_count_per_status"] == counts(CANCELED=2)
    assert {j["status"] for j in jobs_of(api, batch["id"])} == {"CANCELED"}
    again = api.patch(f"/api/v2/batches/{batch['id']}/cancel")
    assert (again.status_code, again.get_json()["code"]) == (400, "400")


def test_cancel_batches_says_why_each_other_one_was_not(api: FlaskClient) -> None:
    live, final = submit(api), submit(api)
    api.patch(f"/api/v2/batches/{final['id']}/cancel")
    unknown = "12345678-1234-1234-1234-123456789012"
    body = api.patch("/api/v1/batches/cancel", json={"batch_ids": [live["id"], final["id"], unknown]}).get_json()["data"]  # fmt: skip
    assert [b["id"] for b in body["batches"]] == [live["id"]]
    assert set(body["errors"]) == {final["id"], unknown}
    assert "not found" in body["errors"][unknown] and "CANCELED" in body["errors"][final["id"]]


def test_cancel_jobs_cancels_the_selected_ones(api: FlaskClient) -> None:
    batch = submit(api, [{"runs": 5}, {"runs": 50}, {"runs": 500}])
    body = api.patch(f"/api/v2/batches/{batch['id']}/cancel/jobs?min_runs=10").get_json()["data"]
    assert sorted(j["runs"] for j in body["jobs"]) == [50, 500] and body["errors"] == {}
    again = api.patch(f"/api/v2/batches/{batch['id']}/cancel/jobs").get_json()["data"]
    assert [j["runs"] for j in again["jobs"]] == [5] and len(again["errors"]) == 2
    assert status(api, batch["id"])["jobs_count_per_status"] == counts(CANCELED=3)


def test_rebatch_copies_the_selected_jobs_into_a_new_closed_batch(api: FlaskClient) -> None:
    batch = submit(api, [{"runs": 5}, {"runs": 50}])
    api.patch(f"/api/v2/batches/{batch['id']}/cancel/jobs?max_runs=5")
    copy = api.post(f"/api/v1/batches/{batch['id']}/rebatch?status=CANCELED").get_json()["data"]
    assert (copy["parent_id"], copy["open"], copy["jobs_count"]) == (batch["id"], False, 1)
    (job,) = jobs_of(api, copy["id"])
    original = jobs_of(api, batch["id"])[0]
    assert (job["parent_id"], job["runs"], job["status"]) == (original["id"], 5, "PENDING")
    empty = api.post(f"/api/v1/batches/{batch['id']}/rebatch?status=ERROR")
    assert empty.status_code == 400 and empty.get_json()["status"] == "fail"


def test_tags_replace_and_filter_the_list(api: FlaskClient) -> None:
    batch = submit(api, tags=["one"])
    tagged = api.patch(f"/api/v1/batches/{batch['id']}/tags", json=["alpha", "beta"]).get_json()[
        "data"
    ]
    assert tagged["tags"] == ["alpha", "beta"]
    found = api.get("/api/v1/batches?tag=beta").get_json()
    assert [b["id"] for b in found["data"]] == [batch["id"]]
    assert api.get("/api/v1/batches?tag=one").get_json()["pagination"]["total"] == 0


def test_the_batch_list_filters_and_pages_like_the_job_list(api: FlaskClient) -> None:
    everything = api.get("/api/v1/batches?limit=100").get_json()
    batches = everything["data"]
    assert everything["pagination"]["total"] == len(batches) > 3
    assert [b["created_at"] for b in batches] == sorted(
        (b["created_at"] for b in batches), reverse=True
    )
    for status_ in ("DONE", "RUNNING", "CANCELED"):
        expected = [b["id"] for b in batches if b["status"] == status_]
        got = api.get(f"/api/v1/batches?status={status_}&limit=100").get_json()["data"]
        assert [b["id"] for b in got] == expected
    page = api.get("/api/v1/batches?offset=2&limit=2")
    assert page.headers["Content-Range"] == f"3-4/{len(batches)}"
    assert [b["id"] for b in page.get_json()["data"]] == [b["id"] for b in batches[2:4]]
    bad = api.get("/api/v1/batches?limit=0&status=done")
    assert bad.status_code == 422
    assert [e["loc"] for e in bad.get_json()["detail"]] == [
        ["query", "limit"],
        ["query", "status", 0],
    ]


def test_generated_batches_agree_with_their_jobs(api: FlaskClient) -> None:
    jobs = api.get("/api/v2/jobs?limit=100").get_json()["data"]
    for batch in api.get("/api/v1/batches?limit=100").get_json()["data"]:
        mine = [j for j in jobs if j["batch_id"] == batch["id"]]
        assert batch["jobs_count"] == len(mine) > 0
        assert batch["jobs_count_per_status"] == counts(**{s: sum(j["status"] == s for j in mine) for s in {j["status"] for j in mine}})  # fmt: skip
        assert {j["project_id"] for j in mine} == {batch["project_id"]}


def test_reset_forgets_submitted_batches_and_jobs(api: FlaskClient) -> None:
    before = (total(api), total(api, "/api/v1/batches"))
    batch = submit(api)
    assert api.post("/_mock/reset", json={}).status_code == 200
    assert (total(api), total(api, "/api/v1/batches")) == before
    assert api.get(f"/api/v2/batches/{batch['id']}").status_code == 404


def test_devices_workloads_projects_and_the_ovh_routes() -> None:
    from mockjobs.app import create_app

    api = create_app({"SEED": 10, "TOKEN": "secret", "FAST_FORWARD": True}).test_client()
    auth = {"Authorization": "Bearer secret"}
    assert api.get("/api/v1/devices/specs").status_code == 401
    specs = api.get("/api/v1/devices/specs", headers=auth).get_json()["data"]
    public = api.get("/api/v1/devices/public-specs").get_json()["data"]  # no token
    assert {d["device_type"]: d["specs"] for d in public} == specs
    created = api.post("/api/v1/workloads", headers=auth,
                       json={"workload_type": "qaoa", "backend": "emu", "config": {"p": 2}, "project_id": "p"})  # fmt: skip
    workload = created.get_json()["data"]
    assert workload["status"] == "PENDING"
    done = api.get(f"/api/v2/workloads/{workload['id']}", headers=auth).get_json()["data"]
    assert done["status"] == "DONE" and done["result_link"]
    refused = api.put(f"/api/v1/workloads/{workload['id']}/cancel", headers=auth)
    assert refused.status_code == 400
    projects = api.get("/api/v1/projects?project_status=ACTIVE", headers=auth).get_json()["data"]
    assert projects and all(p["name"] and p["status"] == "ACTIVE" for p in projects)
    ovh = api.post("/api/v1/third-party-access/ovh/batches", headers=auth)
    assert ovh.status_code == 501 and "OVH" in ovh.get_json()["message"]
