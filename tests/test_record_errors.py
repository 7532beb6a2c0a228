"""`mockjobs record` when things go wrong: faults retried, failures and bad options in one line."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mockjobs import recorder, remote

from .test_cli import serving
from .test_record import PAGING, TOKEN, assert_same, recorded, run, served

# Fixtures, imported to apply here too (`as` marks them used, not unused imports).
from .test_record import quick_retries as quick_retries
from .test_record import source as source


@pytest.fixture(scope="module")
def faulty() -> Iterator[str]:
    """A mockjobs whose fault rules the tests arm (each clears them)."""
    with serving("--seed", "120") as (url, _):
        yield url


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
