"""The pytest plugin pointed at an external server (MOCKJOBS_URL): reset, never started."""

from __future__ import annotations

import pytest

from mockjobs.server import RUNNING, MockJobsServer

pytest_plugins = ["pytester"]


EXTERNAL_TESTS = """
import pytest
import requests

from mockjobs import MockJobsClient

def total(server, **params):
    answer = requests.get(
        server.url + "/api/v2/jobs", params=params, headers={"Authorization": "Bearer t"}, timeout=10
    )
    return answer.json()["pagination"]["total"]

def test_a_client_of_the_server_there(mockjobs, mockjobs_server):
    assert isinstance(mockjobs, MockJobsClient) and mockjobs is mockjobs_server
    assert total(mockjobs) == 20  # the suite's data set, not the 3 jobs it was started with
    mockjobs.add_jobs([{"id": "gone"}])
    mockjobs.arm_fault(status=503)

def test_reset_before_each_test(mockjobs):
    assert mockjobs.requests == [] and mockjobs.faults == []
    assert total(mockjobs) == 20

@pytest.mark.mockjobs(seed=4)
def test_a_marker_s_data_set(mockjobs):
    assert total(mockjobs) == 4

@pytest.mark.mockjobs(strict=True)
def test_settings_of_its_own(mockjobs):
    raise AssertionError("not run")

@pytest.mark.mockjobs(journal_size=1000)
def test_settings_the_same_as_the_ini_s(mockjobs):
    assert total(mockjobs) == 20

def test_the_app_in_process(mockjobs_client):
    raise AssertionError("not run")
"""


@pytest.mark.parametrize("where", ["environment", "ini"])
def test_an_external_server_is_controlled_not_started(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    with MockJobsServer(seed=3, token="t") as outside:
        ini = "[pytest]\nmockjobs_seed = 20\nmockjobs_token = t\n"
        if where == "environment":
            monkeypatch.setenv("MOCKJOBS_URL", outside.url)
        else:
            ini += f"mockjobs_url = {outside.url}\n"
        pytester.makeini(ini)
        pytester.makepyfile(EXTERNAL_TESTS)
        before = set(RUNNING)
        result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
        result.assert_outcomes(passed=4, skipped=2)
        assert set(RUNNING) == before  # no server was started
        result.stdout.fnmatch_lines(
            [
                f"*@pytest.mark.mockjobs(strict=...) needs a server of its own; the mockjobs at"
                f" {outside.url} serves as it was started*",
                f"*mockjobs_client needs the app in this process, not the one at {outside.url}*",
            ]
        )
        assert outside.mock.dataset.seed == 20  # the suite reset it to its own


def test_an_external_server_that_does_not_answer_fails_in_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with MockJobsServer(seed=0) as gone:
        url = gone.url
    monkeypatch.setenv("MOCKJOBS_URL", url)
    pytester.makepyfile("def test_it(mockjobs):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*MOCKJOBS_URL: no mockjobs answers at {url}: *refused*"])
    assert "Traceback" not in result.stdout.str()


def test_an_external_server_is_not_shared_by_xdist_workers(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with MockJobsServer(seed=0) as outside:
        monkeypatch.setenv("MOCKJOBS_URL", outside.url)
        pytester.makepyfile("def test_it(mockjobs):\n    pass\n")
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*MOCKJOBS_URL: one mockjobs cannot be reset for several*"])
