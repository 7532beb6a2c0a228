"""The official SDK against a mockjobs requiring a token: right, wrong (a 401), a public link."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
import requests

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

from pasqal_cloud.errors import JobCancellingError, JobFetchingError
from pasqal_cloud.job import Job
from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
from pasqal_cloud.utils.constants import JobStatus
from requests import HTTPError

from mockjobs import MockJobsServer

from .conftest import SDK_WARNINGS
from .test_sdk_job_life import cause_status, listed, responses_of
from .test_sdk_job_life import poll_sleeps as poll_sleeps
from .test_sdk_live_jobs import client_of, drives_mockjobs, pick
from .test_sdk_retries import retry_sleeps as retry_sleeps

pytestmark = SDK_WARNINGS

TOKEN_SEED = 20
TOKEN = "mockjobs-contract-secret"

# Servers of this module's own: a test with this marker is given a server of these
# settings by the plugin, shared with the other tests carrying it and reset before each

token_required = pytest.mark.mockjobs(seed=TOKEN_SEED, token=TOKEN)  # `Authorization: Bearer ...`


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
