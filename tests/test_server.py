"""MockJobsServer: a real server in a thread, its data, its journal and its assertions."""

from __future__ import annotations

import io
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests

from mockjobs import MockJobsServer
from mockjobs.server import RUNNING
from mockjobs.wsgi import AccessLog, JSONErrorChannel


def total(server: MockJobsServer, **params: str) -> int:
    return requests.get(f"{server.url}/api/v2/jobs", params=params, timeout=10).json()[
        "pagination"
    ]["total"]


def test_start_binds_a_free_port_and_answers_at_once() -> None:
    server = MockJobsServer(seed=30)
    assert server.start() is server
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert total(server) == 30
        assert server in RUNNING
    finally:
        server.stop()
    assert server not in RUNNING
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/v2/jobs", timeout=2)
    server.stop()  # stopping twice is harmless


def test_stop_closes_open_keep_alive_connections() -> None:
    with MockJobsServer(seed=5) as server, requests.Session() as session:
        assert session.get(f"{server.url}/api/v2/jobs", timeout=10).status_code == 200
    with pytest.raises(requests.ConnectionError):
        session.get(f"{server.url}/api/v2/jobs", timeout=2)


def test_an_answer_leaves_with_its_header_in_one_send(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[bytes] = []
    write_soon = JSONErrorChannel.write_soon

    def recorded(channel: JSONErrorChannel, data: bytes) -> int:
        written.append(bytes(data))
        return write_soon(channel, data)  # type: ignore[no-any-return]

    monkeypatch.setattr(JSONErrorChannel, "write_soon", recorded)
    with MockJobsServer(seed=5) as server:
        written.clear()
        page = requests.get(f"{server.url}/api/v2/jobs", params={"limit": 2}, timeout=10)
        [whole] = written
        written.clear()
        head = requests.head(f"{server.url}/api/v2/jobs", timeout=10)  # a header, no body
        [header] = written
    assert whole.startswith(b"HTTP/1.1 200 OK\r\n") and whole.endswith(b"\r\n\r\n" + page.content)
    assert (
        head.status_code == 200
        and header.startswith(b"HTTP/1.1 200")
        and header.endswith(b"\r\n\r\n")
    )


def test_two_servers_in_one_process_are_independent() -> None:
    with MockJobsServer(seed=10) as first, MockJobsServer(seed=20) as second:
        first.add_jobs([{"id": "only-in-first"}])
        assert (total(first), total(second)) == (11, 20)
        assert total(second, id="only-in-first") == 0


def test_add_jobs_returns_complete_records_and_reset_forgets_them() -> None:
    with MockJobsServer(seed=10) as server:
        (job,) = server.add_jobs([{"status": "ERROR", "origin": "OVH"}])
        assert job["status"] == "ERROR" and job["errors"] and job["end_timestamp"].endswith("Z")
        assert total(server, id=job["id"]) == 1
        server.reset()
        assert server.requests == []
        assert total(server) == 10


def test_add_jobs_is_all_or_nothing() -> None:
    with MockJobsServer(seed=10) as server:
        existing = requests.get(f"{server.url}/api/v2/jobs?limit=1", timeout=10).json()["data"][0][
            "id"
        ]
        with pytest.raises(ValueError, match="record 1: field 'id': duplicate id"):
            server.add_jobs([{"id": "new"}, {"id": existing}])
        with pytest.raises(ValueError, match="record 0: field 'runs'"):
            server.add_jobs([{"runs": "many"}])
        assert total(server) == 10


def test_reset_to_another_data_set_and_back() -> None:
    with MockJobsServer(seed=10) as server:
        server.reset(seed=3)
        assert total(server) == 3
        server.reset()  # the data set given last stays the configured one
        assert total(server) == 3
        server.reset(seed=10)
        assert total(server) == 10


def test_requests_are_journaled_oldest_first_and_bounded() -> None:
    with MockJobsServer(seed=5, journal_size=3) as server:
        for limit in range(1, 6):
            requests.get(
                f"{server.url}/api/v2/jobs",
                params={"limit": limit, "status": ["DONE", "ERROR"]},
                timeout=10,
            )
        entries = server.requests
        assert [entry.query["limit"] for entry in entries] == [["3"], ["4"], ["5"]]
        assert entries[0].query["status"] == ["DONE", "ERROR"]
        assert (entries[0].method, entries[0].path, entries[0].status) == (
            "GET",
            "/api/v2/jobs",
            200,
        )
        assert entries[0].headers["Host"] == server.url.removeprefix("http://")
        server.clear_requests()
        assert server.requests == []


def test_assert_request_made() -> None:
    with MockJobsServer(seed=5) as server:
        requests.get(f"{server.url}/api/v2/jobs", params={"status": "DONE", "limit": 2}, timeout=10)
        requests.get(f"{server.url}/api/v2/jobs", params={"status": "DONE", "limit": 3}, timeout=10)
        assert len(server.assert_request_made("/api/v2/jobs", query={"status": "DONE"})) == 2
        server.assert_request_made("/api/v2/jobs", query={"status": ["DONE"], "limit": 2}, count=1)
        server.assert_request_made("/api/v2/jobs", query={"status": "DONE", "limit": 3}, exact=True)
        with pytest.raises(
            AssertionError,
            match=r"expected 1 request\(s\) like GET /api/v2/jobs\?status=DONE, got 2",
        ):
            server.assert_request_made("/api/v2/jobs", query={"status": "DONE"}, count=1)
        with pytest.raises(AssertionError, match="closest") as error:
            server.assert_request_made("/api/v2/jobs", query={"status": "ERROR"})
        assert "GET /api/v2/jobs?status=DONE&limit=2 -> 200" in str(error.value)
        with pytest.raises(AssertionError, match="like POST"):
            server.assert_request_made("/api/v2/jobs", method="POST")
        server.assert_request_made("/api/v2/jobs", query={"status": "DONE"}, method="post", count=0)


def test_no_request_received_says_so() -> None:
    with (
        MockJobsServer(seed=0) as server,
        pytest.raises(AssertionError, match="No request was received"),
    ):
        server.assert_request_made("/api/v2/jobs")


def test_resets_while_clients_read_never_show_half_a_data_set() -> None:
    with MockJobsServer(seed=200, threads=4) as server:
        stop = threading.Event()

        def read() -> set[int]:
            seen = set()
            with requests.Session() as session:
                for _ in range(60):
                    seen.add(
                        session.get(f"{server.url}/api/v2/jobs?limit=1", timeout=10).json()[
                            "pagination"
                        ]["total"]
                    )
            return seen

        def churn() -> None:
            while not stop.is_set():
                server.add_jobs([{}] * 5)
                server.reset()

        writer = threading.Thread(target=churn)
        writer.start()
        try:
            with ThreadPoolExecutor(4) as pool:
                seen = set().union(*pool.map(lambda _: read(), range(4)))
        finally:
            stop.set()
            writer.join()
        assert seen <= {200, 205}


def test_port_in_use_is_an_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = MockJobsServer(seed=0, port=taken.getsockname()[1])
        with pytest.raises(OSError):
            server.start()


def test_no_access_log_unless_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    with MockJobsServer(seed=3) as server:
        assert requests.get(f"{server.url}/api/v2/jobs", timeout=10).status_code == 200
    assert capsys.readouterr().out == ""
    with MockJobsServer(seed=3, quiet=False) as server:
        assert requests.get(f"{server.url}/api/v2/jobs?limit=1", timeout=10).status_code == 200
    lines = capsys.readouterr().out.splitlines()  # stopped: every worker has written its line
    assert [line.split('"')[1] for line in lines] == [
        "GET /_mock/requests HTTP/1.1",  # start() asking whether it answers
        "GET /api/v2/jobs?limit=1 HTTP/1.1",
    ]


def test_an_access_log_line_and_a_stream_that_fails() -> None:
    task = SimpleNamespace(
        request=SimpleNamespace(first_line=b'GET /\xe9t\xe9?q="\\" HTTP/1.1'),
        status="200 OK",
        content_bytes_written=512,
        channel=SimpleNamespace(addr=("::1", 50000, 0, 0)),
    )
    stream = io.StringIO()
    AccessLog(stream).write(task, 365 * 86400 + 43200.9, 0.01234)
    assert stream.getvalue() == (
        '::1 - - [01/Jan/1971:12:00:00 +0000] "GET /\\xe9t\\xe9?q=\\x22\\x5c\\x22 HTTP/1.1" 200 512'
        " 12.3ms\n"
    )
    stream.close()
    log = AccessLog(stream)
    log.write(task, 0.0, 0.001)  # no exception: the request is served, the log ends
    assert log.broken
