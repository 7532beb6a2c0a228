"""One mock for many processes: writes seen at once, and journal, faults, clock and data set shared.

The data version is kept by the database (triggers on every data table), so a write made any
way — through a repository, a reset, raw SQL, in this process or another — is seen by the
very next request. The fault rules, the clock and the configured data set live in the
database too, and the journal where every process reads it (store/journal.py), so that
several processes on one database behave as one mock.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from mockjobs.app import create_app
from mockjobs.data.generator import generate_jobs
from mockjobs.mock.datasets import DataSet
from mockjobs.store import Store, open_store
from mockjobs.store.jobs import Jobs

from .postgres import BACKENDS, fresh_schema
from .test_cli import serving

TIMEOUT = 30
ROOT = Path(__file__).resolve().parent.parent
# Writes that a process makes, given a store open on the database and a job's id.
WRITES: dict[str, Callable[[Store, str], object]] = {
    "insert": lambda store, job: Jobs(store).insert(generate_jobs(1, 99)),
    "update": lambda store, job: Jobs(store).update(
        [(job, Jobs(store).get(job)["status"], {"runs": 12345})]  # type: ignore[index]
    ),
    "clear": lambda store, job: Jobs(store).clear(),
    "restore": lambda store, job: store.restore(DataSet(seed=20).name),
    "raw SQL": lambda store, job: store.database.execute_sql("UPDATE job SET runs = 7"),
}
SCRIPT = """import sys
from mockjobs.store import open_store
from tests.test_shared import WRITES
store = open_store(sys.argv[2])
WRITES[sys.argv[1]](store, sys.argv[3])
store.close()
"""


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that several processes can open: an SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        yield str(tmp_path / "shared.db")
        return
    with fresh_schema(request.getfixturevalue("postgres_server")) as url:
        yield url


@contextmanager
def client_on(database: str) -> Iterator[FlaskClient]:
    """A test client of an app on `database`, reset to 20 generated jobs; its store closed after."""
    app = create_app({"DB": database, "SEED": 20, "RESET": True})
    try:
        yield app.test_client()
    finally:
        app.extensions["mockjobs"].store.close()


def listed(api: FlaskClient, query: str = "limit=100") -> dict:
    return api.get(f"/api/v2/jobs?{query}").get_json()


def expected(write: str, before: dict, job: str) -> object:
    """What the list shows after `write`."""
    return {
        "insert": lambda page: page["pagination"]["total"] == 22,
        "update": lambda page: next(j for j in page["data"] if j["id"] == job)["runs"] == 12345,
        "clear": lambda page: page["pagination"]["total"] == 0,
        "restore": lambda page: page["pagination"]["total"] == 20 and page == before,
        "raw SQL": lambda page: {j["runs"] for j in page["data"]} == {7},
    }[write]


@pytest.mark.parametrize("write", WRITES)
def test_a_write_from_another_process_is_seen_by_the_next_request(
    database: str, write: str
) -> None:
    with client_on(database) as api:
        before = listed(api)
        api.post("/_mock/jobs", json=[{}])  # 21 jobs: what a restore undoes
        job = before["data"][0]["id"]
        assert listed(api)["pagination"]["total"] == 21  # and the caches hold this version
        command = [sys.executable, "-c", SCRIPT, write, database, job]
        subprocess.run(command, check=True, timeout=TIMEOUT, cwd=ROOT)
        assert expected(write, before, job)(listed(api)), write


def get(url: str, path: str) -> requests.Response:
    return requests.get(url + path, timeout=TIMEOUT)


def total(url: str) -> int:
    return get(url, "/api/v2/jobs?limit=1").json()["pagination"]["total"]


def test_two_processes_on_one_database_are_one_mock(database: str) -> None:
    with ExitStack() as stack:
        first, _ = stack.enter_context(serving("--db", database, "--seed", "50", "--reset"))
        assert requests.post(f"{first}/_mock/jobs", json=[{}], timeout=TIMEOUT).status_code == 201
        # Started after a test added a job: the configured data set is still the first's 50.
        second, line = stack.enter_context(serving("--db", database, "--seed", "5"))
        assert "serving 51 jobs" in line and total(second) == 51

        # A fault armed through one fires exactly its times over both.
        rule = {"path": "/api/v2/jobs", "status": 500, "times": 3}
        assert requests.post(f"{first}/_mock/faults", json=rule, timeout=TIMEOUT).status_code == 201
        statuses = [
            get((second, first)[i % 2], "/api/v2/jobs?limit=1").status_code for i in range(8)
        ]
        assert statuses == [500, 500, 500, 200, 200, 200, 200, 200]
        assert get(second, "/_mock/faults").json()["data"][0]["times"] == 0

        # Each journal shows every process's requests.
        for url in (first, second):
            journal = get(url, "/_mock/requests").json()["data"]
            assert [entry["status"] for entry in journal][-8:] == statuses

        # One clock.
        advanced = requests.post(f"{first}/_mock/clock", json={"advance": 86400}, timeout=TIMEOUT)
        seen = get(second, "/_mock/clock").json()["now"]
        gap = instant(seen) - instant(advanced.json()["now"])
        assert 0 <= gap.total_seconds() < 5

        # A batch submitted through one is polled, cancelled and listed through the other.
        body = {
            "sequence_builder": None,
            "jobs": [{"runs": 5, "sequence": "{}"}] * 2,
            "project_id": "p",
        }
        batch = requests.post(f"{first}/api/v1/batches", json=body, timeout=TIMEOUT).json()["data"]
        assert (
            get(second, f"/api/v1/batches/{batch['id']}/status").json()["data"]["jobs_count"] == 2
        )
        cancel = requests.patch(f"{second}/api/v2/batches/{batch['id']}/cancel", timeout=TIMEOUT)
        assert cancel.json()["data"]["status"] == "CANCELED"
        assert get(first, "/api/v1/batches?limit=1").json()["data"][0]["status"] == "CANCELED"
        posted = [e for e in get(first, "/_mock/requests").json()["data"] if e["method"] == "POST"]
        assert posted[-1]["body"] == body

        # A reset through the later process restores the one configured data set, for both.
        assert requests.post(f"{second}/_mock/reset", json={}, timeout=TIMEOUT).status_code == 200
        assert get(first, "/_mock/requests").json()["data"] == []
        assert get(first, "/_mock/faults").json()["data"] == []
        assert get(first, "/_mock/clock").json()["now"] < advanced.json()["now"]
        assert total(first) == total(second) == 50
        assert get(first, f"/api/v2/batches/{batch['id']}").status_code == 404


def test_submitted_batches_outlive_the_server_with_a_database_file(tmp_path: Path) -> None:
    database = str(tmp_path / "kept.db")
    body = {"sequence_builder": "{}", "jobs": [{"runs": 5}], "project_id": "p", "tags": ["kept"]}
    with serving("--db", database, "--seed", "10") as (url, _):
        batch = requests.post(f"{url}/api/v1/batches", json=body, timeout=TIMEOUT).json()["data"]
    with serving("--db", database, "--seed", "10") as (url, line):
        assert "serving 11 jobs" in line
        again = get(url, f"/api/v2/batches/{batch['id']}").json()["data"]
        assert (again["tags"], again["jobs_count"]) == (["kept"], 1)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_database_of_no_known_data_set_is_served_and_reset_as_it_was(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    store = open_store(path)
    Jobs(store).insert(generate_jobs(7))
    store.database.execute_sql("DELETE FROM mockjobs_state")  # as an older mockjobs left it
    store.close()
    app = create_app({"DB": path, "SEED": 50})
    api = app.test_client()
    try:
        assert listed(api)["pagination"]["total"] == 7
        api.post("/_mock/jobs", json=[{}])
        assert api.post("/_mock/reset", json={}).status_code == 200
        assert listed(api)["pagination"]["total"] == 7
    finally:
        app.extensions["mockjobs"].store.close()


# Shared state that a process writes, given a store open on the database: raw SQL included,
# since each process keeps the fault rules and the named values until their version moves.
STATE_WRITES = {
    "a fault armed": "INSERT INTO mockjobs_fault (method, path, query, status, times, delay_ms,"
    """ "drop") VALUES ('GET', '/api/v2/jobs', '{}', 503, 1, 0, FALSE)""",
    "the clock moved": """UPDATE mockjobs_state SET value = '{"advanced": 864000000000,"""
    """ "since": 0}' WHERE key = 'clock'""",
}
STATE_SCRIPT = """import sys
from mockjobs.store import open_store
store = open_store(sys.argv[1])
with store.writing():
    store.database.execute_sql(sys.argv[2])
store.close()
"""


@pytest.mark.parametrize("write", STATE_WRITES)
def test_shared_state_written_by_another_process_is_seen_by_the_next_request(
    database: str, write: str
) -> None:
    with client_on(database) as api:
        clock = api.get("/_mock/clock").get_json()["now"]
        assert api.get("/api/v2/jobs").status_code == 200  # the rules and the clock are kept
        command = [sys.executable, "-c", STATE_SCRIPT, database, STATE_WRITES[write]]
        subprocess.run(command, check=True, timeout=TIMEOUT, cwd=ROOT)
        if write == "a fault armed":
            assert [api.get("/api/v2/jobs").status_code for _ in range(2)] == [503, 200]
        else:
            moved = instant(api.get("/_mock/clock").get_json()["now"]) - instant(clock)
            assert moved.days >= 9  # 10 days ahead of its start, not the second since
