"""Differential test: mockjobs' validation of the batch and workload bodies against FastAPI's.

Each body below, well-formed or wrong in one of many ways, is sent byte for byte to the
reference FastAPI declaration of the same bodies (tests/reference/batch_app.py, through
FastAPI's TestClient) and to mockjobs (through Flask's test client). When FastAPI refuses
it, mockjobs must refuse it with the same 422 body, key order included; when FastAPI
accepts it, mockjobs must not answer 422 (what it answers then, a batch or a 404 for the
absent batch, is not compared). Any difference is a mockjobs bug (mockjobs/contract/
body_fields.py and the model rules of mockjobs/api/batches.py).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockjobs import create_app

from .reference.batch_app import app as reference_app

# Starlette's TestClient warns, when imported, that it falls back to `httpx` (see
# test_differential.py): that warning only is not ours.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message=r"Using `httpx` with `starlette\.testclient` is deprecated",
        category=UserWarning,
    )
    from fastapi.testclient import TestClient

ABSENT = "00000000-0000-4000-8000-000000000000"  # a batch id that neither app holds
BATCHES = ("POST", "/api/v1/batches")
ADD_JOBS = ("POST", f"/api/v2/batches/{ABSENT}/jobs")
TAGS = ("PATCH", f"/api/v1/batches/{ABSENT}/tags")
CANCEL = ("PATCH", "/api/v1/batches/cancel")
WORKLOADS = ("POST", "/api/v1/workloads")
ENDPOINTS = {"batch": BATCHES, "add-jobs": ADD_JOBS, "tags": TAGS, "cancel": CANCEL,
             "workload": WORKLOADS}  # fmt: skip


class Raw(bytes):
    """A body sent as these bytes, not as the JSON of a value."""


# -- the bodies ------------------------------------------------------------------------------

UUID = "3f2b6c1e-8d4a-4e7b-9c2f-1a5d6e7f8091"
SEQUENCE = '{"version": "1", "device": {"name": "FRESNEL"}}'  # any text: it is not parsed here
SDK_BATCH = {  # what PasqalCloudClient.create_batch sends, every optional field set
    "sequence_builder": SEQUENCE,
    "webhook": "https://example.invalid/hook",
    "jobs": [{"runs": 100, "variables": {"omega": 1.5}}, {"runs": 50}],
    "open": False,
    "device_type": "FRESNEL",
    "configuration": {"dt": 10.0, "precision": "normal"},
    "tags": ["calibration", "run 2"],
    "backend_configuration": '{"observables": []}',
    "project_id": "a-project",
}
BATCH = {"sequence_builder": SEQUENCE, "jobs": [{"runs": 10}], "project_id": "a-project"}
WORKLOAD = {"workload_type": "pulser", "backend": "emu_free", "config": {}, "project_id": "p"}


def batch(**changes: Any) -> dict[str, Any]:
    """BATCH with these fields changed (`...`: removed)."""
    body = {**BATCH, **changes}
    return {key: value for key, value in body.items() if value is not ...}


def job(**fields: Any) -> dict[str, Any]:
    """A batch of one job of these fields."""
    return batch(jobs=[fields])


def workload(**changes: Any) -> dict[str, Any]:
    body = {**WORKLOAD, **changes}
    return {key: value for key, value in body.items() if value is not ...}


def cancel(*ids: Any) -> dict[str, Any]:
    return {"batch_ids": list(ids)}


NOT_OBJECTS: dict[str, Any] = {
    "null": None, "list": [], "string": "batch", "number": 5, "true": True,
    "empty body": Raw(b""), "not JSON": Raw(b"{"), "cut short": Raw(b'{"jobs": [}'),
}  # fmt: skip

# One case a line, or a few for a body too long for one:
# fmt: off
CASES: dict[str, tuple[str, Any]] = {
    # -- POST /api/v1/batches: well-formed, lax values and extra fields accepted ------------
    "batch: as the SDK sends it": ("batch", SDK_BATCH),
    "batch: the fewest fields": ("batch", {"jobs": [{"sequence": SEQUENCE}], "project_id": "p"}),
    "batch: open, no job yet": ("batch", {"jobs": [], "open": True, "project_id": "p"}),
    "batch: every null a field may be": ("batch", batch(
        webhook=None, device_type=None, configuration=None, backend_configuration=None,
        tags=None, jobs=[{"runs": None, "variables": None, "sequence": None}],
    )),
    "batch: lax values": ("batch", batch(
        open="yes", jobs=[{"runs": "5"}, {"runs": 7.0}, {"runs": " 8 "}, {"runs": True}],
    )),
    "batch: open as 1, a priority": ("batch", batch(open=1, queue_priority="HIGH")),
    "batch: extra fields": ("batch", batch(unknown=1, jobs=[{"runs": 3, "shots": "x"}])),
    "batch: the largest runs": ("batch", job(runs=2**63 - 1)),
    **{f"batch: body {name}": ("batch", body) for name, body in NOT_OBJECTS.items()},
    "batch: no field": ("batch", {}),
    "batch: every field wrong": ("batch", {
        "sequence_builder": 5, "jobs": "x", "open": "many", "device_type": "fresnel",
        "project_id": "", "webhook": [], "configuration": "x", "backend_configuration": {},
        "tags": "a", "queue_priority": "low",
    }),
    # wrong types, top level
    "batch: jobs an object": ("batch", batch(jobs={"runs": 1})),
    "batch: jobs null": ("batch", batch(jobs=None)),
    "batch: jobs missing": ("batch", batch(jobs=...)),
    "batch: project_id a number": ("batch", batch(project_id=5)),
    "batch: project_id null": ("batch", batch(project_id=None)),
    "batch: project_id empty": ("batch", batch(project_id="")),
    "batch: project_id missing": ("batch", batch(project_id=...)),
    "batch: open null": ("batch", batch(open=None)),
    "batch: open 2": ("batch", batch(open=2)),
    "batch: open 0.5": ("batch", batch(open=0.5)),
    "batch: open empty": ("batch", batch(open="")),
    "batch: open a list": ("batch", batch(open=[True])),
    "batch: open 2.0": ("batch", batch(open=2.0)),
    "batch: open 10**30": ("batch", batch(open=10**30)),
    "batch: device_type a number": ("batch", batch(device_type=5)),
    "batch: device_type empty": ("batch", batch(device_type="")),
    "batch: queue_priority null": ("batch", batch(queue_priority=None)),
    "batch: queue_priority a number": ("batch", batch(queue_priority=1)),
    "batch: tags with a number and a null": ("batch", batch(tags=["a", 1, None])),
    "batch: tags an object": ("batch", batch(tags={"a": "b"})),
    "batch: configuration a list": ("batch", batch(configuration=[1])),
    "batch: sequence_builder a list": ("batch", batch(sequence_builder=["x"])),
    # wrong types, a job
    "batch: a job a number": ("batch", batch(jobs=[5])),
    "batch: a job a string": ("batch", batch(jobs=["x"])),
    "batch: a job null": ("batch", batch(jobs=[None])),
    "batch: a job a list": ("batch", batch(jobs=[[{"runs": 1}]])),
    "batch: runs 'many'": ("batch", job(runs="many")),
    "batch: runs empty": ("batch", job(runs="")),
    "batch: runs 0": ("batch", job(runs=0)),
    "batch: runs -1": ("batch", job(runs=-1)),
    "batch: runs 1.5": ("batch", job(runs=1.5)),
    "batch: runs '1.5'": ("batch", job(runs="1.5")),
    "batch: runs 2**63": ("batch", job(runs=2**63)),
    "batch: runs 10**30": ("batch", job(runs=10**30)),
    "batch: runs '10**30'": ("batch", job(runs=str(10**30))),
    "batch: runs 1e19": ("batch", job(runs=1e19)),
    "batch: runs 1e300": ("batch", job(runs=1e300)),
    "batch: runs -1e19": ("batch", job(runs=-1e19)),
    "batch: runs false": ("batch", job(runs=False)),
    "batch: runs a list": ("batch", job(runs=[1])),
    "batch: variables a list": ("batch", job(runs=1, variables=[])),
    "batch: variables a string": ("batch", job(runs=1, variables="omega=1")),
    "batch: sequence a number": ("batch", batch(sequence_builder=None, jobs=[{"sequence": 5}])),
    "batch: errors in two jobs": ("batch", batch(jobs=[{"runs": 0}, {"runs": 1}, {"runs": "x", "variables": 1}])),
    # the rules between fields
    "batch: closed without a job": ("batch", batch(jobs=[])),
    "batch: closed without a job, said": ("batch", batch(jobs=[], open=False)),
    "batch: closed as 'no', without a job": ("batch", batch(jobs=[], open="no")),
    "batch: no sequence at all": ("batch", batch(sequence_builder=None)),
    "batch: no sequence builder, the second job none": ("batch", batch(
        sequence_builder=..., jobs=[{"sequence": SEQUENCE}, {"runs": 5}],
    )),
    "batch: a rule broken and a field wrong": ("batch", batch(jobs=[], project_id="")),
    "batch: both rules broken": ("batch", batch(sequence_builder=None, jobs=[])),
    # -- POST /api/v2/batches/{id}/jobs: a list of jobs --------------------------------------
    "add-jobs: as the SDK sends them": ("add-jobs", [{"runs": 10, "variables": {"a": 1}}, {"runs": 20}]),
    "add-jobs: none": ("add-jobs", []),
    "add-jobs: an empty job": ("add-jobs", [{}]),
    **{f"add-jobs: body {name}": ("add-jobs", body) for name, body in NOT_OBJECTS.items()},
    "add-jobs: one job, not a list": ("add-jobs", {"runs": 1}),
    "add-jobs: wrong at every level": ("add-jobs", [5, {"runs": "x"}, {"runs": 0, "variables": "v", "sequence": 1}, None]),
    # -- PATCH /api/v1/batches/{id}/tags: a list of tags ------------------------------------
    "tags: two": ("tags", ["a", "b"]),
    "tags: none": ("tags", []),
    "tags: an empty tag": ("tags", [""]),
    **{f"tags: body {name}": ("tags", body) for name, body in NOT_OBJECTS.items()},
    "tags: an object": ("tags", {"tags": ["a"]}),
    "tags: wrong items": ("tags", [1, "a", None, True, ["b"], {"c": 1}]),
    # -- PATCH /api/v1/batches/cancel: UUIDs ---------------------------------------------------
    "cancel: one": ("cancel", cancel(UUID)),
    "cancel: none": ("cancel", cancel()),
    "cancel: upper case": ("cancel", cancel(UUID.upper())),
    "cancel: no hyphens": ("cancel", cancel(UUID.replace("-", ""))),
    "cancel: braces": ("cancel", cancel("{" + UUID + "}")),
    "cancel: a URN": ("cancel", cancel("urn:uuid:" + UUID)),
    **{f"cancel: body {name}": ("cancel", body) for name, body in NOT_OBJECTS.items()},
    "cancel: no field": ("cancel", {}),
    "cancel: ids a string": ("cancel", {"batch_ids": UUID}),
    "cancel: ids null": ("cancel", {"batch_ids": None}),
    "cancel: a number": ("cancel", cancel(12345)),
    "cancel: a null": ("cancel", cancel(None)),
    "cancel: empty": ("cancel", cancel("")),
    "cancel: words": ("cancel", cancel("not-a-uuid")),
    "cancel: a letter beyond f": ("cancel", cancel(UUID[:-1] + "g")),
    "cancel: one hex digit short": ("cancel", cancel(UUID[:-1])),
    "cancel: one hex digit long": ("cancel", cancel(UUID + "0")),
    "cancel: 31 hex digits": ("cancel", cancel(UUID.replace("-", "")[:-1])),
    "cancel: 33 hex digits": ("cancel", cancel(UUID.replace("-", "") + "a")),
    "cancel: a short group": ("cancel", cancel("3f2b6c1-e8d4a-4e7b-9c2f-1a5d6e7f8091")),
    "cancel: four groups": ("cancel", cancel("3f2b6c1e-8d4a-4e7b-9c2f1a5d6e7f8091")),
    "cancel: six groups": ("cancel", cancel(UUID + "-0")),
    "cancel: padded": ("cancel", cancel(f" {UUID} ")),
    "cancel: non-ASCII": ("cancel", cancel("é" + UUID[1:])),
    "cancel: fullwidth digits": ("cancel", cancel("３" + UUID[1:])),
    "cancel: 36 hex digits": ("cancel", cancel("0" * 36)),
    "cancel: too long": ("cancel", cancel(UUID + "0" * 10)),
    "cancel: braces around a short one": ("cancel", cancel("{" + UUID[:-1] + "}")),
    "cancel: braces around a bad one": ("cancel", cancel("{" + UUID[:-1] + "x}")),
    "cancel: braces, 36 characters in all": ("cancel", cancel("{" + UUID[2:] + "}")),
    "cancel: braces around 32 digits": ("cancel", cancel("{" + UUID.replace("-", "") + "}")),
    "cancel: a URN of a bad one": ("cancel", cancel("urn:uuid:x" + UUID[1:])),
    "cancel: a URN in capitals": ("cancel", cancel("URN:UUID:" + UUID)),
    "cancel: many wrong": ("cancel", cancel(UUID, "x", 1, "", UUID[:8])),
    # -- POST /api/v1/workloads --------------------------------------------------------------
    "workload: well-formed": ("workload", WORKLOAD),
    "workload: extra field": ("workload", workload(priority="HIGH")),
    **{f"workload: body {name}": ("workload", body) for name, body in NOT_OBJECTS.items()},
    "workload: no field": ("workload", {}),
    "workload: project_id empty": ("workload", workload(project_id="")),
    "workload: project_id a number": ("workload", workload(project_id=1)),
    "workload: config a list": ("workload", workload(config=[])),
    "workload: config null": ("workload", workload(config=None)),
    "workload: types wrong": ("workload", workload(workload_type=5, backend=None, config="x")),
}
# fmt: on


def encoded(body: Any) -> bytes:
    return bytes(body) if isinstance(body, Raw) else json.dumps(body).encode()


# -- the two applications --------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> Iterator[TestClient]:
    with TestClient(reference_app) as client:  # one event loop for every request
        yield client


@pytest.fixture(scope="module")
def mockjobs() -> FlaskClient:
    return create_app({"SEED": 5}).test_client()


# -- the comparison --------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_same_validation_as_fastapi(
    case: str, reference: TestClient, mockjobs: FlaskClient
) -> None:
    endpoint, body = CASES[case]
    method, path = ENDPOINTS[endpoint]
    data = encoded(body)
    headers = {"Content-Type": "application/json"}
    expected = reference.request(method, path, content=data, headers=headers)
    assert expected.status_code in (200, 422), expected.text  # the reference must not fail
    got = mockjobs.open(path, method=method, data=data, headers=headers)
    if expected.status_code == 200:
        assert got.status_code != 422, f"FastAPI accepts it; mockjobs: {got.get_json()}"
        assert got.status_code < 500, got.get_data(as_text=True)
        return
    assert got.status_code == 422, f"FastAPI: {expected.json()}; mockjobs: {got.status_code}"
    assert got.get_json() == expected.json()
    assert json.dumps(got.get_json()) == json.dumps(expected.json()), "key order"


def test_every_rule_and_refusal_is_exercised(reference: TestClient) -> None:
    """The cases cover both answers on every endpoint, and both rules between fields."""
    answers: dict[str, set[int]] = {}
    messages: set[str] = set()
    for endpoint, body in CASES.values():
        method, path = ENDPOINTS[endpoint]
        response = reference.request(
            method, path, content=encoded(body), headers={"Content-Type": "application/json"}
        )
        answers.setdefault(endpoint, set()).add(response.status_code)
        if response.status_code == 422:
            messages |= {error["msg"] for error in response.json()["detail"]}
    assert answers == {endpoint: {200, 422} for endpoint in ENDPOINTS}
    assert {
        "Value error, a closed batch needs at least one job",
        "Value error, a job needs a sequence when the batch has no sequence_builder",
    } <= messages
    assert len(CASES) >= 80
