"""MockJobsClient: the control of a mockjobs elsewhere, the same as MockJobsServer's own.

Every test of the control runs twice: through the server in process, and through a
MockJobsClient of that server over HTTP. What differs (a server elsewhere that does not
answer, a wrong token, a URL that is no mockjobs) is tested on the client alone, and once
against `mockjobs serve` in another process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from mockjobs import (
    InvalidInput,
    MockControl,
    MockJobsClient,
    MockJobsError,
    MockJobsServer,
    Refused,
    ServerUnavailable,
    UnexpectedAnswer,
)
from mockjobs.vocabulary import DEFAULT_RANDOM_SEED
from tests.test_cli import serving

JOBS = "/api/v2/jobs"
TOKEN = "s3cret"


@pytest.fixture(scope="module")
def server() -> Iterator[MockJobsServer]:
    with MockJobsServer(seed=30, token=TOKEN) as server:
        yield server


@pytest.fixture(params=["server", "client"])
def control(request: pytest.FixtureRequest, server: MockJobsServer) -> MockControl:
    """The same server, controlled in process or over HTTP; reset to its 30 jobs."""
    server.reset(seed=30, random_seed=DEFAULT_RANDOM_SEED, fixtures=())
    return server if request.param == "server" else MockJobsClient(server.url, TOKEN)


def get(control: MockControl, path: str = JOBS, **params: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return requests.get(control.url + path, params=params, headers=headers, timeout=10)


def total(control: MockControl, **params: object) -> int:
    return get(control, **params).json()["pagination"]["total"]


def test_reset_forgets_jobs_faults_fates_journal_and_clock(control: MockControl) -> None:
    added = control.add_jobs([{"id": "mine", "status": "ERROR"}])
    assert added[0]["id"] == "mine" and added[0]["errors"]  # completed: an ERROR has errors
    control.arm_fault("/nowhere", status=503)
    control.decide_fates("ERROR", 2)
    start = control.now
    control.advance_clock(3600)
    assert total(control) == 31
    control.reset()
    assert total(control) == 30
    assert control.faults == [] and control.fates == []
    assert [request.path for request in control.requests] == [JOBS]  # the one just made
    assert control.now - start < timedelta(seconds=60)


def test_reset_to_another_data_set_which_stays(control: MockControl, tmp_path: Path) -> None:
    fixture = tmp_path / "two.json"
    fixture.write_text(json.dumps([{"id": "a"}, {"id": "b"}]))
    control.reset(seed=5, fixtures=[fixture])
    assert total(control) == 7
    control.add_jobs([{"id": "c"}])
    control.reset()  # the data set given last is the configured one now
    assert total(control) == 7
    assert total(control, id=["a", "b"]) == 2


def test_faults_are_armed_listed_and_cleared(control: MockControl) -> None:
    rule = control.arm_fault(status=503, times=1, retry_after=2)
    assert rule["id"] >= 1 and rule["path"] == JOBS and rule["times"] == 1
    answer = get(control)
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "2")
    assert get(control).status_code == 200
    assert [r["times"] for r in control.faults] == [0]  # used up, still listed
    control.clear_faults()
    assert control.faults == []


def test_fates_are_decided_listed_and_cleared(control: MockControl) -> None:
    pending = control.decide_fates("ERROR", 2, ["boom"])
    assert pending == [{"status": "ERROR", "errors": ["boom"]}] * 2
    assert control.decide_fates("DONE") == [*pending, {"status": "DONE", "errors": []}]
    assert len(control.fates) == 3
    control.clear_fates()
    assert control.fates == []


def test_the_clock_moves_forward(control: MockControl) -> None:
    before = control.now
    after = control.advance_clock(86400)
    assert timedelta(days=1) <= after - before < timedelta(days=1, seconds=60)
    assert control.now >= after


def test_the_journal_and_its_assertions(control: MockControl) -> None:
    get(control, status="DONE", limit=5)
    get(control, "/api/v2/jobs/nope")
    assert [(r.method, r.path, r.status) for r in control.requests] == [
        ("GET", JOBS, 200),
        ("GET", "/api/v2/jobs/nope", 404),
    ]
    assert control.requests[0].headers["Authorization"] == "Bearer …"  # never the secret
    assert len(control.assert_request_made(JOBS, {"status": "DONE"}, count=1)) == 1
    with pytest.raises(AssertionError, match=r"(?s)like GET /api/v2/jobs\?status=ERROR.*closest"):
        control.assert_request_made(JOBS, {"status": "ERROR"})
    control.clear_requests()
    assert control.requests == []


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        (lambda c: c.arm_fault(status=418), ["status"]),
        (lambda c: c.arm_fault("api/v2/jobs", status=503), ["path"]),
        (lambda c: c.arm_fault(status=503, colour="red"), ["colour"]),
        (lambda c: c.arm_fault(status=503, query={"status": 1}), ["query.status"]),
        (lambda c: c.decide_fates("DONE", errors=["x"]), ["errors"]),
        (lambda c: c.decide_fates("PENDING", count=0), ["status", "count"]),
        (lambda c: c.advance_clock(-1), ["seconds"]),
        (lambda c: c.reset(seed=-1), ["seed"]),
        (lambda c: c.reset(fixtures="one.json"), ["fixtures"]),
        (lambda c: c.add_jobs([{"status": "NOPE"}, {"runs": "x"}]), ["0.status", "1.runs"]),
        (lambda c: c.add_jobs([{"id": "dup"}, {"id": "dup"}]), ["1.id"]),
    ],
)
def test_bad_arguments_are_invalid_input_naming_the_field_and_change_nothing(
    control: MockControl, call: object, fields: list[str]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        call(control)  # type: ignore[operator]
    assert raised.value.fields == fields
    assert isinstance(raised.value, MockJobsError) and isinstance(raised.value, ValueError)
    assert "\n" not in str(raised.value) and fields[0].split(".")[-1] in str(raised.value)
    assert control.faults == [] and control.fates == []
    assert total(control) == 30


def test_a_fixture_the_server_cannot_read_changes_nothing(
    control: MockControl, tmp_path: Path
) -> None:
    control.add_jobs([{"id": "kept"}])
    with pytest.raises(InvalidInput, match=r"nowhere\.json: cannot read") as raised:
        control.reset(seed=3, fixtures=[tmp_path / "nowhere.json"])
    assert raised.value.fields == ["fixtures"]
    assert total(control) == 31  # neither reset nor switched
    control.reset()
    assert total(control) == 30  # the configured data set is still the 30 jobs


def test_more_fates_than_kept_are_refused(control: MockControl) -> None:
    control.decide_fates("DONE", 10_000)
    with pytest.raises(Refused, match="At most 10000 fates"):
        control.decide_fates("DONE")


# -- the client alone ------------------------------------------------------------------------


def test_no_server_there_is_server_unavailable() -> None:
    with MockJobsServer(seed=0) as gone:
        url = gone.url
    with pytest.raises(ServerUnavailable, match=f"no mockjobs answers at {url}"):
        MockJobsClient(url).reset()


def test_a_wrong_or_missing_token_is_an_unexpected_answer(server: MockJobsServer) -> None:
    for token in (None, "wrong"):
        with pytest.raises(UnexpectedAnswer, match=r"HTTP 401.*--token") as raised:
            MockJobsClient(server.url, token).faults  # noqa: B018
        assert raised.value.status == 401


def test_a_url_that_is_no_mockjobs_says_so(server: MockJobsServer) -> None:
    with pytest.raises(ServerUnavailable, match="is this a mockjobs"):
        MockJobsClient(server.url + "/api/v2", TOKEN).faults  # noqa: B018


@pytest.mark.parametrize("url", ["ftp://host/x", "http://", "http://host:port", "localhost:8000"])
def test_a_malformed_url_is_invalid_input(url: str) -> None:
    with pytest.raises(InvalidInput, match="url: expected http") as raised:
        MockJobsClient(url)
    assert raised.value.fields == ["url"]


def test_controls_a_mockjobs_serve_in_another_process() -> None:
    with serving("--seed", "12", "--token", TOKEN, "--quiet") as (url, _):
        client = MockJobsClient(url + "/", TOKEN)
        assert client.url == url
        client.add_jobs({"jobs": [{"id": "remote", "batch_id": "b1"}]})
        client.arm_fault(status=429, times=1)
        assert get(client).status_code == 429
        assert total(client, batch_id="b1") == 1
        client.assert_request_made(JOBS, {"batch_id": "b1"}, count=1)
        assert [r.status for r in client.requests] == [429, 200]
        client.reset(seed=4)
        assert total(client) == 4


def test_a_bad_setting_of_mockjobs_server_is_mockjobs_s_own_error() -> None:
    with pytest.raises(MockJobsError, match=r"MockJobsServer: seed: invalid value 'x'"):
        MockJobsServer(seed="x")
