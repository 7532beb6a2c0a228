"""The pytest plugin, run inside pytest's own pytester: fixtures, isolation, the journal, xdist."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockjobs.server import RUNNING

pytest_plugins = ["pytester"]

COUNT_JOBS = """
import requests

def total(server, **params):
    body = requests.get(server.url + "/api/v2/jobs", params=params, timeout=10).json()
    return body["pagination"]["total"]
"""


def test_fixtures_work_without_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        COUNT_JOBS
        + """
def test_server(mockjobs):
    assert mockjobs.url.startswith("http://127.0.0.1:")
    assert total(mockjobs) == 500

def test_client(mockjobs_client):
    assert mockjobs_client.get("/api/v2/jobs?limit=1").headers["Content-Range"] == "1-1/500"

def test_session_server(mockjobs_server, mockjobs):
    assert mockjobs_server is mockjobs
"""
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_each_test_starts_from_the_configured_data(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        COUNT_JOBS
        + """
import pytest

@pytest.mark.parametrize("round", range(3))
def test_add_and_cancel_are_forgotten(mockjobs, round):
    assert mockjobs.requests == []  # the journal starts empty too
    assert total(mockjobs) == 500
    mockjobs.add_jobs([{"status": "PENDING"}] * 3)
    assert total(mockjobs) == 503
    assert len(mockjobs.requests) >= 1

def test_client_sees_the_same_data(mockjobs, mockjobs_client):
    mockjobs.add_jobs([{"id": "shared"}])
    assert mockjobs_client.get("/api/v2/jobs?id=shared").get_json()["pagination"]["total"] == 1
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_assert_request_made_failure_lists_the_closest_requests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import requests

def test_client_sends_lower_case(mockjobs):
    requests.get(mockjobs.url + "/api/v2/jobs", params={"status": "done", "limit": 5}, timeout=10)
    requests.get(mockjobs.url + "/api/v2/other", timeout=10)
    mockjobs.assert_request_made("/api/v2/jobs", query={"status": "DONE"})
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected at least one request like GET /api/v2/jobs?status=DONE, got 0.",
            "*The closest of the 2 requests received:",
            "*GET /api/v2/jobs?status=done&limit=5 -> 422",
            "*GET /api/v2/other -> 404",
        ]
    )


def test_xdist_workers_have_their_own_servers(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(
        COUNT_JOBS
        + f"""
import os, pytest

@pytest.mark.parametrize("n", range(8))
def test_write(mockjobs, n):
    mockjobs.add_jobs([{{"id": f"job-{{n}}"}}])
    assert total(mockjobs) == 501
    with open({str(tmp_path / "seen.txt")!r}, "a") as seen:
        seen.write(os.environ["PYTEST_XDIST_WORKER"] + " " + mockjobs.url + "\\n")
"""
    )
    pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider").assert_outcomes(passed=8)
    seen = {tuple(line.split()) for line in (tmp_path / "seen.txt").read_text().splitlines()}
    workers = {worker for worker, _ in seen}
    assert workers == {"gw0", "gw1"}
    assert len({url for _, url in seen}) == 2  # one server each


def test_a_leaked_server_is_stopped_at_session_end(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
from mockjobs import MockJobsServer

def test_leak():
    MockJobsServer(seed=1).start()
"""
    )
    before = set(RUNNING)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert set(RUNNING) == before


def test_nothing_is_written_to_disk(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_it(mockjobs):
    mockjobs.add_jobs([{}])
    mockjobs.reset(seed=3)
"""
    )
    before = sorted(p.name for p in pytester.path.rglob("*"))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    after = sorted(p.name for p in pytester.path.rglob("*") if "__pycache__" not in p.parts)
    assert after == [name for name in before if name != "__pycache__"]
