"""The pytest plugin configured: ini options and markers, and a wrong one said in one line."""

from __future__ import annotations

import pytest

from mockjobs.server import RUNNING

from .test_plugin import COUNT_JOBS

pytest_plugins = ["pytester"]


def test_marker_and_ini_configuration(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
[pytest]
mockjobs_seed = 20
mockjobs_random_seed = 7
mockjobs_fixtures = data/extra.json
"""
    )
    (pytester.path / "data").mkdir()
    (pytester.path / "data" / "extra.json").write_text('[{"id": "from-ini"}]')
    (pytester.path / "mine.json").write_text('[{"id": "from-marker"}, {"id": "other"}]')
    pytester.makepyfile(
        COUNT_JOBS
        + """
import pytest

def test_ini(mockjobs):
    assert total(mockjobs) == 21
    assert total(mockjobs, id="from-ini") == 1

@pytest.mark.mockjobs(seed=5, fixtures=["mine.json"])
def test_marker(mockjobs):
    assert total(mockjobs) == 7
    assert total(mockjobs, id="from-marker") == 1

@pytest.mark.mockjobs(random_seed=99)
def test_marker_random_seed(mockjobs, mockjobs_client):
    assert total(mockjobs) == 21
    other = mockjobs_client.get("/api/v2/jobs?limit=1").get_json()["data"][0]["id"]
    mockjobs.reset(random_seed=7)
    assert mockjobs_client.get("/api/v2/jobs?limit=1").get_json()["data"][0]["id"] != other

def test_back_to_ini(mockjobs):
    assert total(mockjobs) == 21
"""
    )
    pytester.runpytest("-p", "no:cacheprovider", "--strict-markers").assert_outcomes(passed=4)


def test_the_marker_gives_a_test_an_app_of_its_own(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
[pytest]
mockjobs_seed = 20
mockjobs_strict = true
"""
    )
    pytester.makepyfile(
        COUNT_JOBS
        + """
import time, pytest, requests

SERVERS = {}

def status(server, headers=None, **params):
    return requests.get(server.url + "/api/v2/jobs", params=params, headers=headers or {},
                        timeout=10).status_code

def test_ini(mockjobs, mockjobs_server):
    assert mockjobs is mockjobs_server
    assert total(mockjobs) == 20 and status(mockjobs, nope=1) == 422
    SERVERS["ini"] = mockjobs

@pytest.mark.mockjobs(strict=False, seed=5)
def test_lax(mockjobs):
    assert mockjobs is not SERVERS["ini"]
    assert status(mockjobs, nope=1) == 200 and total(mockjobs) == 5
    SERVERS["lax"] = mockjobs

@pytest.mark.mockjobs(strict=False, seed=7)
def test_lax_again_shares_the_server(mockjobs):
    assert mockjobs is SERVERS["lax"] and total(mockjobs) == 7

@pytest.mark.mockjobs(strict=True, latency="0", seed=3)
def test_the_same_as_the_ini_is_the_session_server(mockjobs):
    assert mockjobs is SERVERS["ini"] and total(mockjobs) == 3

@pytest.mark.mockjobs(token="t", lifecycle=True, latency="50-60", seed=10)
def test_token_lifecycle_latency(mockjobs):
    assert status(mockjobs) == 401
    auth = {"Authorization": "Bearer t"}
    begin = time.perf_counter()
    assert status(mockjobs, auth) == 200
    assert time.perf_counter() - begin >= 0.05
    mockjobs.advance_clock(86400)
    assert status(mockjobs, auth, status="PENDING") == 200
    live = requests.get(mockjobs.url + "/api/v2/jobs?status=PENDING&status=RUNNING",
                        headers=auth, timeout=10).json()["pagination"]["total"]
    assert live == 0
    SERVERS["token"] = mockjobs

def test_back_to_the_ini(mockjobs):
    assert mockjobs is SERVERS["ini"] and total(mockjobs) == 20

def test_zz_servers_run_until_the_session_ends():
    assert all(server.url for server in SERVERS.values())
    assert len({id(server) for server in SERVERS.values()}) == 3
"""
    )
    before = set(RUNNING)
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=7)
    assert set(RUNNING) == before  # all three stopped


def test_markers_of_the_module_and_class_apply_the_closest_first(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        COUNT_JOBS
        + """
import pytest, requests

pytestmark = pytest.mark.mockjobs(seed=4, strict=True)

def refused(server):
    return requests.get(server.url + "/api/v2/jobs?nope=1", timeout=10).status_code == 422

def test_module(mockjobs):
    assert total(mockjobs) == 4 and refused(mockjobs)

@pytest.mark.mockjobs(seed=6)
class TestClass:
    def test_class(self, mockjobs):
        assert total(mockjobs) == 6 and refused(mockjobs)

    @pytest.mark.mockjobs(strict=False)
    def test_function(self, mockjobs):
        assert total(mockjobs) == 6 and not refused(mockjobs)
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


WRONG_MARKERS = {
    "jobs=5": "@pytest.mark.mockjobs: unknown keyword 'jobs' (it takes seed, random_seed, *",
    "seed='ten'": "@pytest.mark.mockjobs: seed: invalid value 'ten' (an integer >= 0)",
    "latency='slow'": "@pytest.mark.mockjobs: latency: invalid value 'slow' (MS or MIN-MAX*",
    "fixtures='a.json'": "@pytest.mark.mockjobs: fixtures: invalid value 'a.json' (a list *",
    "strict='yes'": "@pytest.mark.mockjobs: strict: invalid value 'yes' (true or false)",
    "host='x'": "@pytest.mark.mockjobs: unknown keyword 'host' *",
    "5": "@pytest.mark.mockjobs: takes keywords only, not (5,)",
}


@pytest.mark.parametrize(("arguments", "message"), WRONG_MARKERS.items(), ids=list(WRONG_MARKERS))
def test_a_wrong_marker_says_so_in_one_line(
    pytester: pytest.Pytester, arguments: str, message: str
) -> None:
    pytester.makepyfile(
        f"""
import pytest

@pytest.mark.mockjobs({arguments})
def test_it(mockjobs):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at setup of test_it*", message, "*short test summary*"], consecutive=True
    )
    assert "Traceback" not in result.stdout.str() and "During handling" not in result.stdout.str()


WRONG_INI = {
    "mockjobs_seed = ten": "mockjobs_seed: invalid value 'ten' (an integer >= 0)",
    "mockjobs_strict = maybe": "mockjobs_strict: invalid value 'maybe' (true or false)",
    "mockjobs_latency = 9-1": "mockjobs_latency: invalid value '9-1' (MS or MIN-MAX*",
    "mockjobs_error_rate = 2": "mockjobs_error_rate: invalid value '2' (a number from 0 to 1)",
}


@pytest.mark.parametrize(("line", "message"), WRONG_INI.items(), ids=list(WRONG_INI))
def test_a_wrong_ini_value_says_so_in_one_line(
    pytester: pytest.Pytester, line: str, message: str
) -> None:
    pytester.makeini(f"[pytest]\n{line}\n")
    pytester.makepyfile("def test_it(mockjobs):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert result.stderr.str().count("\n") <= 1 and "Traceback" not in result.stderr.str()


def test_every_app_setting_has_an_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
[pytest]
mockjobs_seed = 9
mockjobs_random_seed = 3
mockjobs_journal_size = 2
mockjobs_token = s3cret
mockjobs_latency = 0-1
mockjobs_lifecycle = true
mockjobs_error_rate = 0.5
mockjobs_strict = true
"""
    )
    pytester.makepyfile(
        """
def test_it(mockjobs):
    config = mockjobs.app.config
    assert (config["SEED"], config["RANDOM_SEED"], config["JOURNAL_SIZE"]) == (9, 3, 2)
    assert (config["TOKEN"], config["LATENCY"], config["LIFECYCLE"]) == ("s3cret", (0, 1), True)
    assert (config["ERROR_RATE"], config["STRICT"]) == (0.5, True)
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
