"""`serve` and `generate` called wrongly: one line on stderr and status 2, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .test_cli import run


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MOCKJOBS_SEED", "ten", "MOCKJOBS_SEED: invalid value 'ten' (an integer >= 0)"),
        ("MOCKJOBS_PORT", "70000", "MOCKJOBS_PORT: invalid value '70000' (an integer from 0"),
        ("MOCKJOBS_LATENCY", "[9, 1]", "MOCKJOBS_LATENCY: invalid value '[9, 1]' (MS or MIN"),
        (
            "MOCKJOBS_FIXTURES",
            '["a.json", 3]',
            "MOCKJOBS_FIXTURES: invalid value '[\"a.json\", 3]'",
        ),
    ],
)
def test_a_bad_environment_variable_is_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)
    status, out, err = run(capsys, "serve", "--host", "no-such-host.invalid")  # never serves
    assert (status, out) == (2, "")
    assert err.startswith(f"mockjobs: error: {message}") and err.count("\n") == 1, err


BAD_COMMAND_LINES = [
    (["serve", "--port", "abc"], "Invalid value for '--port'"),
    (["serve", "--port", "70000"], "Invalid value for '--port'"),
    (["serve", "--seed", "-1"], "Invalid value for '--seed'"),
    (["serve", "--seed"], "Option '--seed' requires an argument"),
    (["serve", "--random-seed", "x"], "Invalid value for '--random-seed'"),
    (["serve", "--bogus"], "No such option '--bogus'"),
    (["serve", "--latency", "slow"], "Invalid value for '--latency'"),
    (["serve", "--latency", "9-1"], "Invalid value for '--latency'"),
    (["serve", "--error-rate", "2"], "Invalid value for '--error-rate'"),
    (["serve", "--threads", "0"], "Invalid value for '--threads'"),
    (["serve", "--journal-size", "-1"], "Invalid value for '--journal-size'"),
    (["serve", "extra"], "Got unexpected extra argument (extra)"),
    (["launch"], "No such command 'launch'"),
    (["generate"], "Missing option '--count'"),
    (["generate", "--count", "ten"], "Invalid value for '--count'"),
    (
        ["generate", "--count", "1", "-o", "/nonexistent-dir/jobs.json"],
        "cannot write /nonexistent-dir/jobs.json",
    ),
    (
        ["serve", "--port", "0", "--fixtures", "/nonexistent/jobs.json"],
        "/nonexistent/jobs.json: cannot read",
    ),
    (
        ["serve", "--port", "0", "--host", "no-such-host.invalid"],
        "cannot listen on no-such-host.invalid",
    ),
    (["serve", "--port", "0", "--host", "192.0.2.1"], "cannot listen on 192.0.2.1"),
]


@pytest.mark.parametrize(
    ("args", "message"), BAD_COMMAND_LINES, ids=[" ".join(a) for a, _ in BAD_COMMAND_LINES]
)
def test_bad_command_line_is_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, out, err = run(capsys, *args)
    assert status == 2
    assert out == ""
    assert err.startswith("mockjobs: error: ") and err.count("\n") == 1, err
    assert message in err


def test_bad_fixture_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"id": "a"}, {"status": "FINISHED"}]')
    status, _, err = run(capsys, "serve", "--port", "0", "--fixtures", str(path))
    assert status == 2
    assert (
        err
        == f"mockjobs: error: {path}: record 1: field 'status': Must be one of: PENDING, RUNNING, DONE, ERROR, CANCELED, CANCELING.\n"
    )


def test_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, _, err = run(capsys, "serve", "--port", str(port))
    assert status == 2
    assert err == f"mockjobs: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "jobs.json"
    path.write_text("[]" * 1000)
    status, _, err = run(capsys, "serve", "--port", "0", "--db", str(path))
    assert status == 2
    assert err.startswith("mockjobs: error: ") and err.count("\n") == 1
    assert "not a database" in err
    status, _, err = run(capsys, "serve", "--port", "0", "--db", str(tmp_path))
    assert status == 2 and err.count("\n") == 1


def test_generate_into_a_directory_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:  # fmt: skip
    code, out, err = run(capsys, "generate", "--count", "3", "-o", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.startswith(f"mockjobs: error: cannot write {tmp_path}") and err.count("\n") == 1
