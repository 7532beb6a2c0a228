"""`mockjobs record`: a server's jobs and batches as a fixture file that serves the same pages.

The round trip is the test: a mockjobs source is recorded, the file served, and the pages of
both compared byte for byte, for everything and for filtered selections.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mockjobs import progress, recorder, remote
from mockjobs.app import create_app
from mockjobs.cli import main
from mockjobs.progress import Progress
from mockjobs.vocabulary import SORTABLE_FIELDS

from .test_cli import serving

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# A Pulser sequence's abstract representation, as far as the mock reads it: device, register.
SEQUENCE = json.dumps(
    {"device": {"name": "FRESNEL"},
     "register": [{"name": f"q{i}", "x": 5.0 * i, "y": 0.0} for i in range(4)]}
)  # fmt: skip
OWN_SEQUENCE = json.dumps(
    {"device": {"name": "FRESNEL"},
     "register": [{"name": f"q{i}", "x": 0.0, "y": 6.0 * i} for i in range(6)]}
)  # fmt: skip

PAGING = ("", "offset=100", "offset=250&limit=37", "limit=1&offset=299", "offset=5000")
ORDERS = tuple(
    f"order_by={field}&order_by_direction={direction}&limit=60&offset=45"
    for field in SORTABLE_FIELDS
    for direction in ("ASC", "DESC")
)
JOB_FILTERS = (
    "status=DONE", "status=ERROR&status=CANCELED", "errors=true", "errors=false&min_runs=200",
    "max_runs=100", "origin=AZURE", "origin=CLIENT&origin=OVH", "origin=UNKNOWN",
    "id__starts_with=3", "start_date=2025-05-20", "end_date=2025-05-25T12:00:00Z",
    "status=RUNNING&order_by=progress&order_by_direction=ASC",
)  # fmt: skip
BATCH_QUERIES = (
    "", "offset=10&limit=7", "offset=40", "status=DONE", "status=RUNNING&status=PENDING",
    "device_type=EMU_MPS", "device_type=FRESNEL&device_type=EMU_FREE", "open=false",
    "queue_priority=HIGH", "tag=benchmark", "start_date=2025-05-20", "end_date=2025-05-25",
)  # fmt: skip


@pytest.fixture(scope="module")
def source() -> Iterator[str]:
    """A mockjobs of 300 generated jobs that wants a token: never changed by these tests."""
    with serving("--seed", "300", "--token", TOKEN) as (url, _):
        yield url


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "BACKOFF", 0.01)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["record", *args])
    out, err = capsys.readouterr()
    return status, out, err


def recorded(capsys: pytest.CaptureFixture[str], path: Path, url: str, *args: str) -> str:
    """Record `url` into `path`; the progress lines."""
    status, _, err = run(capsys, "--url", url, "--token", TOKEN, "-o", str(path), *args)
    assert status == 0, err
    return err


def served(path: Path) -> FlaskClient:
    return create_app({"SEED": 0, "FIXTURES": [str(path)]}).test_client()


def get(url: str, path: str) -> requests.Response:
    response = requests.get(f"{url}{path}", headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return response


def assert_same(url: str, copy: FlaskClient, path: str) -> bytes:
    """The source and the copy answer `path` with the same bytes (and Content-Range)."""
    original, answer = get(url, path), copy.get(path)
    assert answer.status_code == 200, (path, answer.get_json())
    assert answer.data == original.content, path
    assert answer.headers.get("Content-Range") == original.headers.get("Content-Range"), path
    return answer.data


def jobs_of(url: str, query: str = "") -> list[dict[str, Any]]:
    """Every job of the source matching `query`."""
    found, offset = [], 0
    while True:
        body = get(url, f"/api/v2/jobs?{query}&limit=100&offset={offset}").json()
        found += body["data"]
        offset = body["pagination"]["end"]
        if offset >= body["pagination"]["total"]:
            return found


def assert_same_batches(url: str, copy: FlaskClient, ids: list[str]) -> None:
    """Each batch, its status, and the batch list of them, the same in the copy."""
    for batch_id in ids:
        assert_same(url, copy, f"/api/v2/batches/{batch_id}")
        assert_same(url, copy, f"/api/v1/batches/{batch_id}/status")
    for start in range(0, len(ids), 40):
        selection = "&".join(f"id={batch_id}" for batch_id in ids[start : start + 40])
        for page in ("", "&limit=7&offset=3"):
            assert_same(url, copy, f"/api/v1/batches?{selection}{page}")


def test_everything_round_trips_byte_for_byte(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "recorded.json"
    err = recorded(capsys, path, source)
    lines = err.splitlines()
    assert lines[0] == f"mockjobs: recording 300 jobs from {source}"
    assert lines[-1] == f"mockjobs: recorded 300 jobs and 44 batches from {source} to {path}"
    document = json.loads(path.read_text())
    assert len(document["jobs"]) == 300 and len(document["batches"]) == 44
    assert all(set(job) >= {"user_id", "origin"} for job in document["jobs"])
    assert not any({"complete", "device_status"} & set(batch) for batch in document["batches"])
    copy = served(path)
    for query in (*PAGING, *ORDERS, *JOB_FILTERS):
        assert_same(source, copy, f"/api/v2/jobs?{query}")
    users = {batch["user_id"] for batch in document["batches"]}
    projects = {batch["project_id"] for batch in document["batches"]}
    for user in sorted(users)[:3]:
        assert_same(source, copy, f"/api/v2/jobs?user_id={user}&offset=3")
    for project in sorted(projects)[:3]:
        assert_same(source, copy, f"/api/v2/jobs?project_id={project}&status=DONE")
    for query in BATCH_QUERIES:
        assert_same(source, copy, f"/api/v1/batches?{query}")
    for project in sorted(projects)[:2]:
        assert_same(source, copy, f"/api/v1/batches?project_id={project}")
    assert_same(source, copy, f"/api/v1/batches?user_id={min(users)}")
    assert_same_batches(source, copy, [batch["id"] for batch in document["batches"]])
    for job in document["jobs"][::15]:  # one job, and its result: drawn the same from the copy
        assert_same(source, copy, f"/api/v2/jobs/{job['id']}")
        assert_same(source, copy, f"/api/v1/jobs/{job['id']}/status")
        if job["status"] == "DONE":
            assert_same(source, copy, f"/results/{job['id']}")


def test_a_recording_served_records_the_same_file(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    recorded(capsys, first, source)
    with serving("--seed", "0", "--fixtures", str(first)) as (copy, line):
        assert "serving 300 jobs" in line
        recorded(capsys, second, copy)
    assert second.read_bytes() == first.read_bytes()


def test_odd_ids_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = Path(__file__).parent / "data" / "odd_ids.json"
    path = tmp_path / "odd.json"
    with serving("--seed", "0", "--fixtures", str(odd), "--token", TOKEN) as (url, _):
        recorded(capsys, path, url, "--with-sequences", "--with-results")
        document = json.loads(path.read_text())
        assert len(document["jobs"]) == 15
        copy = served(path)
        for query in (*PAGING, *ORDERS[::5], "id__starts_with=a%25", "id=a%3Fc%5B1%5D"):
            assert_same(url, copy, f"/api/v2/jobs?{query}")
        for job in document["jobs"]:
            quoted = urllib.parse.quote(job["id"], safe="")
            assert_same(url, copy, f"/api/v2/jobs/{quoted}")
            if job["result"] is not None:
                assert_same(url, copy, f"/results/{quoted}")
        assert_same_batches(url, copy, [batch["id"] for batch in document["batches"]])


def test_a_recording_that_would_not_load_is_refused() -> None:
    recording = recorder.Recording(
        jobs=[{"id": "a", "batch_id": "b", "status": "DONE"}],
        batches=[{"id": "b", "status": "PENDING"}],
        warnings=[],
    )
    with pytest.raises(recorder.RecordError) as refused:
        recorder.check_loads(recording, "http://source")
    assert str(refused.value) == (
        "what http://source answered does not load as a fixture: batch record 0: field"
        " 'status': contradicts its jobs, which make it \"DONE\""
    )


def test_a_submitted_batch_round_trips_its_sequences_and_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving("--seed", "20", "--fast-forward", "--error-rate", "0", "--token", TOKEN) as (
        url,
        _,
    ):
        body = {"sequence_builder": SEQUENCE, "project_id": "p-1", "device_type": "EMU_MPS",
                "tags": ["recorded"], "jobs": [{"runs": 10, "variables": {"t": 1.5}},
                                               {"runs": 20, "sequence": OWN_SEQUENCE}]}  # fmt: skip
        response = requests.post(f"{url}/api/v1/batches", json=body, headers=AUTH, timeout=10)
        assert response.status_code == 200, response.text
        batch_id = response.json()["data"]["id"]
        assert get(url, f"/api/v1/batches/{batch_id}/status").json()["data"]["status"] == "DONE"
        path = tmp_path / "submitted.json"
        recorded(capsys, path, url, "--with-sequences", "--with-results", "--concurrency", "3")
        document = json.loads(path.read_text())
        (batch,) = (b for b in document["batches"] if b["id"] == batch_id)
        assert batch["sequence_builder"] == SEQUENCE
        mine = [job for job in document["jobs"] if job["batch_id"] == batch_id]
        assert [job["sequence"] for job in sorted(mine, key=lambda j: j["creation_order"])] == [
            None,
            OWN_SEQUENCE,
        ]
        assert all(job["result"] for job in mine)
        assert sum(mine[0]["result"]["counter"].values()) == mine[0]["runs"]
        copy = served(path)
        for query in PAGING:
            assert_same(url, copy, f"/api/v2/jobs?{query}")
        assert_same(url, copy, "/api/v1/batches")
        assert_same_batches(url, copy, [b["id"] for b in document["batches"]])
        for job in document["jobs"]:
            assert_same(url, copy, f"/api/v2/jobs/{job['id']}")
            link = get(url, f"/api/v1/jobs/{job['id']}/results_link").json()["data"]["results_link"]
            answer = copy.get(f"/api/v1/jobs/{job['id']}/results_link").get_json()["data"]
            if link is None:
                assert answer["results_link"] is None and job["result"] is None
                continue
            results = link.split(url, 1)[1]
            assert answer["results_link"].endswith(results)
            assert_same(url, copy, results)
        for job in mine:  # one bit per atom of its own sequence, or of its batch's
            atoms = 6 if job["sequence"] else 4
            assert {len(bits) for bits in job["result"]["counter"]} == {atoms}
            assert "serialised_results" in job["result"]  # an emulator batch
        recorded(capsys, path, url)  # without sequences: no builder, no sequences, no results
        document = json.loads(path.read_text())
        assert not any("sequence_builder" in b for b in document["batches"])
        assert not any({"sequence", "result"} & set(job) for job in document["jobs"])


def test_progress_is_periodic_and_quiet_is_quiet(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0)
    err = recorded(capsys, tmp_path / "x.json", source, "--status", "DONE", "--only-matching")
    done = len(jobs_of(source, "status=DONE"))
    lines = err.splitlines()
    assert f"mockjobs: recorded 1 of {done} jobs" in lines
    assert f"mockjobs: recorded {done} of {done} jobs" in lines
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 3600)
    assert recorded(capsys, tmp_path / "x.json", source, "--status", "DONE", "-q") == ""
    lines = Progress(None, 1_234_567)
    lines.advance(1300)
    assert lines.line() == "recorded 1,300 of 1,234,567 jobs"


def test_the_fixture_can_go_to_stdout(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "--url", source, "--token", TOKEN, "--status", "ERROR", "-o", "-"
    )
    assert status == 0, err
    assert {job["status"] for job in json.loads(out)["jobs"]} >= {"ERROR"}
    assert err.splitlines()[-1].endswith(" to -")
