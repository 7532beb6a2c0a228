"""The rest of a job's life through the official SDK: one job, its status, its results,
cancelling it, waiting for it to end, retries, and a token (SPEC sections 5 and 10).

The reading tests run against either target (see conftest.py). The tests that drive mockjobs
itself (its fault rules, its clock and lifecycle, the token it is started with) or that cancel
live jobs use MockJobsServer instances in this process, and are skipped when
MOCKJOBS_CONTRACT_URL points at a real endpoint.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

import tenacity
from pasqal_cloud.endpoints import Endpoints
from pasqal_cloud.errors import JobCancellingError, JobFetchingError
from pasqal_cloud.job import Job
from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
from pasqal_cloud.utils import polling, retry
from pasqal_cloud.utils.constants import JobStatus
from pasqal_cloud.utils.filters import JobFilters, PaginationParams
from requests import HTTPError, Response

from mockjobs import MockJobsServer

from .conftest import SDK_WARNINGS, Target, fixed_token

pytestmark = SDK_WARNINGS

ON_A_REAL_ENDPOINT = bool(os.environ.get("MOCKJOBS_CONTRACT_URL"))
drives_mockjobs = pytest.mark.skipif(
    ON_A_REAL_ENDPOINT,
    reason="drives mockjobs itself (fault rules, its clock and lifecycle, the token it is "
    "started with): MOCKJOBS_CONTRACT_URL names a real endpoint, which cannot be driven so",
)
cancels_live_jobs = pytest.mark.skipif(
    ON_A_REAL_ENDPOINT,
    reason="cancels live jobs: destructive on the real endpoint MOCKJOBS_CONTRACT_URL names",
)

Jobs = list[dict[str, Any]]
ABSENT_ID = "00000000-0000-4000-8000-000000000000"
FINAL = ("DONE", "ERROR", "CANCELED")  # a cancel of these is refused
LIVE = ("PENDING", "RUNNING")  # what the SDK waits on (not CANCELING: see below)
TIMELINE = ("created_at", "start_timestamp", "end_timestamp", "updated_at")
MAX_POLLS = 10  # status polls before a test calls a wait endless (the SDK never stops)
ONE_DAY = 86_400.0  # seconds: more than any generated job queues and runs
LIFECYCLE_SEED = 40  # jobs of the lifecycle server: a few of them queued or running
TOKEN_SEED = 20
TOKEN = "mockjobs-contract-secret"


# Helpers


def client_of(server: MockJobsServer, token: str = "any-token") -> PasqalCloudClient:
    return PasqalCloudClient(
        token_provider=fixed_token(token), endpoints=Endpoints(core=server.url, account=server.url)
    )


@contextmanager
def responses_of(sdk: PasqalCloudClient) -> Iterator[list[Response]]:
    """The responses the SDK's session receives inside the block, in order."""
    received: list[Response] = []

    def record(response: Response, *args: object, **kwargs: object) -> None:
        received.append(response)

    hooks = sdk._client.session.hooks["response"]
    hooks.append(record)
    try:
        yield received
    finally:
        hooks.remove(record)


def calls(received: list[Response]) -> list[tuple[str, str, int]]:
    """(method, URL without its query, status) of each response."""
    return [
        (r.request.method or "", str(r.request.url).partition("?")[0], r.status_code)
        for r in received
    ]


def listed(url: str, token: str | None, **params: Any) -> Jobs:
    """What GET /api/v2/jobs lists, as JSON, with these parameters."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.get(
        f"{url}/api/v2/jobs", params={"limit": 100, **params}, headers=headers, timeout=30
    )
    response.raise_for_status()
    return response.json()["data"]


def pick(server: MockJobsServer, status: str) -> dict[str, Any]:
    """The first listed job of this status; the journal is then cleared."""
    jobs = listed(server.url, server.token, status=status)
    assert jobs, f"no {status} job in the server's data set"
    server.clear_requests()
    return jobs[0]


def a_job(served_jobs: Jobs, target: Target, status: str, *, stable: bool = True) -> dict[str, Any]:
    """A job of the target with this status.

    On a real endpoint a live job may change between two requests, so a test that compares
    two answers (`stable`) is skipped there for a live status.
    """
    if stable and not target.local and status not in FINAL:
        pytest.skip(f"a {status} job of a real endpoint may change between two requests")
    for job in served_jobs:
        if job["status"] == status:
            return job
    message = f"no {status} job in the data"
    if target.local:
        pytest.fail(message)
    pytest.skip(message)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def assert_timeline(job: dict[str, Any]) -> None:
    """created_at <= start_timestamp <= end_timestamp <= updated_at, those that are set."""
    moments = [instant(job[key]) for key in TIMELINE if job[key] is not None]
    assert moments == sorted(moments), {key: job[key] for key in TIMELINE}


def cause_status(error: BaseException) -> int:
    """The HTTP status behind one of the SDK's errors (raised `from` a requests HTTPError)."""
    cause = error if isinstance(error, HTTPError) else error.__cause__
    assert isinstance(cause, HTTPError) and cause.response is not None, repr(error)
    return cause.response.status_code


def journal(server: MockJobsServer) -> list[tuple[str, str, int]]:
    return [(entry.method, entry.path, entry.status) for entry in server.requests]


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


class PollingTenacity:
    """tenacity as pasqal_cloud.utils.polling sees it, but its Retrying sleeps with `sleep`.

    `poll_status` (behind `get_job(id, wait=True)`) builds a `tenacity.Retrying` that waits
    2, 4, 8, 16, 30, 30, ... seconds between status polls, with tenacity's default sleep.
    """

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self.sleep = sleep

    def __getattr__(self, name: str) -> Any:
        return getattr(tenacity, name)

    def Retrying(self, *args: Any, **kwargs: Any) -> tenacity.Retrying:
        return tenacity.Retrying(*args, sleep=self.sleep, **kwargs)


def poll_sleeping_with(monkeypatch: pytest.MonkeyPatch, sleep: Callable[[float], None]) -> None:
    monkeypatch.setattr(polling, "tenacity", PollingTenacity(sleep))


@pytest.fixture
def poll_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SDK's status polling sleeps no time: the waits it asked for, in order."""
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) > MAX_POLLS:  # poll_status itself never gives up
            raise AssertionError(f"still polling after {MAX_POLLS} polls")

    poll_sleeping_with(monkeypatch, sleep)
    return sleeps


# Servers of this module's own: a test with one of these markers is given a server of these
# settings by the plugin, shared with the other tests carrying it and reset before each

lifecycle_on = pytest.mark.mockjobs(seed=LIFECYCLE_SEED, lifecycle=True)  # jobs move with time
token_required = pytest.mark.mockjobs(seed=TOKEN_SEED, token=TOKEN)  # `Authorization: Bearer ...`


# One job, read (either target)


@pytest.mark.parametrize("status", ["PENDING", "RUNNING", *FINAL, "CANCELING"])
def test_get_job_is_the_listed_job_and_its_sequence(
    status: str, sdk: PasqalCloudClient, target: Target, served_jobs: Jobs
) -> None:
    chosen = a_job(served_jobs, target, status)
    (expected,) = listed(target.url, target.token, id=chosen["id"])
    with responses_of(sdk) as received:
        job = sdk.get_job(chosen["id"])
        sequence = job.sequence  # it came with the job: no second request
    assert calls(received) == [("GET", f"{target.url}/api/v2/jobs/{chosen['id']}", 200)]
    data = received[0].json()["data"]
    assert set(data) == {*expected, "sequence"}
    assert sequence is None or isinstance(sequence, str)
    assert sequence == data["sequence"]
    assert isinstance(job, Job)
    assert job.model_dump(exclude={"_client"}) == {**expected, "sequence": sequence}


def test_a_listed_job_fetches_its_sequence_once(
    sdk: PasqalCloudClient, target: Target, served_jobs: Jobs
) -> None:
    """The list has no sequence: Job.sequence reads the job, the first time only."""
    chosen = a_job(served_jobs, target, "DONE")
    (job,) = sdk.get_jobs(filters=JobFilters(id=chosen["id"])).results
    with responses_of(sdk) as received:
        first, again = job.sequence, job.sequence
    assert calls(received) == [("GET", f"{target.url}/api/v2/jobs/{chosen['id']}", 200)]
    assert first == again == received[0].json()["data"]["sequence"]


@pytest.mark.parametrize("status", [status.value for status in JobStatus])
def test_get_job_status(
    status: str, sdk: PasqalCloudClient, target: Target, served_jobs: Jobs
) -> None:
    chosen = a_job(served_jobs, target, status)
    with responses_of(sdk) as received:
        assert sdk.get_job_status(chosen["id"]) is JobStatus(status)
    url = f"{target.url}/api/v1/jobs/{chosen['id']}/status"
    assert calls(received) == [("GET", url, 200)]
    assert received[0].json()["data"] == {"id": chosen["id"], "status": status}


def test_the_sdk_has_no_name_for_canceling(
    sdk: PasqalCloudClient, target: Target, served_jobs: Jobs, poll_sleeps: list[float]
) -> None:
    """An SDK limitation, not the API's: its JobStatus lacks CANCELING.

    The API answers the status of a CANCELING job, and get_job_status fails on it with a
    KeyError; get_job(wait=True) waits only while a job is PENDING or RUNNING, so it returns
    a CANCELING job at once, before it is CANCELED.
    """
    chosen = a_job(served_jobs, target, "CANCELING")
    with pytest.raises(KeyError, match="CANCELING"):
        sdk.get_job_status(chosen["id"])
    with responses_of(sdk) as received:
        job = sdk.get_job(chosen["id"], wait=True)
    assert job.status == "CANCELING"
    assert [url.rsplit("/", 1)[1] for _, url, _ in calls(received)] == ["status", chosen["id"]]
    assert poll_sleeps == []


def test_waiting_for_a_finished_job_polls_once(
    sdk: PasqalCloudClient, target: Target, served_jobs: Jobs, poll_sleeps: list[float]
) -> None:
    chosen = a_job(served_jobs, target, "DONE")
    with responses_of(sdk) as received:
        job = sdk.get_job(chosen["id"], wait=True)
    assert calls(received) == [
        ("GET", f"{target.url}/api/v1/jobs/{chosen['id']}/status", 200),
        ("GET", f"{target.url}/api/v2/jobs/{chosen['id']}", 200),
    ]
    assert poll_sleeps == []
    assert (job.id, job.status) == (chosen["id"], "DONE")


# Results (either target)


def test_results_of_a_done_job(sdk: PasqalCloudClient, target: Target, served_jobs: Jobs) -> None:
    chosen = a_job(served_jobs, target, "DONE")
    (job,) = sdk.get_jobs(filters=JobFilters(id=chosen["id"])).results
    with responses_of(sdk) as received:
        full = job.full_result
        counter = job.result  # from the full result already fetched
    assert full is not None
    assert counter == full["counter"]
    assert job.runs is not None and sum(full["counter"].values()) == job.runs
    assert len(full["raw"]) == job.runs
    assert dict(Counter(full["raw"])) == full["counter"]
    link_response, download = received
    link = link_response.json()["data"]["results_link"]
    assert calls(received) == [
        ("GET", f"{target.url}/api/v1/jobs/{chosen['id']}/results_link", 200),
        ("GET", link.partition("?")[0], 200),
    ]
    assert "Authorization" not in download.request.headers  # a pre-signed link: no token


@pytest.mark.parametrize("status", LIVE)
def test_a_job_without_results(
    status: str, sdk: PasqalCloudClient, target: Target, served_jobs: Jobs
) -> None:
    chosen = a_job(served_jobs, target, status, stable=False)
    (job,) = sdk.get_jobs(filters=JobFilters(id=chosen["id"])).results
    with responses_of(sdk) as received:
        assert job.full_result is None
        assert job.result is None
    # no result is not cached: each property asks for the link again
    url = f"{target.url}/api/v1/jobs/{chosen['id']}/results_link"
    assert calls(received) == [("GET", url, 200)] * 2
    assert received[0].json()["data"] == {"results_link": None}


# Unknown jobs and refused cancels (either target: nothing changes)

# The SDK's JobFetchingError and JobCancellingError derive from BaseException, not Exception:
# `except Exception` does not catch them.
UNKNOWN_ID_CALLS: dict[str, tuple[Callable[[PasqalCloudClient], object], type[BaseException]]] = {
    "get_job": (lambda sdk: sdk.get_job(ABSENT_ID), JobFetchingError),
    "get_job wait": (lambda sdk: sdk.get_job(ABSENT_ID, wait=True), JobFetchingError),
    "get_job_status": (lambda sdk: sdk.get_job_status(ABSENT_ID), JobFetchingError),
    "cancel_job": (lambda sdk: sdk.cancel_job(ABSENT_ID), JobCancellingError),
}


@pytest.mark.parametrize("call", UNKNOWN_ID_CALLS)
def test_an_unknown_job(call: str, sdk: PasqalCloudClient, poll_sleeps: list[float]) -> None:
    action, error = UNKNOWN_ID_CALLS[call]
    with responses_of(sdk) as received, pytest.raises(error) as raised:
        action(sdk)
    assert cause_status(raised.value) == 404
    assert len(received) == 1  # a 404 is not retried
    assert poll_sleeps == []


@pytest.mark.parametrize("status", FINAL)
def test_cancelling_a_finished_job_is_refused(
    status: str, sdk: PasqalCloudClient, target: Target, served_jobs: Jobs
) -> None:
    """A final job stays as it is: the API answers 400, which the SDK does not retry."""
    chosen = a_job(served_jobs, target, status)
    (job,) = sdk.get_jobs(filters=JobFilters(id=chosen["id"])).results
    with responses_of(sdk) as received, pytest.raises(JobCancellingError) as raised:
        job.cancel()
    assert cause_status(raised.value) == 400
    assert calls(received) == [("PATCH", f"{target.url}/api/v2/jobs/{chosen['id']}/cancel", 400)]
    assert job.status == status
    assert listed(target.url, target.token, id=chosen["id"]) == [chosen]


# Cancelling live jobs (mockjobs only)


@cancels_live_jobs
@pytest.mark.parametrize("how", ["Job.cancel", "PasqalCloudClient.cancel_job"])
@pytest.mark.parametrize("status", LIVE)
def test_cancel_a_live_job(status: str, how: str, mockjobs: MockJobsServer) -> None:
    before = pick(mockjobs, status)
    sdk = client_of(mockjobs)
    if how == "Job.cancel":
        (job,) = sdk.get_jobs(filters=JobFilters(id=before["id"])).results
        answer = job.cancel()
        assert job.status == "CANCELED"  # the SDK updates the status only
    else:
        answer = sdk.cancel_job(before["id"]).model_dump(exclude={"_client"})
    (after,) = listed(mockjobs.url, None, id=before["id"])
    assert answer == {**after, "sequence": answer["sequence"]}
    assert after["status"] == "CANCELED"
    assert after["end_timestamp"] == after["updated_at"]
    assert instant(after["updated_at"]) >= instant(before["updated_at"])
    kept = {key: value for key, value in before.items() if key not in (*TIMELINE[2:], "status")}
    assert {key: after[key] for key in kept} == kept
    assert_timeline(after)
    assert sdk.get_job_status(before["id"]) is JobStatus.CANCELED
    with pytest.raises(JobCancellingError) as raised:
        sdk.cancel_job(before["id"])
    assert cause_status(raised.value) == 400
    cancels = mockjobs.assert_request_made(f"/api/v2/jobs/{before['id']}/cancel", method="PATCH")
    assert [entry.status for entry in cancels] == [200, 400]


@drives_mockjobs
def test_get_job_gives_a_stored_sequence_and_result(mockjobs: MockJobsServer) -> None:
    stored = {"counter": {"01": 1, "10": 2}, "raw": ["10", "01", "10"]}
    sequence = '{"version": "1", "name": "pulser-exported", "register": []}'
    mockjobs.add_jobs([{"id": "with-a-sequence", "status": "DONE", "runs": 3,
                        "sequence": sequence, "result": stored}])  # fmt: skip
    job = client_of(mockjobs).get_job("with-a-sequence")
    assert job.sequence == sequence
    assert job.full_result == {**stored, "serialised_results": None}
    assert job.result == stored["counter"]


# Waiting for a job to end (mockjobs with lifecycle on)


@drives_mockjobs
@lifecycle_on
@pytest.mark.parametrize("status", LIVE)
def test_get_job_waits_until_the_job_ends(
    status: str, mockjobs: MockJobsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """get_job(wait=True) polls the status until it is final, then reads the job.

    The SDK's sleep between polls returns at once, except the second: it lets a background
    thread advance the mock's clock by a day, which ends the job, and waits for it. So the job
    is polled exactly three times, whatever the machine's speed.
    """
    server = mockjobs
    # the one furthest from its end (a PENDING job waits 5 s at least once next in line)
    before = min(listed(server.url, None, status=status), key=lambda job: job["progress"])
    server.clear_requests()
    sdk = client_of(server)

    waits: list[float] = []
    second_poll, advanced = threading.Event(), threading.Event()
    clock: dict[str, datetime] = {}

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) > MAX_POLLS:  # poll_status itself never gives up
            raise AssertionError(f"the job did not end after {MAX_POLLS} polls")
        if len(waits) == 2:
            second_poll.set()
            if not advanced.wait(10):
                raise AssertionError("the background thread did not advance the clock")

    def advance_after_the_second_poll() -> None:
        if second_poll.wait(10):
            clock["advanced at"] = server.mock.clock.now()
            server.advance_clock(ONE_DAY)
            advanced.set()

    poll_sleeping_with(monkeypatch, sleep)
    thread = threading.Thread(target=advance_after_the_second_poll, name="advance the clock")
    thread.start()
    try:
        with responses_of(sdk) as received:
            job = sdk.get_job(before["id"], wait=True)
    finally:
        second_poll.set()  # never leave the thread waiting
        thread.join(10)

    assert job.status in ("DONE", "ERROR")
    polled = [response.json()["data"]["status"] for response in received[:-1]]
    assert polled == [status, status, job.status]
    assert waits == [2, 4]  # the SDK's schedule: 2, 4, 8, 16, 30, 30, ... seconds
    status_path, job_path = f"/api/v1/jobs/{job.id}/status", f"/api/v2/jobs/{job.id}"
    assert journal(server) == [("GET", status_path, 200)] * 3 + [("GET", job_path, 200)]

    (after,) = listed(server.url, None, id=before["id"])
    assert job.model_dump(exclude={"_client"}) == {**after, "sequence": None}
    assert_timeline(after)
    assert after["created_at"] == before["created_at"]
    if status == "RUNNING":
        assert after["start_timestamp"] == before["start_timestamp"]
    ended = instant(after["end_timestamp"])
    assert clock["advanced at"] < ended <= server.mock.clock.now()
    assert after["updated_at"] == after["end_timestamp"]
    if job.status == "DONE":
        assert (after["progress"], after["errors"]) == (100, [])
        assert job.full_result is not None
    else:
        assert after["progress"] < 100 and after["errors"]


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


# A server that requires a token


@drives_mockjobs
@token_required
def test_the_right_token(mockjobs: MockJobsServer) -> None:
    sdk = client_of(mockjobs, TOKEN)
    page = sdk.get_jobs()
    assert page.total == TOKEN_SEED
    done = next(job for job in page.results if job.status == "DONE")
    assert sdk.get_job(done.id).model_dump(exclude={"_client", "sequence"}) == done.model_dump(
        exclude={"_client"}
    )
    assert sdk.get_job_status(done.id) is JobStatus.DONE
    assert done.full_result is not None and sum(done.full_result["counter"].values()) == done.runs
    api = [entry for entry in mockjobs.requests if not entry.path.startswith("/results/")]
    (download,) = [entry for entry in mockjobs.requests if entry.path.startswith("/results/")]
    assert [entry.status for entry in api] == [200] * 4
    # The right token: every request was let through (200s above); the journal keeps no secret.
    assert {entry.headers["Authorization"] for entry in api} == {"Bearer …"}
    assert download.status == 200 and "Authorization" not in download.headers  # "pre-signed"


WRONG_TOKEN_CALLS: dict[
    str, tuple[Callable[[PasqalCloudClient, Job], object], type[BaseException]]
] = {
    "get_jobs": (lambda sdk, job: sdk.get_jobs(), JobFetchingError),
    "get_job": (lambda sdk, job: sdk.get_job(job.id), JobFetchingError),
    "get_job wait": (lambda sdk, job: sdk.get_job(job.id, wait=True), JobFetchingError),
    "get_job_status": (lambda sdk, job: sdk.get_job_status(job.id), JobFetchingError),
    "cancel_job": (lambda sdk, job: sdk.cancel_job(job.id), JobCancellingError),
    # the results are the one place where the SDK lets requests' own HTTPError out
    "Job.full_result": (lambda sdk, job: job.full_result, HTTPError),
}


@drives_mockjobs
@token_required
@pytest.mark.parametrize("call", WRONG_TOKEN_CALLS)
def test_a_wrong_token_is_refused(
    call: str, mockjobs: MockJobsServer, retry_sleeps: list[float], poll_sleeps: list[float]
) -> None:
    record = pick(mockjobs, "RUNNING")
    sdk = client_of(mockjobs, "not-the-token")
    job = Job(**record, _client=sdk._client)
    action, error = WRONG_TOKEN_CALLS[call]
    with pytest.raises(error) as raised:
        action(sdk, job)
    assert cause_status(raised.value) == 401
    (entry,) = mockjobs.requests  # a 401 is not retried
    assert (entry.status, entry.response) == (401, {"detail": "Not authenticated"})
    assert retry_sleeps == poll_sleeps == []
    assert listed(mockjobs.url, TOKEN, id=record["id"]) == [record]  # nothing changed


@drives_mockjobs
@token_required
def test_the_results_link_needs_no_token(mockjobs: MockJobsServer) -> None:
    """The link is public, as a pre-signed URL is: the SDK downloads it without the token."""
    record = pick(mockjobs, "DONE")
    sdk = client_of(mockjobs, TOKEN)
    job = sdk.get_job(record["id"])
    with responses_of(sdk) as received:
        result = job.full_result
    link_response, download = received
    assert link_response.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in download.request.headers
    assert download.status_code == 200 and result is not None
    link = link_response.json()["data"]["results_link"]
    assert urlsplit(link).netloc == urlsplit(mockjobs.url).netloc
    assert requests.get(link, timeout=10).json() == {
        "counter": result["counter"],
        "raw": result["raw"],
    }
    results_link = f"{mockjobs.url}/api/v1/jobs/{record['id']}/results_link"
    assert requests.get(results_link, timeout=10).status_code == 401
