"""The versions a request reads (store.stamp): once a request, the statement skipped in memory
while no row changed, a file's on the thread's own connection (or another thread's read begun
since the request was received); every write seen by the next request, its own transaction's
included."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from waitress.adjustments import Adjustments

from mockjobs import MockJobsServer
from mockjobs.app import create_app
from mockjobs.data.generator import generate_jobs
from mockjobs.store import open_store
from mockjobs.store.base import STAMP, Store
from mockjobs.store.jobs import Jobs
from mockjobs.vocabulary import ticket
from mockjobs.wsgi import TimedParser

from .test_shared import WRITES, expected, listed


@pytest.fixture(params=["memory", "file"])
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An SQLite database in memory, or in a file (read by each thread on its own connection)."""
    return ":memory:" if request.param == "memory" else str(tmp_path / "mock.db")


@pytest.mark.parametrize("write", WRITES)
def test_a_write_in_process_is_seen_by_the_next_request(write: str, sqlite_url: str) -> None:
    app = create_app({"SEED": 20, "DB": sqlite_url})
    api, mock = app.test_client(), app.extensions["mockjobs"]
    before = listed(api)
    api.post("/_mock/jobs", json=[{}])
    job = before["data"][0]["id"]
    assert listed(api)["pagination"]["total"] == 21
    WRITES[write](mock.store, job)
    assert expected(write, before, job)(listed(api)), write


def test_repository_operations_bump_the_databases_version(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    jobs, version = Jobs(store), store.version()
    jobs.insert(generate_jobs(3))
    assert store.version() > version
    for operation in (
        lambda: jobs.update([(jobs.live()[0]["id"], jobs.live()[0]["status"], {"runs": 1})]),
        lambda: (store.snapshot("s"), jobs.clear()),
        lambda: store.restore("s"),
    ):
        version = store.version()
        operation()
        assert store.version() > version
    version = store.version()
    store.snapshot("t")  # copies: no data changed
    jobs.update([("no such job", "DONE", {"runs": 1})])  # nothing matched
    assert store.version() == version


def test_a_write_sees_its_own_version_and_a_rollback_leaves_it(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    jobs, version = Jobs(store), store.version()
    with pytest.raises(RuntimeError), store.writing():
        jobs.insert(generate_jobs(1))
        assert store.stamp()[0] > version  # not yet committed: seen by its own transaction
        raise RuntimeError("rolled back")
    assert store.version() == version
    assert [store.stamp()[0] for _ in range(2)] == [version] * 2


def test_a_file_is_read_where_it_was_opened_after_a_chdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("mock.db")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    Jobs(store).insert(generate_jobs(1))
    stamps: list[tuple[int, int]] = []
    thread = threading.Thread(target=lambda: stamps.append(store.stamp()))  # a new connection
    thread.start()
    thread.join()
    store.journal(5).append({"n": 1})
    assert stamps[0][0] == store.read_version() > 0
    assert list(elsewhere.iterdir()) == []  # no database made here, no journal
    store.close()


def test_a_request_kept_ready_costs_a_statement_at_most_and_sees_its_own_writes(
    sqlite_url: str,
) -> None:
    """The versions (data, rules, clock) are read once a request: in a file, on the thread's
    own connection; in memory, not at all while no row changed. The journal is not in the
    database. A request that writes the shared state reads them again."""
    app = create_app({"SEED": 20, "DB": sqlite_url})
    api, store = app.test_client(), app.extensions["mockjobs"].store
    api.get("/api/v2/jobs?limit=5")  # computed and kept, the versions read
    shared: list[str] = []
    own: list[str] = []
    store.database.connection().set_trace_callback(shared.append)
    if sqlite_url != ":memory:":
        store._readers.connection.set_trace_callback(own.append)
    assert [api.get("/api/v2/jobs?limit=5").status_code for _ in range(3)] == [200] * 3
    assert shared == []
    assert own == ([] if sqlite_url == ":memory:" else [STAMP] * 3)
    assert api.get("/_mock/requests?limit=1").get_json()["data"][0]["query"] == {"limit": ["5"]}

    rule = {"path": "/api/v2/jobs", "status": 500, "times": 1}
    assert api.post("/_mock/faults", json=rule).status_code == 201
    assert api.get("/api/v2/jobs?limit=5").status_code == 500
    assert api.get("/api/v2/jobs?limit=5").status_code == 200  # used up, in every process
    with store.moment():
        version = store.state_version()
        store.database.execute_sql("DELETE FROM mockjobs_fault")  # as another process might
        assert store.state_version() == version  # as it was at the moment's first look
    assert store.state_version() > version


def test_in_a_file_a_read_begun_after_a_request_was_received_serves_it(tmp_path: Path) -> None:
    """A write its client saw done came before the request was received: a read that began
    since then, by any thread, sees it, and serves the request; an older one never does."""
    store, other = open_store(str(tmp_path / "mock.db")), open_store(str(tmp_path / "mock.db"))
    received = ticket()
    first = store.read_stamp(received)
    Jobs(other).insert(generate_jobs(1))  # another process writes
    assert store.read_stamp(received) == first  # a read begun after the request was received
    after = ticket()  # a request received after the write
    assert store.read_stamp(after)[0] > first[0]
    with store.moment(after):  # as every request: its first look
        assert store.version() > first[0]
    store.close()
    other.close()


BATCH = {
    "sequence_builder": json.dumps({"version": "1", "device": {"name": "FRESNEL"}}),
    "jobs": [{"runs": 10}],
    "project_id": "a-project",
}


def test_a_request_sent_behind_a_write_on_its_connection_sees_it(tmp_path: Path) -> None:
    """Pipelined: the list is received with the batch's creation, before it is written, and
    another request reads the versions meanwhile. The list still shows the batch."""
    with MockJobsServer(seed=5, db=str(tmp_path / "mock.db"), latency=300) as server:
        listed = f"{server.url}/api/v1/batches?limit=100"
        requests.get(listed, timeout=10)  # the list kept, as it is before the batch
        body = json.dumps(BATCH).encode()
        host, port = server.url.rsplit("//", 1)[1].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /api/v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s"
                % (len(body), body)
                + b"GET /api/v1/batches?limit=100 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            )
            time.sleep(0.1)  # both received; the batch written after its 300 ms
            assert requests.get(f"{server.url}/api/v2/jobs?limit=1", timeout=10).status_code == 200
            with sock.makefile("rb") as answers:
                created, page = (read_answer(answers) for _ in range(2))
    assert created["data"]["id"] in [batch["id"] for batch in page["data"]]


def read_answer(answers: Any) -> Any:
    """The JSON of the next HTTP/1.1 answer on a connection's file."""
    length = 0
    while (line := answers.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(answers.read(length))


def test_a_request_is_stamped_with_when_waitress_received_it(monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    since: list[int | None] = []
    moment = Store.moment

    def recorded(store: Store, received: int | None = None) -> Any:
        since.append(received)
        return moment(store, received)

    monkeypatch.setattr(Store, "moment", recorded)
    with MockJobsServer(seed=3) as server:
        since.clear()
        before = ticket()
        assert requests.get(f"{server.url}/api/v2/jobs", timeout=10).status_code == 200
        assert len(since) == 1 and since[0] is not None and before < since[0] < ticket()


def test_a_request_knows_when_it_was_received_whole() -> None:
    parser = TimedParser(Adjustments())
    parser.received(b"GET /api/v2/jobs HTTP/1.1\r\nHost: x\r\n")
    assert not parser.completed and parser.received_at == 0
    before = ticket()
    parser.received(b"\r\n")
    assert parser.completed and before < parser.received_at < ticket()
