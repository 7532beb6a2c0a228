"""One job read through the official SDK, against either target (see conftest.py): the job,
its status, its results, unknown jobs and refused cancels (SPEC sections 5 and 10).

Its helpers and sleep fixtures serve the tests that drive mockjobs itself too:
test_sdk_live_jobs.py, test_sdk_retries.py and test_sdk_token.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

import tenacity
from pasqal_cloud.errors import JobCancellingError, JobFetchingError
from pasqal_cloud.job import Job
from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
from pasqal_cloud.utils import polling
from pasqal_cloud.utils.constants import JobStatus
from pasqal_cloud.utils.filters import JobFilters
from requests import HTTPError, Response

from .conftest import SDK_WARNINGS, Target

pytestmark = SDK_WARNINGS

Jobs = list[dict[str, Any]]
ABSENT_ID = "00000000-0000-4000-8000-000000000000"
FINAL = ("DONE", "ERROR", "CANCELED")  # a cancel of these is refused
LIVE = ("PENDING", "RUNNING")  # what the SDK waits on (not CANCELING: see below)
MAX_POLLS = 10  # status polls before a test calls a wait endless (the SDK never stops)


# Helpers


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


def cause_status(error: BaseException) -> int:
    """The HTTP status behind one of the SDK's errors (raised `from` a requests HTTPError)."""
    cause = error if isinstance(error, HTTPError) else error.__cause__
    assert isinstance(cause, HTTPError) and cause.response is not None, repr(error)
    return cause.response.status_code


# The SDK's sleeps, made instant


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
