"""Pulser's backends driven through the SDK's PasqalCloudConnection, as Pulser's and the SDK's
getting-started examples drive them: fetch the devices, build a sequence on one, run it on
a QPU or an emulator backend (`wait=True`, or in an open batch), read Pulser's results.

The examples run as they are written, but for the connection's endpoints. Locally they run
against a mockjobs server of this module's own, started with `--fast-forward` (a submitted
batch is done by its first status poll, so `wait=True` never sleeps) and `--error-rate 0`
(no job ends in ERROR unless a test decides it); the session's server keeps its data as
it is. With MOCKJOBS_CONTRACT_URL and MOCKJOBS_CONTRACT_TOKEN set, they run against that
endpoint instead, but for the tests that decide a job's fate, which drive mockjobs itself
(test_pulser_errors.py, which uses this module's fixtures on a server of its own).
Beware: on a real endpoint the QPU tests submit to the real FRESNEL QPU.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)
pytest.importorskip("pulser", reason="the Pulser tests need Pulser: pip install pulser-core")

import tenacity
from pasqal_cloud.backends import RemoteEmuFreeBackend, RemoteMPSBackend
from pasqal_cloud.endpoints import Endpoints
from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
from pasqal_cloud.pasqal_cloud_connection import PasqalCloudConnection
from pasqal_cloud.utils import polling
from pulser import Pulse, QPUBackend, Register, Sequence
from pulser.backend import Results
from pulser.backend.remote import BatchStatus, RemoteBackend, RemoteResults
from pulser.devices import Device
from pulser.result import SampledResult

from .conftest import SDK_WARNINGS, Target, fixed_token, serve_mockjobs

# A QPU's results have no `serialised_results`: PasqalCloudConnection makes a SampledResult
# of their counter, a class Pulser 1.9 deprecates (for Pulser's own use, not the API's).
QPU_RESULTS = pytest.mark.filterwarnings(
    r"ignore:The 'SampledResult' class has been deprecated:DeprecationWarning"
)
pytestmark = SDK_WARNINGS

ON_A_REAL_ENDPOINT = bool(
    os.environ.get("MOCKJOBS_CONTRACT_URL") or os.environ.get("MOCKJOBS_CONTRACT_TOKEN")
)
SERVER_OPTIONS = ("--fast-forward", "--error-rate", "0")


# The target and the connection


@pytest.fixture(scope="module")
def pulser_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """A fast-forward mockjobs of this module's own, or the real endpoint conftest names."""
    if ON_A_REAL_ENDPOINT:
        yield request.getfixturevalue("target")  # conftest checks that both are set
        return
    with serve_mockjobs(*SERVER_OPTIONS) as url:
        yield Target(url=url, token="mockjobs-contract-token", local=True)


@pytest.fixture(scope="module")
def project_id(pulser_target: Target) -> str:
    """An active project of the token's user, as the SDK lists them."""
    client = PasqalCloudClient(
        token_provider=fixed_token(pulser_target.token),
        endpoints=Endpoints(core=pulser_target.url, account=pulser_target.url),
    )
    projects = client.get_all_projects()
    if not projects:
        pytest.fail("the target lists no active project to submit batches to")
    return projects[0].id


@pytest.fixture(scope="module")
def connection(pulser_target: Target, project_id: str) -> PasqalCloudConnection:
    """The getting-started connection: its keyword arguments go to PasqalCloudClient as they
    are, so a token provider and endpoints replace the username and password."""
    return PasqalCloudConnection(
        token_provider=fixed_token(pulser_target.token),
        endpoints=Endpoints(core=pulser_target.url, account=pulser_target.url),
        project_id=project_id,
    )


@pytest.fixture(scope="module")
def devices(connection: PasqalCloudConnection) -> dict[str, Device]:
    return connection.fetch_available_devices()


class RecordingTenacity:
    """tenacity as pasqal_cloud.utils.polling sees it, its Retrying's sleeps recorded."""

    def __init__(self, record: Callable[[float], None]) -> None:
        self.record = record

    def __getattr__(self, name: str) -> Any:
        return getattr(tenacity, name)

    def Retrying(self, *args: Any, **kwargs: Any) -> tenacity.Retrying:
        def sleep(seconds: float) -> None:
            self.record(seconds)
            tenacity.nap.sleep(seconds)  # still sleeps: a real endpoint's jobs take time

        return tenacity.Retrying(*args, sleep=sleep, **kwargs)


@pytest.fixture
def poll_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between the SDK's status polls behind `wait=True`, in order."""
    sleeps: list[float] = []
    monkeypatch.setattr(polling, "tenacity", RecordingTenacity(sleeps.append))
    return sleeps


def assert_no_wait(target: Target, sleeps: list[float]) -> None:
    """In fast-forward mode the first poll finds the batch done: nothing to wait for."""
    if target.local:
        assert sleeps == []


# The examples' sequences


def qpu_sequence(device: Device, *, parametrized: bool = False) -> Sequence:
    """Pulser's QPU tutorial: a 5x5 square register on a layout, one global Rydberg pulse
    (its amplitude a variable `omega` when `parametrized`), measured."""
    register = Register.square(5, 5, prefix="q").with_automatic_layout(device)
    sequence = Sequence(register, device)
    sequence.declare_channel("rydberg", "rydberg_global")
    amplitude = sequence.declare_variable("omega") if parametrized else 2.0
    sequence.add(Pulse.ConstantPulse(200, amplitude, -1.0, 0.0), "rydberg")
    sequence.measure("ground-rydberg")
    return sequence


def emulator_sequence(device: Device) -> Sequence:
    """Six atoms in a 2x3 rectangle and one global pulse; not measured (the connection adds
    the measurement, in the one basis the sequence addresses)."""
    sequence = Sequence(Register.rectangle(2, 3, spacing=6, prefix="q"), device)
    sequence.declare_channel("rydberg", "rydberg_global")
    sequence.add(Pulse.ConstantPulse(400, 1.5, 0.5, 0.0), "rydberg")
    return sequence


def assert_counts(counts: dict[str, int], atoms: int, runs: int) -> None:
    """One bit per atom of the register, `runs` shots in all."""
    assert counts, "no bitstring"
    assert {len(bits) for bits in counts} == {atoms}, counts
    assert all(set(bits) <= {"0", "1"} for bits in counts), counts
    assert all(count > 0 for count in counts.values()), counts
    assert sum(counts.values()) == runs


def batch_jobs(connection: PasqalCloudConnection, results: RemoteResults) -> list[Any]:
    """The SDK's jobs of the batch behind `results`, in creation order."""
    return connection.cloud_client.get_batch(results.batch_id).ordered_jobs


# The devices


def test_the_devices_are_pulser_devices(devices: dict[str, Device]) -> None:
    assert devices, "no device"
    assert all(isinstance(device, Device) for device in devices.values())
    fresnel = devices["FRESNEL"]
    assert fresnel.name == "FRESNEL"
    assert fresnel.requires_layout
    assert fresnel.max_atom_num is not None and fresnel.max_atom_num >= 25
    assert "rydberg_global" in fresnel.channels


# A QPU


@QPU_RESULTS
def test_a_sequence_on_the_qpu(
    connection: PasqalCloudConnection,
    devices: dict[str, Device],
    pulser_target: Target,
    poll_sleeps: list[float],
) -> None:
    sequence = qpu_sequence(devices["FRESNEL"])
    results = QPUBackend(sequence, connection).run(
        job_params=[{"runs": 100}, {"runs": 50}], wait=True
    )
    assert_no_wait(pulser_target, poll_sleeps)
    assert isinstance(results, RemoteResults)
    assert results.get_batch_status() is BatchStatus.DONE
    assert len(results.job_ids) == 2
    assert len(results.results) == 2
    qubits = tuple(sequence.register.qubit_ids)
    for result, runs in zip(results.results, (100, 50), strict=True):
        assert isinstance(result, SampledResult)
        assert tuple(result.atom_order) == qubits
        assert_counts(result.bitstring_counts, 25, runs)
    jobs = batch_jobs(connection, results)
    assert [job.id for job in jobs] == results.job_ids
    assert [(job.runs, job.status) for job in jobs] == [(100, "DONE"), (50, "DONE")]
    batch = connection.cloud_client.get_batch(results.batch_id)
    assert (batch.device_type, batch.open) == ("FRESNEL", False)  # the sequence's device


def test_the_qpu_refuses_what_the_device_refuses(
    connection: PasqalCloudConnection, devices: dict[str, Device]
) -> None:
    """Pulser checks against the fetched device before it sends anything."""
    device = devices["FRESNEL"]
    backend = QPUBackend(qpu_sequence(device), connection)
    assert device.max_runs is not None
    with pytest.raises(ValueError, match="below the maximum allowed by the device"):
        backend.run(job_params=[{"runs": device.max_runs + 1}])
    with pytest.raises(ValueError, match="must specify 'runs'"):
        backend.run(job_params=[{}])


# An emulator

EMULATORS = {
    "EMU_FREE": (RemoteEmuFreeBackend, False),
    # mimic_qpu: the sequence is checked as for a QPU, against the device fetched again
    "EMU_MPS": (RemoteMPSBackend, True),
}


@pytest.mark.parametrize("device_type", EMULATORS)
def test_a_sequence_on_an_emulator(
    device_type: str,
    connection: PasqalCloudConnection,
    devices: dict[str, Device],
    pulser_target: Target,
    poll_sleeps: list[float],
) -> None:
    backend_class, mimic_qpu = EMULATORS[device_type]
    sequence = emulator_sequence(devices[device_type])
    backend: RemoteBackend = backend_class(sequence, connection, mimic_qpu=mimic_qpu)
    results = backend.run(job_params=[{"runs": 100}], wait=True)
    assert_no_wait(pulser_target, poll_sleeps)
    assert results.get_batch_status() is BatchStatus.DONE
    (result,) = results.results
    # From the job's `serialised_results`: Pulser's own Results, not a counter's SampledResult
    assert type(result) is Results
    assert "bitstrings" in result.get_result_tags()
    assert tuple(result.atom_order) == tuple(sequence.register.qubit_ids)
    assert_counts(dict(result.final_bitstrings), 6, 100)
    batch = connection.cloud_client.get_batch(results.batch_id)
    assert batch.device_type == device_type  # the backend's, not the sequence's device name
    (job,) = batch.ordered_jobs
    assert job.full_result is not None
    assert job.full_result["counter"] == dict(result.final_bitstrings)


# An open batch


@QPU_RESULTS
def test_jobs_added_to_an_open_batch(
    connection: PasqalCloudConnection,
    devices: dict[str, Device],
    pulser_target: Target,
    poll_sleeps: list[float],
) -> None:
    """Two runs in one open batch, each of a parametrized sequence built with its jobs'
    `variables`; the second waits, for every job of the batch, and the block closes it."""
    sequence = qpu_sequence(devices["FRESNEL"], parametrized=True)
    backend = QPUBackend(sequence, connection)
    first_params = [{"runs": 100, "variables": {"omega": 1.0}}]
    second_params = [
        {"runs": 20, "variables": {"omega": 2.0}},
        {"runs": 30, "variables": {"omega": 3.0}},
    ]
    with backend.open_batch():
        first = backend.run(job_params=first_params)
        second = backend.run(job_params=second_params, wait=True)
        assert_no_wait(pulser_target, poll_sleeps)
        assert first.batch_id == second.batch_id
        assert connection.cloud_client.get_batch(first.batch_id).open
        # every job is done, but an open batch is not
        assert first.get_batch_status() in (BatchStatus.PENDING, BatchStatus.RUNNING)
    batch = connection.cloud_client.get_batch(first.batch_id)
    assert not batch.open
    assert first.get_batch_status() is BatchStatus.DONE
    assert [job.id for job in batch.ordered_jobs] == [*first.job_ids, *second.job_ids]
    assert [(job.runs, job.variables, job.status) for job in batch.ordered_jobs] == [
        (params["runs"], params["variables"], "DONE") for params in first_params + second_params
    ]
    runs = [params["runs"] for params in first_params + second_params]
    for result, count in zip([*first.results, *second.results], runs, strict=True):
        assert isinstance(result, SampledResult)
        assert_counts(result.bitstring_counts, 25, count)
