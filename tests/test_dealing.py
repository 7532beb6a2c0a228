"""Connections dealt in turn among the serving processes (dealing.py): each serves its share."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
from collections import Counter
from pathlib import Path

import pytest

from mockjobs import MockJobsServer
from mockjobs.dealing import Dealer, hands

from .test_cli import serving
from .test_workers import server_pid, wait_until, workers_of

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes in /proc")


def serving_process(client: socket.socket, pids: list[int]) -> int | None:
    """Which of `pids` holds the server's end of the connection `client` (None: none of them)."""
    server_port, client_port = client.getpeername()[1], client.getsockname()[1]
    ends = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
            if (local, remote) == (server_port, client_port):
                ends.add(f"socket:[{fields[9]}]")
    for pid in pids:
        with contextlib.suppress(OSError):  # a process ending, or a descriptor closed meanwhile
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in ends:
                        return pid
    return None


def answered(url: str) -> http.client.HTTPConnection:
    """A new connection to `url` that has had its answer (so some process holds it)."""
    host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/api/v2/jobs?limit=1")
    assert connection.getresponse().read() and connection.sock is not None
    return connection


def test_kept_connections_are_shared_evenly_among_the_processes() -> None:
    """Eight connections that stay open, on two processes: four each, every time (the
    kernel's choice split them 6 and 2 as often as 4 and 4)."""
    with MockJobsServer(seed=10, workers=2) as server:
        pids = [os.getpid(), *workers_of(os.getpid())]
        assert len(pids) == 2
        connections = [answered(server.url) for _ in range(8)]
        held = Counter(serving_process(c.sock, pids) for c in connections)  # type: ignore[arg-type]
        for connection in connections:
            connection.close()
    assert held == {pids[0]: 4, pids[1]: 4}


def test_a_worker_started_again_is_dealt_connections_once_it_serves() -> None:
    with serving("--seed", "20", "--workers", "2", "--quiet") as (url, _):
        pid = server_pid()
        [worker] = workers_of(pid)
        os.kill(worker, signal.SIGKILL)  # (a connection dealt to it as it dies is lost with it)
        wait_until(lambda: workers_of(pid) and workers_of(pid) != [worker])
        [again] = workers_of(pid)
        for _ in range(10):  # while it starts, the serving process keeps every connection
            answered(url).close()

        def dealt_to_it() -> bool:
            connection = answered(url)
            try:
                return serving_process(connection.sock, [again]) == again  # type: ignore[arg-type]
            finally:
                connection.close()

        wait_until(dealt_to_it)


class Channels:
    """A channel class that records the connections it was given."""

    def __init__(self) -> None:
        self.given: list[int] = []  # their descriptors

    def __call__(self, server: object, conn: socket.socket, addr: object, adj: object, map: object) -> None:  # fmt: skip
        self.given.append(conn.fileno())


def test_the_dealer_sends_each_connection_in_turn_over_a_workers_hand() -> None:
    ours, theirs = hands()
    channels = Channels()
    dealer = Dealer(channels, [ours])
    with ours, theirs, socket.socket() as first, socket.socket() as second:
        kept = second.fileno()
        dealer(None, first, None, None, {})
        dealer(None, second, None, None, {})
        data, fds, _, _ = socket.recv_fds(theirs, 1, 1)
        assert data == b"C" and len(fds) == 1 and first.fileno() == -1  # sent, and closed here
        os.close(fds[0])
        assert channels.given == [kept]  # the serving process's own turn


def test_a_connection_a_worker_cannot_take_stays_with_the_serving_process() -> None:
    ended, gone = hands()  # a worker that has ended: its end closed
    gone.close()
    full, slow = hands()  # a worker that takes none: its hand fills (after some 280 here)
    channels = Channels()
    with ended, full, slow:
        dealer = Dealer(channels, [ended, None, full])  # None: a worker not serving yet
        for _ in range(4000):  # 1,000 turns each
            with socket.socket() as conn:  # closed here if it stays
                dealer(None, conn, None, None, {})
        slow.setblocking(False)
        sent = 0
        with contextlib.suppress(BlockingIOError):
            while True:
                _, fds, _, _ = socket.recv_fds(slow, 1, 1)
                sent += 1
                os.close(fds[0])
    assert 0 < sent < 1000  # the full hand took some, then none
    assert len(channels.given) == 4000 - sent  # and every other one was served here
