"""`mockjobs record`: a server's jobs and batches as a fixture file that serves the same pages.

The round trip is the test: a mockjobs source is recorded, the file served, and the pages of
both compared byte for byte, for everything and for filtered selections.
"""

from __future__ import annotations

import json
import socket
import time
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


@pytest.fixture(scope="module")
def faulty() -> Iterator[str]:
    """A mockjobs whose fault rules the tests arm (each clears them)."""
    with serving("--seed", "120") as (url, _):
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


def batches_of(url: str, ids: list[str]) -> list[dict[str, Any]]:
    return [get(url, f"/api/v2/batches/{batch_id}").json()["data"] for batch_id in ids]


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


@pytest.mark.parametrize(
    "options, query",
    [
        (["--status", "ERROR", "--status", "CANCELED", "--min-runs", "100"],
         "status=ERROR&status=CANCELED&min_runs=100"),
        (["--origin", "AZURE", "--origin", "OVH"], "origin=AZURE&origin=OVH"),
        (["--errors", "false", "--start-date", "2025-05-25"], "errors=false&start_date=2025-05-25"),
        (["--id-starts-with", "a", "--max-runs", "500"], "id__starts_with=a&max_runs=500"),
        (["--end-date", "1748000000"], "end_date=1748000000"),
    ],
)  # fmt: skip
def test_a_filtered_recording_holds_whole_batches_and_serves_the_filter_the_same(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str],
    query: str,
) -> None:  # fmt: skip
    path = tmp_path / "filtered.json"
    recorded(capsys, path, source, *options)
    matching = jobs_of(source, query)
    batch_ids = list(dict.fromkeys(job["batch_id"] for job in matching))
    document = json.loads(path.read_text())
    assert {batch["id"] for batch in document["batches"]} == set(batch_ids)
    whole = sum(batch["jobs_count"] for batch in batches_of(source, batch_ids))
    assert len(document["jobs"]) == whole >= len(matching) > 0
    copy = served(path)
    for extra in (*PAGING, *ORDERS[::3]):
        assert_same(source, copy, f"/api/v2/jobs?{query}&{extra}")
    for batch_id in batch_ids[:3]:
        assert_same(source, copy, f"/api/v2/jobs?batch_id={batch_id}")
    assert_same_batches(source, copy, batch_ids)


def test_a_selection_by_user_and_batch(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batches = get(source, "/api/v1/batches?limit=100").json()["data"]
    user, two = batches[0]["user_id"], [batches[3]["id"], batches[7]["id"]]
    path = tmp_path / "user.json"
    recorded(capsys, path, source, "--user-id", user)
    for extra in PAGING:
        assert_same(source, served(path), f"/api/v2/jobs?user_id={user}&{extra}")
    recorded(capsys, path, source, "--batch-id", two[0], "--batch-id", two[1])
    copy = served(path)
    assert_same(source, copy, f"/api/v2/jobs?batch_id={two[0]}&batch_id={two[1]}")
    assert_same(source, copy, "/api/v2/jobs?" + "&".join(f"id={j['id']}" for j in jobs_of(source, f"batch_id={two[0]}")))  # fmt: skip
    assert_same_batches(source, copy, two)


def test_only_matching_records_the_selection_alone(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "status=DONE&max_runs=500"
    path = tmp_path / "done.json"
    recorded(capsys, path, source, "--status", "DONE", "--max-runs", "500", "--only-matching")
    matching = jobs_of(source, query)
    document = json.loads(path.read_text())
    assert sorted(job["id"] for job in document["jobs"]) == sorted(job["id"] for job in matching)
    copy = served(path)
    for extra in (*PAGING, *ORDERS[::4]):
        assert_same(source, copy, f"/api/v2/jobs?{query}&{extra}")
        # the copy holds the selection only: its whole list is the source's filtered one
        original = get(source, f"/api/v2/jobs?{query}&{extra}")
        assert copy.get(f"/api/v2/jobs?{extra}").data == original.content
    recorded_per_batch: dict[str, int] = {}
    for job in matching:
        recorded_per_batch[job["batch_id"]] = recorded_per_batch.get(job["batch_id"], 0) + 1
    whole = []
    for batch in batches_of(source, list(recorded_per_batch)):
        answer = copy.get(f"/api/v2/batches/{batch['id']}").get_json()["data"]
        # counts and status follow the recorded jobs; the rest is the source's
        assert answer["jobs_count"] == recorded_per_batch[batch["id"]]
        for key in ("user_id", "project_id", "device_type", "created_at", "tags", "queue_priority"):
            assert answer[key] == batch[key]
        if batch["jobs_count"] == recorded_per_batch[batch["id"]]:
            whole.append(batch["id"])
    assert whole and len(whole) < len(recorded_per_batch)
    for batch_id in whole:  # a batch recorded whole is the source's, byte for byte
        assert_same(source, copy, f"/api/v2/batches/{batch_id}")


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


def test_faults_are_retried_with_backoff_honouring_retry_after(
    faulty: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arm(faulty, {"path": "/api/v2/jobs", "status": 503, "times": 2})
    arm(faulty, {"path": "/api/v2/jobs", "query": {"offset": "100"}, "drop": True, "times": 1})
    arm(faulty, {"path": "/api/v1/batches", "status": 429, "retry_after": 1, "times": 1})
    arm(faulty, {"path": "/api/v1/batches", "status": 502, "times": 1})
    requests.delete(f"{faulty}/_mock/requests", timeout=10)
    path = tmp_path / "faulty.json"
    started = time.monotonic()
    try:
        recorded(capsys, path, faulty)
    finally:
        requests.delete(f"{faulty}/_mock/faults", timeout=10)
    assert time.monotonic() - started >= 1.0  # the Retry-After
    journal = requests.get(f"{faulty}/_mock/requests", timeout=10).json()["data"]
    statuses = [entry["status"] for entry in journal]
    assert statuses.count(503) == 2 and statuses.count(429) == 1 and statuses.count(502) == 1
    copy = served(path)
    for query in PAGING[:3]:
        assert_same(faulty, copy, f"/api/v2/jobs?{query}")


def test_a_lasting_fault_ends_the_recording_after_a_few_tries(
    faulty: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kept.json"
    path.write_text("what was there")
    arm(faulty, {"path": "/api/v1/batches", "status": 500})
    requests.delete(f"{faulty}/_mock/requests", timeout=10)
    try:
        status, out, err = run(capsys, "--url", faulty, "-o", str(path))
        journal = requests.get(f"{faulty}/_mock/requests", timeout=10).json()["data"]
    finally:
        requests.delete(f"{faulty}/_mock/faults", timeout=10)
    assert status == 1 and out == ""
    (line,) = err.strip().splitlines()[-1:]
    assert line.startswith(f"mockjobs: error: {faulty}/api/v1/batches?id=")
    assert "HTTP 500 Internal Server Error" in line
    assert sum(entry["path"] == "/api/v1/batches" for entry in journal) == remote.ATTEMPTS
    assert path.read_text() == "what was there"  # written whole or not at all


def test_a_long_retry_after_ends_the_recording_at_once(
    faulty: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arm(faulty, {"path": "/api/v2/jobs", "status": 429, "retry_after": 3600, "times": 1})
    try:
        status, _, err = run(capsys, "--url", faulty, "-q", "-o", str(tmp_path / "x.json"))
    finally:
        requests.delete(f"{faulty}/_mock/faults", timeout=10)
    assert status == 1
    assert err == (
        f"mockjobs: error: {faulty}/api/v2/jobs?limit=1: HTTP 429, and the server asks to retry"
        " after 3600 s\n"
    )
    assert not (tmp_path / "x.json").exists()


def arm(url: str, rule: dict[str, Any]) -> None:
    response = requests.post(f"{url}/_mock/faults", json=rule, timeout=10)
    assert response.status_code == 201, response.text


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_server_fails_fast_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    status, out, err = run(capsys, "--url", url, "-o", str(tmp_path / "x.json"))
    assert time.monotonic() - started < 2
    assert (status, out) == (1, "")
    assert err == f"mockjobs: error: cannot reach {url}/api/v2/jobs?limit=1: Connection refused\n"
    assert not list(tmp_path.iterdir())


def test_a_missing_or_wrong_token_is_one_line(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.json"
    status, _, err = run(capsys, "--url", source, "-o", str(path))
    assert status == 1
    assert err == (
        f"mockjobs: error: {source}/api/v2/jobs?limit=1: HTTP 401 Unauthorized: Not"
        " authenticated (give --token)\n"
    )
    status, _, err = run(capsys, "--url", source, "--token", "nope", "-o", str(path))
    assert status == 1 and err.endswith("Not authenticated (check --token)\n")
    assert not path.exists()
    monkeypatch.setenv("MOCKJOBS_RECORD_TOKEN", TOKEN)  # keeps the token out of `ps`
    status, _, err = run(capsys, "--url", source + "/", "-q", "-o", str(path), "--status", "DONE")
    assert (status, err) == (0, "")
    assert len(json.loads(path.read_text())["jobs"]) >= 1


UNREACHABLE = "http://127.0.0.1:9"  # never asked: the options are refused first
OUT = "{out}"  # the output file's place in a case


def case(*options: str) -> list[str]:
    """A command line of a bad option, with a URL and an output file."""
    return ["--url", UNREACHABLE, *options, "-o", OUT]


@pytest.mark.parametrize(
    "args, said",
    [
        ([], "Missing option '--url'"),
        (["--url", UNREACHABLE], "Missing option '-o' / '--output'"),
        (["--url", "ftp://host/x", "-o", OUT], "--url: expected http(s)://HOST[:PORT][/PATH], got 'ftp://host/x'"),
        (["--url", "http://", "-o", OUT], "--url: expected http(s)://HOST[:PORT][/PATH]"),
        (["--url", "http://host:port", "-o", OUT], "--url: expected http(s)://HOST[:PORT][/PATH]"),
        (["--url", "http://host/?x=1", "-o", OUT], "--url: expected"),
        (case("--status", "done"), "--status 'done': Input should be 'PENDING', 'RUNNING', 'DONE', 'ERROR', 'CANCELED' or 'CANCELING'"),
        (case("--status", "DONE", "--status", "late"), "--status 'late': Input should be"),
        (case("--min-runs", "ten", "--errors", "maybe"),
         "--min-runs 'ten': Input should be a valid integer, unable to parse string as an integer;"
         " --errors 'maybe': Input should be a valid boolean, unable to interpret input"),
        (case("--origin", "MARS"), "--origin 'MARS': Input should be 'CLIENT', 'AZURE', 'OVH' or 'UNKNOWN'"),
        (case("--start-date", "yesterday"), "--start-date 'yesterday': Input should be a valid datetime or date"),
        (case("--concurrency", "0"), "Invalid value for '--concurrency'"),
        (case("--timeout", "0"), "Invalid value for '--timeout'"),
        (case("--limit", "5"), "No such option '--limit'"),
        (["--url", UNREACHABLE, "-o", "/nonexistent/dir/x.json"],
         "cannot write /nonexistent/dir/x.json: no directory /nonexistent/dir"),
        (["--url", UNREACHABLE, "-o", "/"], "cannot write /: a directory"),
    ],
)  # fmt: skip
def test_bad_options_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], said: str
) -> None:
    out = tmp_path / "x.json"
    status, printed, err = run(capsys, *(str(out) if arg == OUT else arg for arg in args))
    assert (status, printed) == (2, "")
    assert err.count("\n") == 1 and err.startswith("mockjobs: error: "), err
    assert said in err
    assert not out.exists()


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


@pytest.mark.parametrize(
    "value, seconds", [("3", 3.0), ("0.5", 0.5), ("-4", 0.0), ("soon", None), (None, None),
                       ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)  # fmt: skip
def test_retry_after_is_seconds_or_a_date(value: str | None, seconds: float | None) -> None:
    assert remote.retry_after(value) == seconds


def test_a_retry_after_date_in_the_future() -> None:
    from email.utils import formatdate

    assert 8 <= (remote.retry_after(formatdate(time.time() + 10, usegmt=True)) or 0) <= 10


def test_the_token_stays_on_its_server() -> None:
    client = recorder.Client("https://api.example/core", TOKEN)
    sent: list[Any] = []

    class Opener:
        def open(self, request: Any, timeout: float) -> Any:
            sent.append(request)
            raise recorder.RecordError("stop")

    client.opener = Opener()
    for url in ("https://api.example/core/api/v2/jobs", "https://bucket.example/result?sig=1"):
        with pytest.raises(recorder.RecordError):
            client.get_url(url)
    assert [r.get_header("Authorization") for r in sent] == [f"Bearer {TOKEN}", None]
