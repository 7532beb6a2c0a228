"""The command line: `serve` and `generate` called rightly, and `serving` for other tests."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import requests

from mockjobs.app import create_app
from mockjobs.cli import main
from mockjobs.settings import SETTINGS
from mockjobs.wsgi import exposure_warning, served_hosts

SERVE_TIMEOUT = 30  # seconds to wait for the start-up line


class Output:
    """The lines a served process writes on stdout after its start-up line, read as they come
    (so that its pipe never fills), and its stderr once it has stopped."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.stderr = ""
        self._arrived = threading.Condition()

    def read(self, stream: Any) -> None:
        for line in stream:
            with self._arrived:
                self.lines.append(line.rstrip("\n"))
                self._arrived.notify_all()

    def wait_for(self, count: int) -> list[str]:
        """The first `count` lines, once written (an AssertionError after SERVE_TIMEOUT)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.lines) >= count, SERVE_TIMEOUT)
            assert len(self.lines) >= count, self.lines
            return self.lines[:count]


@contextmanager
def serving(
    *args: str, env: dict[str, str] | None = None, output: Output | None = None
) -> Iterator[tuple[str, str]]:
    """`mockjobs serve --port 0 ARGS` in a subprocess: its URL and start-up line.

    `env` is added to the environment, which keeps no MOCKJOBS_* variable of its own. `output`
    collects what the process writes next (its access log): read as it comes, always, so that
    the log never fills the pipe and stalls the server.
    """
    output = Output() if output is None else output
    command = [sys.executable, "-m", "mockjobs.cli", "serve", "--port", "0", *args]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKJOBS_")}
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ | (env or {}),
    ) as process:
        reader = None
        try:
            line = process.stdout.readline() if process.stdout else ""
            assert line.startswith("mockjobs: serving"), (
                line + process.communicate(timeout=SERVE_TIMEOUT)[1]
            )
            reader = threading.Thread(target=output.read, args=(process.stdout,))
            reader.start()
            yield line.split(" on ")[1].split()[0], line
        finally:
            process.terminate()
            if reader is None:  # it never started
                process.communicate(timeout=SERVE_TIMEOUT)
            else:
                reader.join(SERVE_TIMEOUT)
                assert process.stderr is not None
                output.stderr = process.stderr.read()
                process.wait(SERVE_TIMEOUT)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_serve_prints_url_and_count_and_serves() -> None:
    with serving("--seed", "42") as (url, line):
        assert url.startswith("http://127.0.0.1:")
        assert "serving 42 jobs on http://127.0.0.1:" in line
        response = requests.get(f"{url}/api/v2/jobs?limit=5", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Range"] == "1-5/42"
        assert response.headers["Server"] == "mockjobs"
        assert requests.get(f"{url}/nope", timeout=10).json() == {"detail": "Not Found"}


def test_serve_seed_zero_is_an_empty_server() -> None:
    with serving("--seed", "0") as (url, line):
        assert "serving 0 jobs" in line
        body = requests.get(f"{url}/api/v2/jobs", timeout=10).json()
        assert (body["data"], body["pagination"]) == ([], {"total": 0, "start": 0, "end": 0})


def test_generated_file_served_as_fixtures_equals_serve_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "jobs.json"
    assert main(["generate", "--count", "120", "--random-seed", "9", "-o", str(path)]) == 0
    assert len(json.loads(path.read_text())["jobs"]) == 120
    assert run(capsys, "generate", "--count", "120", "--random-seed", "9")[1] == path.read_text()
    from_file = create_app({"SEED": 0, "FIXTURES": [str(path)]}).test_client()
    generated = create_app({"SEED": 120, "RANDOM_SEED": 9}).test_client()
    for query in ("limit=100", "limit=100&offset=100", "order_by=id&order_by_direction=ASC&limit=100",
                  "order_by=start_timestamp&limit=100&offset=20", "status=DONE&errors=false"):  # fmt: skip
        assert (
            from_file.get(f"/api/v2/jobs?{query}").data
            == generated.get(f"/api/v2/jobs?{query}").data
        )


def test_db_file_keeps_jobs_between_runs(tmp_path: Path) -> None:
    db = str(tmp_path / "jobs.db")
    with serving("--db", db, "--seed", "20") as (url, _):
        first = requests.get(f"{url}/api/v2/jobs", timeout=10).content
    with serving("--db", db, "--seed", "5") as (url, line):
        assert "serving 20 jobs" in line  # served as it is
        assert requests.get(f"{url}/api/v2/jobs", timeout=10).content == first
    with serving("--db", db, "--seed", "5", "--reset") as (url, line):
        assert "serving 5 jobs" in line


def test_serve_with_a_token_lifecycle_and_latency() -> None:
    with serving("--seed", "30", "--token", "t0k", "--lifecycle", "--latency", "1-5") as (url, _):
        assert requests.get(f"{url}/api/v2/jobs", timeout=10).status_code == 401
        auth = {"Authorization": "Bearer t0k"}
        assert requests.get(f"{url}/api/v2/jobs", headers=auth, timeout=10).status_code == 200
        requests.post(f"{url}/_mock/clock", json={"advance": 86400}, headers=auth, timeout=10)
        live = requests.get(
            f"{url}/api/v2/jobs?status=PENDING&status=RUNNING", headers=auth, timeout=10
        )
        assert live.json()["pagination"]["total"] == 0


def test_the_environment_configures_serve_and_the_command_line_wins() -> None:
    with serving(env={"MOCKJOBS_SEED": "7"}) as (_, line):
        assert "serving 7 jobs" in line
    env = {"MOCKJOBS_SEED": "ten", "MOCKJOBS_STRICT": "true", "MOCKJOBS_TOKEN": '"t"'}
    with serving("--seed", "3", env=env) as (url, line):  # a bad variable overridden is unread
        assert "serving 3 jobs" in line
        auth = {"Authorization": "Bearer t"}
        strict = requests.get(f"{url}/api/v2/jobs?nope=1", headers=auth, timeout=10)
        assert strict.status_code == 422
    with serving("--seed", "3", "--no-strict", "--token", "u", env=env) as (url, _):
        auth = {"Authorization": "Bearer u"}
        lax = requests.get(f"{url}/api/v2/jobs?nope=1", headers=auth, timeout=10)
        assert lax.status_code == 200


def test_every_setting_is_an_option_of_serve(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "serve", "--help")
    assert status == 0
    for setting in SETTINGS.values():
        assert setting.option in out
        assert setting.help.split()[0] in out
    assert "[default: 8]" in out  # --threads, the one default MockJobsServer has too


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0 and "serve" in out and "generate" in out
    status, out, _ = run(capsys, "serve", "--help")
    assert status == 0 and "--fixtures FILE" in out
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.startswith("mockjobs, version ")


@pytest.mark.parametrize(
    ("host", "token", "warned"),
    [("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False),
     ("127.8.9.1", None, False), ("0.0.0.0", None, True), ("::", None, True),
     ("192.168.1.20", None, True), ("example.org", None, True), ("0.0.0.0", "t", False)],
)  # fmt: skip
def test_a_server_others_can_reach_without_a_token_is_warned_of(
    host: str, token: str | None, warned: bool
) -> None:
    warning = exposure_warning(host, token)
    assert (warning is not None) == warned
    if warning:
        assert warning.startswith("mockjobs: warning: serving on") and "\n" not in warning


def test_ctrl_c_stops_the_server_and_says_so() -> None:
    command = [sys.executable, "-m", "mockjobs.cli", "serve", "--port", "0", "--seed", "5"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout and process.stdout.readline().startswith("mockjobs: serving")
        assert process.stdout.readline().startswith("mockjobs: dashboard")  # serving, then
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=SERVE_TIMEOUT)
    assert out.splitlines()[-1] == "mockjobs: stopped", (out, err)
    assert process.returncode == 0 and "Traceback" not in err


@pytest.mark.parametrize(
    ("bound", "allowed", "served"),
    [("127.0.0.1", (), ("127.0.0.1",)), ("0.0.0.0", (), ("*",)), ("::", ("a",), ("a", "*")),
     ("192.168.1.20", ("proxy.example",), ("proxy.example", "192.168.1.20"))],
)  # fmt: skip
def test_the_hosts_a_server_answers(bound: str, allowed: tuple[str, ...], served: tuple[str, ...]) -> None:  # fmt: skip
    assert served_hosts(bound, allowed) == served
    api = create_app({"SEED": 0, "ALLOWED_HOSTS": served}).test_client()
    for host in (*served, "localhost"):
        if host != "*":
            assert api.get("/_mock/clock", headers={"Host": f"{host}:8000"}).status_code == 200
    other = api.get("/_mock/clock", headers={"Host": "elsewhere.example"}).status_code
    assert other == (200 if "*" in served else 400)


def test_version_is_the_package_s_one(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--version")
    assert (status, out) == (0, f"mockjobs, version {version('mockjobs')}\n")
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert version("mockjobs") == pyproject["project"]["version"], "stale install: pip install -e ."


def test_a_server_restarted_at_once_gets_its_port_back() -> None:
    port = None
    with serving("--seed", "3", "--quiet") as (url, _):
        port = url.rsplit(":", 1)[1]
        kept = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        kept.request("GET", "/api/v2/jobs")
        assert kept.getresponse().read()  # open still when the server stops: it closes it,
    kept.close()  # and its side of the connection waits in TIME_WAIT
    with serving("--seed", "3", "--quiet", "--port", port) as (again, _):
        assert again == url and requests.get(f"{again}/api/v2/jobs", timeout=10).ok
