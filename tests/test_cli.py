"""The command line: `serve` and `generate`, and every way to call them wrongly."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
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

from mockjobs import progress as progress_module
from mockjobs import wsgi
from mockjobs.app import create_app
from mockjobs.cli import main
from mockjobs.progress import ProgressLines, progress_bar
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


def test_generate_into_a_directory_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:  # fmt: skip
    code, out, err = run(capsys, "generate", "--count", "3", "-o", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.startswith(f"mockjobs: error: cannot write {tmp_path}") and err.count("\n") == 1


def test_version_is_the_package_s_one(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--version")
    assert (status, out) == (0, f"mockjobs, version {version('mockjobs')}\n")
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert version("mockjobs") == pyproject["project"]["version"], "stale install: pip install -e ."


ACCESS_LINE = re.compile(
    r'(?P<client>\S+) - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "(?P<request>[^"]*)"'
    r" (?P<status>\d{3}) (?P<size>[1-9]\d*|-) \d+\.\dms(?P<outcome>.*)"
)


def test_serve_logs_every_request_on_stdout_in_one_line() -> None:
    output = Output()
    with serving("--seed", "5", output=output) as (url, _):
        assert output.wait_for(1)[0].startswith("mockjobs: dashboard on")
        page = requests.get(f"{url}/api/v2/jobs?limit=2&status=DONE", timeout=10)
        assert requests.get(f"{url}/nope", timeout=10).status_code == 404
        drop = {"path": "/api/v2/jobs", "drop": True, "times": 1}
        assert requests.post(f"{url}/_mock/faults", json=drop, timeout=10).status_code == 201
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/api/v2/jobs?limit=3", timeout=10)
        host, port = url.removeprefix("http://").split(":")
        close = b"Connection: close\r\n"  # read to the end: a client gone early is logged so
        for raw in (
            b'GET /a"b\x1b[2J HTTP/1.1\r\nHost: 127.0.0.1\r\n' + close + b"\r\n",
            b"NONSENSE\r\n\r\n",
        ):
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(raw)
                assert b"".join(iter(lambda: sock.recv(4096), b"")).startswith(b"HTTP/1.")
        lines = output.wait_for(7)[1:]
    logged = {}
    for line in lines:  # in the order the requests ended: two threads may swap them
        match = ACCESS_LINE.fullmatch(line)
        assert match and match["client"] == "127.0.0.1", line
        logged[match["request"]] = (match["status"], match["size"], match["outcome"])
    assert logged == {
        "GET /api/v2/jobs?limit=2&status=DONE HTTP/1.1": ("200", str(len(page.content)), ""),
        "GET /nope HTTP/1.1": ("404", "23", ""),
        "POST /_mock/faults HTTP/1.1": ("201", logged["POST /_mock/faults HTTP/1.1"][1], ""),
        "GET /api/v2/jobs?limit=3 HTTP/1.1": ("499", "-", " dropped by a fault rule"),
        r"GET /a\x22b\x1b[2J HTTP/1.1": ("404", "23", ""),  # never a raw escape in a terminal
        "NONSENSE": ("400", logged["NONSENSE"][1], ""),  # refused by waitress itself
    }
    assert output.stderr == ""


def test_quiet_serves_without_an_access_log() -> None:
    output = Output()
    with serving("--seed", "5", "--quiet", output=output) as (url, _):
        for _ in range(3):
            assert requests.get(f"{url}/api/v2/jobs", timeout=10).status_code == 200
    assert output.lines == ["mockjobs: dashboard on " + url + "/", "mockjobs: stopped"]


class Stopped:
    """A server that stops as soon as it runs: `mockjobs serve` up to its banner, in-process."""

    def __init__(self, app: Any, sock: socket.socket, values: dict[str, Any]) -> None:
        self.sock = sock

    def run(self) -> None:
        pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def serve_here(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """`mockjobs serve --port 0 ARGS` in this process, its server stopped at once: (out, err)."""
    monkeypatch.setattr(wsgi, "wsgi_server", Stopped)
    for variable in [name for name in os.environ if name.startswith("MOCKJOBS_")]:
        monkeypatch.delenv(variable)

    def serve(*args: str) -> tuple[str, str]:
        status, out, err = run(capsys, "serve", "--port", "0", *args)
        assert status == 0, err
        return out, err

    return serve


def test_options_that_change_nothing_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serve_here: Any
) -> None:
    db, gone = str(tmp_path / "jobs.db"), str(tmp_path / "gone.json")
    monkeypatch.setattr(progress_module, "PROGRESS_FROM", 10)
    out, err = serve_here("--db", db, "--seed", "20")
    assert "serving 20 jobs" in out and err == "mockjobs: loading jobs: 20 of 20 (100 %)\n"
    _, err = serve_here("--db", db, "--seed", "20", "--random-seed", "1", "--error-rate", "0.5")
    assert err == ""  # the database holds that very data set; submitted jobs use the rate
    out, err = serve_here("--db", db, "--seed", "5", "--fixtures", gone)
    assert "serving 20 jobs" in out  # the file is not read: a missing one is no error
    assert err == (
        f"mockjobs: note: --seed 5 and --fixtures {gone} (not read) ignored: the database"
        " holds 20 jobs (use --reset to replace them)\n"
    )  # and no progress: nothing was loaded
    monkeypatch.setenv("MOCKJOBS_RANDOM_SEED", "7")
    _, err = serve_here("--db", db)  # an environment variable is given explicitly too
    assert err == (
        "mockjobs: note: MOCKJOBS_RANDOM_SEED=7 ignored: the database holds 20 jobs"
        " (use --reset to replace them)\n"
    )
    out, err = serve_here("--db", db, "--seed", "15", "--reset")
    assert "serving 15 jobs" in out and "note" not in err
    out, err = serve_here("--seed", "3", "--reset")
    assert "serving 3 jobs" in out
    assert err == (
        "mockjobs: note: --reset ignored: without --db the database is in memory, new at every"
        " start\n"
    )


def test_a_big_load_off_a_terminal_prints_lines_of_progress(
    monkeypatch: pytest.MonkeyPatch, serve_here: Any
) -> None:
    monkeypatch.setattr(progress_module, "PROGRESS_FROM", 1000)
    out, err = serve_here("--seed", "6000")  # inserted 5,000 at a time
    assert err.splitlines() == [
        "mockjobs: loading jobs: 5,000 of 6,000 (83 %)",
        "mockjobs: loading jobs: 6,000 of 6,000 (100 %)",
    ]
    assert out.startswith("mockjobs: serving 6000 jobs")


def test_progress_lines_are_few_and_end_with_the_count(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(200_000, "Loading jobs") as progress:  # stderr is no terminal here
        assert isinstance(progress, ProgressLines)
    assert capsys.readouterr().err == ""  # nothing counted, nothing said
    with progress_bar(progress_module.PROGRESS_FROM - 1, "Loading jobs") as progress:
        assert progress is None
    now = [0.0]
    slow = ProgressLines(200_000, "loading jobs", clock=lambda: now[0])
    for _ in range(40):  # 5,000 jobs a second
        slow(5000)
        now[0] += 1
    slow.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "mockjobs: loading jobs: 5,000 of 200,000 (2 %)"
    assert lines[1] == "mockjobs: loading jobs: 25,000 of 200,000 (12 %)"  # a tenth more, 4 s on
    assert lines[-1] == "mockjobs: loading jobs: 200,000 of 200,000 (100 %)"
    assert len(lines) == 11
    fast = ProgressLines(200_000, "loading jobs", clock=lambda: 0.0)
    for _ in range(41):  # a load too fast to tell, with a fixture file's jobs beyond the seed
        fast(5000)
    fast.close()
    assert capsys.readouterr().err.splitlines() == [
        "mockjobs: loading jobs: 5,000 of 200,000 (2 %)",
        "mockjobs: loading jobs: 200,000 of 200,000 (100 %)",
        "mockjobs: loading jobs: 205,000 of 205,000 (100 %)",
    ]


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
