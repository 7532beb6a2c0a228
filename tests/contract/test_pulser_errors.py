"""Pulser's backends when mockjobs decides that jobs end in ERROR: the batch status, the errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)
pytest.importorskip("pulser", reason="the Pulser tests need Pulser: pip install pulser-core")

from pasqal_cloud.backends import RemoteEmuFreeBackend
from pasqal_cloud.pasqal_cloud_connection import PasqalCloudConnection
from pulser import QPUBackend
from pulser.backend.remote import BatchStatus, RemoteResultsError
from pulser.devices import Device

from .conftest import SDK_WARNINGS, Target
from .test_pulser import (
    ON_A_REAL_ENDPOINT,
    QPU_RESULTS,
    assert_counts,
    batch_jobs,
    emulator_sequence,
    qpu_sequence,
)

# test_pulser.py's fixtures, under their own names: this module's server is its own
from .test_pulser import connection as connection
from .test_pulser import devices as devices
from .test_pulser import project_id as project_id
from .test_pulser import pulser_target as pulser_target

pytestmark = SDK_WARNINGS

drives_mockjobs = pytest.mark.skipif(
    ON_A_REAL_ENDPOINT,
    reason="decides the fate of the next jobs through mockjobs' control API: "
    "MOCKJOBS_CONTRACT_URL names a real endpoint, which cannot be driven so",
)


# Jobs that end in ERROR (mockjobs only: their fates are decided through its control API)


@pytest.fixture
def decide(pulser_target: Target) -> Iterator[Callable[..., None]]:
    """`decide(count)`: the next `count` submitted jobs end in ERROR, saying "boom"."""
    url = pulser_target.url
    response = requests.post(f"{url}/_mock/reset", json={}, timeout=30)
    assert response.status_code == 200, response.text

    def decide(count: int) -> None:
        fate = {"status": "ERROR", "count": count, "errors": ["boom"]}
        response = requests.post(f"{url}/_mock/fates", json=fate, timeout=10)
        assert response.status_code == 201, response.text

    yield decide
    requests.delete(f"{url}/_mock/fates", timeout=10).raise_for_status()


@drives_mockjobs
@QPU_RESULTS
def test_a_batch_whose_jobs_all_fail(
    decide: Callable[[int], None], connection: PasqalCloudConnection, devices: dict[str, Device]
) -> None:
    decide(1)
    results = QPUBackend(qpu_sequence(devices["FRESNEL"]), connection).run(
        job_params=[{"runs": 100}], wait=True
    )
    assert results.get_batch_status() is BatchStatus.ERROR
    (job_id,) = results.job_ids
    with pytest.raises(RemoteResultsError, match="Results are not available for all jobs") as e:
        results.results  # noqa: B018 (a property that fetches)
    assert isinstance(e.value.__cause__, RemoteResultsError)
    assert str(e.value.__cause__) == f"No results found for job {job_id}."
    assert results.get_available_results() == {}
    (job,) = batch_jobs(connection, results)
    assert (job.status, job.errors, job.full_result) == ("ERROR", ["boom"], None)


@drives_mockjobs
def test_a_batch_with_one_failed_job(
    decide: Callable[[int], None], connection: PasqalCloudConnection, devices: dict[str, Device]
) -> None:
    """The first of two jobs fails: the batch is DONE, and only the second has results."""
    decide(1)
    sequence = emulator_sequence(devices["EMU_FREE"])
    results = RemoteEmuFreeBackend(sequence, connection).run(
        job_params=[{"runs": 10}, {"runs": 20}], wait=True
    )
    assert results.get_batch_status() is BatchStatus.DONE
    failed, done = results.job_ids
    with pytest.raises(RemoteResultsError) as e:
        results.results  # noqa: B018 (a property that fetches)
    assert str(e.value.__cause__) == f"No results found for job {failed}."
    available = results.get_available_results()
    assert list(available) == [done]
    assert_counts(dict(available[done].final_bitstrings), 6, 20)
    jobs = batch_jobs(connection, results)
    assert [(job.status, job.errors) for job in jobs] == [("ERROR", ["boom"]), ("DONE", [])]
