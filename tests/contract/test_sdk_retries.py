"""The official SDK's retries against mockjobs' fault rules: what it retries, waits, gives up."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

from pasqal_cloud.errors import JobFetchingError
from pasqal_cloud.job import Job
from pasqal_cloud.utils import retry
from pasqal_cloud.utils.constants import JobStatus
from pasqal_cloud.utils.filters import PaginationParams

from mockjobs import MockJobsServer

from .conftest import SDK_WARNINGS
from .test_sdk_job_life import Jobs, cause_status
from .test_sdk_live_jobs import client_of, drives_mockjobs, journal, pick

pytestmark = SDK_WARNINGS


# The SDK's sleeps, made instant


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SDK's HTTP retries sleep no time: the delays they asked for, in order.

    Only the `time` of pasqal_cloud.utils.retry (which calls nothing but `time.sleep`) is
    replaced; no other sleep of the process is touched.
    """
    sleeps: list[float] = []
    monkeypatch.setattr(retry, "time", SimpleNamespace(sleep=sleeps.append))
    return sleeps


# Retries (mockjobs' fault rules)
#
# pasqal_cloud.utils.retry, as HTTPClient._authenticated_request uses it, retries a request
# answered 408, 425, 429, 500, 502 or 504, up to 5 times after sleeping 1, 2, 4, 8 and 16 s
# (a 429's Retry-After, in seconds or as a date, replaces the delay); whatever the method,
# PATCH and POST too. A GET is also retried on a broken connection or a timeout, other
# methods are not. 503 is not in the set: a "Service Unavailable" fails at once, even with a
# Retry-After. Every other error status (400, 401, 404, ...) fails at once too.


def first_page(server: MockJobsServer, limit: int) -> tuple[Jobs, int]:
    """The newest `limit` jobs and the total, as the list gives them; the journal is cleared."""
    response = requests.get(f"{server.url}/api/v2/jobs", params={"limit": limit}, timeout=30)
    body = response.json()
    server.clear_requests()
    return body["data"], body["pagination"]["total"]


def dumps(jobs: list[Job]) -> Jobs:
    return [job.model_dump(exclude={"_client"}) for job in jobs]


@drives_mockjobs
def test_get_jobs_survives_two_server_errors(
    mockjobs: MockJobsServer, retry_sleeps: list[float]
) -> None:
    expected, total = first_page(mockjobs, 10)
    mockjobs.arm_fault(status=500, times=1)
    mockjobs.arm_fault(status=502, times=1)
    page = client_of(mockjobs).get_jobs(pagination_params=PaginationParams(limit=10))
    assert (dumps(page.results), page.total, page.offset) == (expected, total, 0)
    assert [entry.status for entry in mockjobs.requests] == [500, 502, 200]
    assert {(entry.method, entry.path, str(entry.query)) for entry in mockjobs.requests} == {
        ("GET", "/api/v2/jobs", str({"offset": ["0"], "limit": ["10"]}))
    }
    assert retry_sleeps == [1, 2]


@drives_mockjobs
@pytest.mark.parametrize("status", [429, 500, 502, 504])
def test_a_retried_status(status: int, mockjobs: MockJobsServer, retry_sleeps: list[float]) -> None:
    expected, total = first_page(mockjobs, 100)
    mockjobs.arm_fault(status=status, times=1)
    page = client_of(mockjobs).get_jobs()
    assert (dumps(page.results), page.total) == (expected, total)
    assert journal(mockjobs) == [("GET", "/api/v2/jobs", status), ("GET", "/api/v2/jobs", 200)]
    assert retry_sleeps == [1]


@drives_mockjobs
def test_a_429_waits_as_retry_after_says(
    mockjobs: MockJobsServer, retry_sleeps: list[float]
) -> None:
    """Armed through the control API, as a test outside this process would."""
    expected, total = first_page(mockjobs, 5)
    rule = {"method": "GET", "path": "/api/v2/jobs", "status": 429, "retry_after": 7, "times": 1}
    response = requests.post(f"{mockjobs.url}/_mock/faults", json=rule, timeout=10)
    assert response.status_code == 201, response.text
    page = client_of(mockjobs).get_jobs(pagination_params=PaginationParams(limit=5))
    assert (dumps(page.results), page.total) == (expected, total)
    assert [entry.status for entry in mockjobs.requests] == [429, 200]
    assert retry_sleeps == [7]


@drives_mockjobs
def test_a_503_is_not_retried(mockjobs: MockJobsServer, retry_sleeps: list[float]) -> None:
    """503 is not among the statuses the SDK retries: get_jobs fails at the first one."""
    mockjobs.arm_fault(status=503, times=1, retry_after=1)
    sdk = client_of(mockjobs)
    with pytest.raises(JobFetchingError) as raised:
        sdk.get_jobs()
    assert cause_status(raised.value) == 503
    assert journal(mockjobs) == [("GET", "/api/v2/jobs", 503)]
    assert retry_sleeps == []
    assert sdk.get_jobs().total > 0  # the rule is used up


@drives_mockjobs
def test_the_sdk_gives_up_after_five_retries(
    mockjobs: MockJobsServer, retry_sleeps: list[float]
) -> None:
    mockjobs.arm_fault(status=500)  # until cleared
    with pytest.raises(JobFetchingError) as raised:
        client_of(mockjobs).get_jobs()
    assert cause_status(raised.value) == 500
    assert journal(mockjobs) == [("GET", "/api/v2/jobs", 500)] * 6
    assert retry_sleeps == [1, 2, 4, 8, 16]  # 31 s, in real life


@drives_mockjobs
def test_a_dropped_connection_is_retried(
    mockjobs: MockJobsServer, retry_sleeps: list[float]
) -> None:
    expected, total = first_page(mockjobs, 100)
    mockjobs.arm_fault(drop=True, times=1)
    page = client_of(mockjobs).get_jobs()
    assert (dumps(page.results), page.total) == (expected, total)
    assert journal(mockjobs) == [("GET", "/api/v2/jobs", 499), ("GET", "/api/v2/jobs", 200)]
    assert retry_sleeps == [1]


@drives_mockjobs
def test_one_jobs_requests_are_retried(mockjobs: MockJobsServer, retry_sleeps: list[float]) -> None:
    job_id = pick(mockjobs, "DONE")["id"]
    paths = {
        f"/api/v2/jobs/{job_id}": 504,
        f"/api/v1/jobs/{job_id}/status": 502,
        f"/api/v1/jobs/{job_id}/results_link": 429,
        f"/results/{job_id}": 500,  # the download itself: retried on any error status
    }
    for path, status in paths.items():
        mockjobs.arm_fault(path, status=status, times=1)
    sdk = client_of(mockjobs)
    job = sdk.get_job(job_id)
    assert sdk.get_job_status(job_id) is JobStatus.DONE
    assert job.full_result is not None
    assert journal(mockjobs) == [
        ("GET", path, code) for path, status in paths.items() for code in (status, 200)
    ]
    assert retry_sleeps == [1, 1, 1, 1]


@drives_mockjobs
def test_a_cancel_is_retried_on_a_502(mockjobs: MockJobsServer, retry_sleeps: list[float]) -> None:
    """Not only GETs: the SDK sends a PATCH again after a 502 (had the service cancelled the
    job before its answer was lost, the retry would be refused with a 400)."""
    job_id = pick(mockjobs, "RUNNING")["id"]
    path = f"/api/v2/jobs/{job_id}/cancel"
    mockjobs.arm_fault(path, method="PATCH", status=502, times=1)
    assert client_of(mockjobs).cancel_job(job_id).status == "CANCELED"
    assert journal(mockjobs) == [("PATCH", path, 502), ("PATCH", path, 200)]
    assert retry_sleeps == [1]


@drives_mockjobs
def test_a_dropped_cancel_is_not_retried(
    mockjobs: MockJobsServer, retry_sleeps: list[float]
) -> None:
    """Only GETs are retried on a broken connection, whose error the SDK does not wrap:
    cancel_job raises requests' ConnectionError, not JobCancellingError."""
    job_id = pick(mockjobs, "RUNNING")["id"]
    path = f"/api/v2/jobs/{job_id}/cancel"
    mockjobs.arm_fault(path, method="PATCH", drop=True, times=1)
    sdk = client_of(mockjobs)
    with pytest.raises(requests.ConnectionError):
        sdk.cancel_job(job_id)
    assert journal(mockjobs) == [("PATCH", path, 499)]
    assert retry_sleeps == []
    assert sdk.get_job_status(job_id) is JobStatus.RUNNING  # the dropped request did nothing
