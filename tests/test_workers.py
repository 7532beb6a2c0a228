"""`workers=N`: N processes on one port and one database, behaving as one mock."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from mockjobs import MockJobsServer
from mockjobs.app import create_app
from mockjobs.settings import APP_SETTINGS, SETTINGS
from mockjobs.workers import PART, Workers

from .test_cli import Output, serving

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes in /proc")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def workers_of(pid: int) -> list[int]:
    """The worker processes `pid` started (its other children are none of our business)."""
    found = []
    for child in children(pid):
        with contextlib.suppress(OSError):  # it ended meanwhile
            if b"mockjobs.workers" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
    return found


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def wait_until(condition: object, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def server_pid() -> int:
    """The pid of the `mockjobs serve` that `serving` started: this process's newest child
    running it (others may be ending still)."""
    found = [p for p in children(os.getpid()) if b"mockjobs.cli" in Path(f"/proc/{p}/cmdline").read_bytes()]  # fmt: skip
    return max(
        found, key=lambda p: int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[19])
    )


def database_of(worker: int) -> Path:
    """The database file a worker process was told to open."""
    environ = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
    [part] = [v.split(b"=", 1)[1] for v in environ if v.startswith(PART.encode() + b"=")]
    return Path(json.loads(part)["config"]["DB"])


def seen_by_every_request(url: str, job_id: str, times: int = 8) -> bool:
    """Whether each of `times` requests, each on a new connection, finds the job."""
    for _ in range(times):
        page = requests.get(f"{url}/api/v2/jobs", params={"id": job_id}, timeout=10).json()
        if page["pagination"]["total"] != 1:
            return False
    return True


def test_serve_with_two_workers_is_one_mock_on_two_processes() -> None:
    with serving("--seed", "50", "--workers", "2", "--quiet", output=Output()) as (url, line):
        assert "(2 processes)" in line
        [worker] = workers_of(server_pid())
        folder = database_of(worker).parent
        assert folder.is_dir()
        before = cpu_ticks(worker)
        for number in range(30):  # a write, then new connections: any process may take them
            job_id = f"written-{number}"
            added = requests.post(f"{url}/_mock/jobs", json=[{"id": job_id}], timeout=10)
            assert added.status_code == 201, added.text
            assert seen_by_every_request(url, job_id)
        assert cpu_ticks(worker) > before, "the worker process answered nothing"
        rule = {"path": "/api/v2/jobs", "status": 503, "times": 1}
        assert requests.post(f"{url}/_mock/faults", json=rule, timeout=10).status_code == 201
        statuses = [requests.get(f"{url}/api/v2/jobs", timeout=10).status_code for _ in range(6)]
        assert statuses.count(503) == 1  # armed once, fired once, whichever process took it
        journal = requests.get(f"{url}/_mock/requests", timeout=10).json()
        assert sum(e["path"] == "/api/v2/jobs" for e in journal["data"]) >= 30 * 8 + 6
    wait_until(lambda: not Path(f"/proc/{worker}").exists())
    assert not folder.exists(), "the temporary database outlived the server"


def test_a_worker_that_dies_is_started_again() -> None:
    with serving("--seed", "20", "--workers", "2", "--quiet") as (url, _):
        pid = server_pid()
        [worker] = workers_of(pid)
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: workers_of(pid) and workers_of(pid) != [worker])
        for _ in range(20):
            assert requests.get(f"{url}/api/v2/jobs", timeout=10).status_code == 200


def test_workers_end_with_a_killed_server() -> None:
    with serving("--seed", "20", "--workers", "3", "--quiet"):
        pid = server_pid()
        workers = workers_of(pid)
        assert len(workers) == 2
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not any(Path(f"/proc/{w}").exists() for w in workers), 10)


def test_mock_jobs_server_with_workers_shares_its_control() -> None:
    with MockJobsServer(seed=10, workers=2) as server:
        workers = workers_of(os.getpid())
        assert len(workers) == 1
        server.add_jobs([{"id": "in-process"}])  # written by this process's app
        assert seen_by_every_request(server.url, "in-process", 20)
        server.reset()
        page = requests.get(f"{server.url}/api/v2/jobs", params={"limit": 1}, timeout=10)
        assert page.headers["Content-Range"].endswith("/10")
        server.arm_fault(path="/api/v2/jobs", status=500, times=2)
        statuses = [requests.get(f"{server.url}/api/v2/jobs", timeout=10).status_code for _ in range(5)]  # fmt: skip
        assert statuses.count(500) == 2
    wait_until(lambda: not any(Path(f"/proc/{w}").exists() for w in workers))


def test_the_plugin_takes_workers_from_the_ini_and_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockjobs_workers = 2\nmockjobs_seed = 12\n")
    pytester.makepyfile(
        """
import os, pytest, requests
from pathlib import Path

def children(pid):
    found = []
    for p in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
            command = Path(f"/proc/{p}/cmdline").read_bytes()
        except (OSError, NotADirectoryError):
            continue
        if stat.rsplit(")", 1)[1].split()[1] == str(pid) and b"mockjobs.workers" in command:
            found.append(p)
    return found

def test_ini(mockjobs):
    assert mockjobs.values["workers"] == 2 and len(children(os.getpid())) == 1
    mockjobs.add_jobs([{"id": "added"}])
    for _ in range(10):
        page = requests.get(f"{mockjobs.url}/api/v2/jobs", timeout=10).json()
        assert page["pagination"]["total"] == 13

@pytest.mark.mockjobs(workers=1)
def test_marker(mockjobs):
    assert mockjobs.values["workers"] == 1
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_busy_workers_answer_every_request() -> None:
    """Reads and writes from every process at once: never a "database is locked" 500.

    (A cursor read after its session ended stepped beside another thread's statement on
    SQLite's shared connection; a write then failed at once, SQLITE_BUSY_SNAPSHOT.)
    """
    with serving("--seed", "300", "--workers", "2", "--quiet") as (url, _):
        statuses: list[int] = []

        def load(number: int) -> None:
            with requests.Session() as session:
                for request in range(150):
                    if request % 10 == 0:
                        job = [{"id": f"busy-{number}-{request}"}]
                        statuses.append(session.post(f"{url}/_mock/jobs", json=job, timeout=10).status_code)  # fmt: skip
                    query = {"limit": 1 + request % 20, "offset": request}
                    statuses.append(session.get(f"{url}/api/v2/jobs", params=query, timeout=10).status_code)  # fmt: skip

        threads = [threading.Thread(target=load, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(statuses) == 6 * 165 and set(statuses) == {200, 201}, sorted(set(statuses))


def test_workers_take_the_apps_settings_and_never_reset_the_database() -> None:
    app = create_app({"SEED": 5, "RESET": True, "LATENCY": [0, 10]})
    with socket.socket() as sock:
        part = json.loads(Workers(2, sock, app.config, {}).environ[PART])
    assert part["config"]["RESET"] is False  # the data the first process loaded stays
    assert part["config"]["SEED"] == 5 and part["config"]["LATENCY"] == [0, 10]
    assert set(part["config"]) == {SETTINGS[name].key for name in APP_SETTINGS}
    app.extensions["mockjobs"].store.close()
