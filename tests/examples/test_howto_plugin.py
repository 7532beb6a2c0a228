"""README example: a client's tests against the fake API, with the plugin's fixtures (no conftest)."""

from __future__ import annotations

import pytest
import requests

from mockjobs import EXAMPLES, MockJobsServer


def test_lists_failed_jobs(mockjobs: MockJobsServer) -> None:
    response = requests.get(f"{mockjobs.url}/api/v2/jobs", params={"status": "ERROR"}, timeout=10)
    assert response.status_code == 200
    jobs = response.json()["data"]
    assert jobs and all(job["status"] == "ERROR" for job in jobs)
    mockjobs.assert_request_made("/api/v2/jobs", query={"status": "ERROR"})


def test_my_own_jobs(mockjobs: MockJobsServer) -> None:
    (job,) = mockjobs.add_jobs([{"id": "my-job", "status": "DONE", "runs": 42}])
    assert job["project_id"]  # the record came back complete
    body = requests.get(f"{mockjobs.url}/api/v2/jobs", params={"id": "my-job"}, timeout=10).json()
    assert body["data"][0]["runs"] == 42


def test_the_next_test_does_not_see_my_job(mockjobs: MockJobsServer) -> None:
    body = requests.get(f"{mockjobs.url}/api/v2/jobs", params={"id": "my-job"}, timeout=10).json()
    assert body["pagination"]["total"] == 0


@pytest.mark.mockjobs(seed=0, fixtures=[EXAMPLES / "documented_example.json"])
def test_with_a_data_set_of_my_own(mockjobs: MockJobsServer) -> None:
    body = requests.get(f"{mockjobs.url}/api/v2/jobs", timeout=10).json()
    assert [job["id"] for job in body["data"]] == ["00000000-0000-0000-0000-000000000003"]


def test_a_bad_query_is_a_422(mockjobs: MockJobsServer) -> None:
    response = requests.get(f"{mockjobs.url}/api/v2/jobs", params={"status": "done"}, timeout=10)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "status", 0]
