"""Live jobs through the official SDK against mockjobs: cancelled, waited for, a stored sequence."""

from __future__ import annotations

import os
import threading
from datetime import datetime
from typing import Any

import pytest

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

from pasqal_cloud.endpoints import Endpoints
from pasqal_cloud.errors import JobCancellingError
from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
from pasqal_cloud.utils.constants import JobStatus
from pasqal_cloud.utils.filters import JobFilters

from mockjobs import MockJobsServer

from .conftest import SDK_WARNINGS, fixed_token
from .test_sdk_job_life import (
    LIVE,
    MAX_POLLS,
    cause_status,
    listed,
    poll_sleeping_with,
    responses_of,
)

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
TIMELINE = ("created_at", "start_timestamp", "end_timestamp", "updated_at")
ONE_DAY = 86_400.0  # seconds: more than any generated job queues and runs
LIFECYCLE_SEED = 40  # jobs of the lifecycle server: a few of them queued or running


# Helpers


def client_of(server: MockJobsServer, token: str = "any-token") -> PasqalCloudClient:
    return PasqalCloudClient(
        token_provider=fixed_token(token), endpoints=Endpoints(core=server.url, account=server.url)
    )


def pick(server: MockJobsServer, status: str) -> dict[str, Any]:
    """The first listed job of this status; the journal is then cleared."""
    jobs = listed(server.url, server.token, status=status)
    assert jobs, f"no {status} job in the server's data set"
    server.clear_requests()
    return jobs[0]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def assert_timeline(job: dict[str, Any]) -> None:
    """created_at <= start_timestamp <= end_timestamp <= updated_at, those that are set."""
    moments = [instant(job[key]) for key in TIMELINE if job[key] is not None]
    assert moments == sorted(moments), {key: job[key] for key in TIMELINE}


def journal(server: MockJobsServer) -> list[tuple[str, str, int]]:
    return [(entry.method, entry.path, entry.status) for entry in server.requests]


# Servers of this module's own: a test with this marker is given a server of these
# settings by the plugin, shared with the other tests carrying it and reset before each

lifecycle_on = pytest.mark.mockjobs(seed=LIFECYCLE_SEED, lifecycle=True)  # jobs move with time


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
