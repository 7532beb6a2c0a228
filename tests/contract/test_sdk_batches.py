"""The SDK's whole flow against mockjobs: devices, submit, wait, results, cancel, retry.

Each test drives pasqal-cloud 0.24.0 as its getting-started examples do. Two servers of their
own (submitting changes data, and the session's server must stay as its oracle saw it): one
in fast-forward mode, where `wait=True` returns at the first status poll, without the SDK
ever sleeping; one at the default pace, where submitted jobs take seconds. With
MOCKJOBS_CONTRACT_URL and MOCKJOBS_CONTRACT_TOKEN set, they run against that endpoint
(the tests that use the control API skip themselves there).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import requests

from .conftest import SDK_WARNINGS, Target, fixed_token, serve_mockjobs

if TYPE_CHECKING:
    from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient

pytestmark = [*SDK_WARNINGS]
PROJECT = "5c0a1f0e-7d1e-4b0e-9c43-2d1f0b6a7e11"


def client(url: str, token: str) -> PasqalCloudClient:
    from pasqal_cloud.endpoints import Endpoints
    from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient

    return PasqalCloudClient(
        token_provider=fixed_token(token), endpoints=Endpoints(core=url, account=url),
        project_id=PROJECT,
    )  # fmt: skip


@pytest.fixture(scope="module")
def quick_target(target: Target) -> Iterator[Target]:
    if not target.local:
        yield target
        return
    with serve_mockjobs("--fast-forward", "--error-rate", "0") as url:
        yield Target(url=url, token="t", local=True)


@pytest.fixture(scope="module")
def paced_target(target: Target) -> Iterator[Target]:
    if not target.local:
        yield target
        return
    with serve_mockjobs("--error-rate", "0") as url:
        yield Target(url=url, token="t", local=True)


@pytest.fixture(scope="module")
def quick(quick_target: Target) -> PasqalCloudClient:
    return client(quick_target.url, quick_target.token)


@pytest.fixture
def control(quick_target: Target) -> Iterator[str]:
    """The quick server's control API (a real endpoint has none: skipped)."""
    if not quick_target.local:
        pytest.skip("the control API is mockjobs' own")
    yield f"{quick_target.url}/_mock"
    requests.delete(f"{quick_target.url}/_mock/fates", timeout=10)


@pytest.fixture(scope="module")
def sequence(quick: PasqalCloudClient) -> str:
    """A Pulser sequence on the FRESNEL device the service serves: 3 x 3 atoms, one pulse."""
    from pulser import Pulse, Register, Sequence
    from pulser.json.abstract_repr.deserializer import deserialize_device

    device = deserialize_device(quick.get_device_specs_dict()["FRESNEL"])
    register = Register.square(3, 5, prefix="q").with_automatic_layout(device)
    seq = Sequence(register, device)
    seq.declare_channel("rydberg", "rydberg_global")
    seq.add(Pulse.ConstantPulse(1000, 2, 0, 0), "rydberg")
    seq.measure("ground-rydberg")
    return seq.to_abstract_repr()


def statuses(batch: Any) -> list[str]:
    return [job.status for job in batch.ordered_jobs]


def test_create_batch_wait_returns_done_with_results_of_one_bit_per_atom(
    quick: PasqalCloudClient, sequence: str
) -> None:
    batch = quick.create_batch(sequence, [{"runs": 100}, {"runs": 50}], wait=True)
    assert (batch.status, batch.jobs_count_per_status["DONE"]) == ("DONE", 2)
    for job, runs in zip(batch.ordered_jobs, (100, 50), strict=True):
        assert job.status == "DONE" and job.runs == runs
        assert {len(bits) for bits in job.result} == {9}
        assert sum(job.result.values()) == runs
    assert quick.get_batch(batch.id).sequence_builder == sequence


def test_an_open_batch_takes_jobs_then_closes_and_waits(
    quick: PasqalCloudClient, sequence: str
) -> None:
    batch = quick.create_batch(sequence, [], open=True)
    assert (batch.open, batch.status) == (True, "PENDING")
    batch.add_jobs([{"runs": 10}])
    quick.add_jobs(batch.id, [{"runs": 20}])
    batch.close(wait=True)
    assert (batch.open, batch.status, statuses(batch)) == (False, "DONE", ["DONE", "DONE"])
    assert [job.runs for job in batch.ordered_jobs] == [10, 20]

    from pasqal_cloud.errors import BatchClosingError, JobCreationError

    with pytest.raises(BatchClosingError, match="400"):
        quick.close_batch(batch.id)
    with pytest.raises(JobCreationError, match="closed"):
        batch.add_jobs([{"runs": 1}])


def test_cancel_a_batch_and_a_group_of_batches(quick: PasqalCloudClient, sequence: str) -> None:
    batch = quick.create_batch(sequence, [{"runs": 10}] * 3)
    cancelled = quick.cancel_batch(batch.id)
    assert (cancelled.status, statuses(cancelled)) == ("CANCELED", ["CANCELED"] * 3)
    other = quick.create_batch(sequence, [{"runs": 10}])
    response = quick.cancel_batches([batch.id, other.id])
    assert [b.id for b in response.batches] == [other.id]
    assert [str(key) for key in response.errors] == [batch.id]

    from pasqal_cloud.errors import BatchCancellingError

    with pytest.raises(BatchCancellingError, match="400"):
        quick.cancel_batch(batch.id)


def test_cancel_jobs_then_rebatch_the_cancelled_ones(
    quick: PasqalCloudClient, sequence: str
) -> None:
    from pasqal_cloud.utils.constants import JobStatus
    from pasqal_cloud.utils.filters import CancelJobFilters, RebatchFilters

    batch = quick.create_batch(sequence, [{"runs": 10}, {"runs": 200}, {"runs": 300}], open=True)
    response = quick.cancel_jobs(batch.id, CancelJobFilters(min_runs=100))
    assert sorted(job.runs for job in response.jobs) == [200, 300] and response.errors == {}
    retried = quick.rebatch(batch.id, RebatchFilters(status=JobStatus.CANCELED))
    assert (retried.parent_id, retried.open, retried.jobs_count) == (batch.id, False, 2)
    originals = {job.id for job in response.jobs}
    assert {job.parent_id for job in retried.ordered_jobs} == originals


def test_retry_a_failed_job_in_its_open_batch(
    quick: PasqalCloudClient, sequence: str, control: str
) -> None:
    requests.post(f"{control}/fates", json={"status": "ERROR", "errors": ["QPU lost"]}, timeout=10)
    batch = quick.create_batch(sequence, [{"runs": 10}], open=True, wait=True)
    (failed,) = batch.ordered_jobs
    assert (failed.status, failed.errors) == ("ERROR", ["QPU lost"])
    batch.retry(failed, wait=True)
    assert statuses(batch) == ["ERROR", "DONE"]


def test_tags_and_the_batch_list(quick: PasqalCloudClient, sequence: str) -> None:
    from pasqal_cloud.utils.constants import BatchStatus
    from pasqal_cloud.utils.filters import BatchFilters, PaginationParams

    batch = quick.create_batch(sequence, [{"runs": 5}], tags=["first"])
    tagged = quick.set_batch_tags(batch.id, ["nightly-42", "vqe"])
    assert tagged.tags == ["nightly-42", "vqe"]
    found = quick.get_batches(BatchFilters(tag="nightly-42"))
    assert (found.total, [b.id for b in found.results]) == (1, [batch.id])
    pending = quick.get_batches(BatchFilters(status=BatchStatus.PENDING, project_id=PROJECT))
    assert batch.id in {b.id for b in pending.results}
    everything = quick.get_batches(pagination_params=PaginationParams(limit=100))
    assert everything.total > len(everything.results) == 100


def test_devices_with_and_without_a_token(quick: PasqalCloudClient, quick_target: Target) -> None:
    from pasqal_cloud.endpoints import Endpoints
    from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
    from pulser.devices import Device
    from pulser.json.abstract_repr.deserializer import deserialize_device

    specs = quick.get_device_specs_dict()
    anonymous = PasqalCloudClient(
        endpoints=Endpoints(core=quick_target.url, account=quick_target.url)
    )
    assert anonymous.get_device_specs_dict() == specs
    assert isinstance(deserialize_device(specs["FRESNEL"]), Device)


def test_projects_and_switching_to_one(quick: PasqalCloudClient) -> None:
    from pasqal_cloud.errors import ProjectNotFoundError

    projects = quick.get_all_projects()
    assert PROJECT in {project.id for project in projects}  # it has batches now
    assert quick.switch_to_project(projects[0].id) == projects[0].id
    quick.project_id = PROJECT
    with pytest.raises(ProjectNotFoundError):
        quick.switch_to_project("00000000-0000-4000-8000-000000000000")


def test_workloads_create_wait_cancel(quick: PasqalCloudClient) -> None:
    from pasqal_cloud.errors import WorkloadCancellingError

    workload = quick.create_workload("qaoa", "emu-mps", {"layers": 2}, wait=True)
    assert workload.status == "DONE"
    assert workload.result == {
        "workload_type": "qaoa",
        "backend": "emu-mps",
        "config": {"layers": 2},
    }
    assert quick.get_workload(workload.id).status == "DONE"
    with pytest.raises(WorkloadCancellingError, match="400"):
        quick.cancel_workload(workload.id)


def test_bad_batches_are_refused_as_the_sdk_reports_them(
    quick: PasqalCloudClient, sequence: str
) -> None:
    from pasqal_cloud.errors import BatchCreationError

    with pytest.raises(BatchCreationError, match="int_parsing"):
        quick.create_batch(sequence, [{"runs": "many"}])  # type: ignore[typeddict-item]
    with (
        pytest.raises(BatchCreationError, match="at least one job"),
        pytest.warns(UserWarning, match="batch sequence will not be used"),  # all(()) is True
    ):
        quick.create_batch(sequence, [])


def test_wait_at_the_default_pace_returns_within_seconds(
    paced_target: Target, sequence: str
) -> None:
    """A plain `mockjobs serve`: the SDK polls (after 2 s, then 4 s more) until the jobs end."""
    paced = client(paced_target.url, paced_target.token)
    started = time.monotonic()
    batch = paced.create_batch(sequence, [{"runs": 100}, {"runs": 100}], wait=True)
    took = time.monotonic() - started
    assert (batch.status, statuses(batch)) == ("DONE", ["DONE", "DONE"])
    print(f"create_batch(wait=True) at the default pace: {took:.1f} s")


def test_a_refused_submission_is_retried_and_makes_one_batch(
    quick: PasqalCloudClient, sequence: str, control: str
) -> None:
    """A 429 (Retry-After: 0) on the first POST: the SDK sends it again; the fault made nothing."""
    rule = {
        "method": "POST",
        "path": "/api/v1/batches",
        "status": 429,
        "retry_after": 0,
        "times": 1,
    }
    assert requests.post(f"{control}/faults", json=rule, timeout=10).status_code == 201
    before = quick.get_batches().total
    batch = quick.create_batch(sequence, [{"runs": 7}], tags=["retried"])
    posts = [e for e in requests.get(f"{control}/requests", timeout=10).json()["data"]
             if e["method"] == "POST" and e["path"] == "/api/v1/batches"][-2:]  # fmt: skip
    assert [e["status"] for e in posts] == [429, 200]
    assert posts[0]["body"] == posts[1]["body"] and posts[1]["body"]["tags"] == ["retried"]
    assert quick.get_batches().total == before + 1
    assert quick.get_batch(batch.id).jobs_count == 1
    requests.delete(f"{control}/faults", timeout=10)
