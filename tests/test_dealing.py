"""Connections dealt in turn among the serving processes (dealing.py): each serves its share."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import resource
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from mockjobs import MockJobsServer
from mockjobs.dealing import FULL, READY, Dealer, Taker, hands

from .test_cli import serving
from .test_workers import server_pid, wait_until, workers_of

reads_proc = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes in /proc")


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


@reads_proc
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


@reads_proc
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
    full, slow = hands()  # a worker that takes none: its hand fills
    full.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)  # whatever the machine's default
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


def test_a_worker_at_its_connection_limit_is_dealt_none_until_it_has_room() -> None:
    ours, theirs = hands()
    channels = Channels()
    dealer = Dealer(channels, [ours])
    with ours, theirs:
        theirs.sendall(FULL)  # as its Taker says at its limit
        for _ in range(4):  # its turns and the serving process's
            with socket.socket() as conn:
                dealer(None, conn, None, None, {})
        assert len(channels.given) == 4
        theirs.sendall(READY)  # room again
        with socket.socket() as first, socket.socket() as second:
            dealer(None, first, None, None, {})
            dealer(None, second, None, None, {})
            assert first.fileno() == -1 and len(channels.given) == 5  # dealt, then kept
        os.close(socket.recv_fds(theirs, 1, 1)[1][0])


def test_a_worker_says_when_it_is_full_and_when_it_has_room() -> None:
    ours, theirs = hands()
    server = SimpleNamespace(_map={}, adj=SimpleNamespace(connection_limit=4))
    with ours:
        taker = Taker(server, theirs, ended=lambda: None)  # in the map: 1 of 4
        server._map.update({-1: None, -2: None})
        assert taker.readable()
        with pytest.raises(BlockingIOError):
            ours.recv(8)  # nothing said while nothing changes
        server._map[-3] = None  # 4 of 4
        assert not taker.readable() and not taker.readable()
        assert ours.recv(8) == FULL  # said once
        del server._map[-3]
        assert taker.readable() and ours.recv(8) == READY
        taker.close()


def test_workers_start_with_descriptors_past_1024() -> None:
    """(select() refuses a descriptor past 1024: a long test process may well have one.)"""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"{hard} descriptors at most")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    opened = [os.dup(0) for _ in range(1100)]
    try:
        with MockJobsServer(seed=3, workers=2) as server:
            assert all(answered(server.url).close() is None for _ in range(4))
    finally:
        for fd in opened:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_an_ended_worker_never_signals_the_process_that_deals() -> None:
    """A process that embeds a server may have SIGPIPE's default back (it ends the process)."""
    script = """
import signal, socket
from mockjobs.dealing import Dealer, hands
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
ours, theirs = hands()
theirs.shutdown(socket.SHUT_RD)  # it takes nothing more, and has said nothing: as it dies
kept = []
with socket.socket() as conn:
    Dealer(lambda *args, **kw: kept.append(1), [ours])(None, conn, None, None, {})
print("kept" if kept else "sent")
"""
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert (ran.returncode, ran.stdout.strip()) == (0, "kept"), ran.stderr


@reads_proc
def test_the_journal_is_one_over_every_process_and_cleared_for_all() -> None:
    """SPEC 9 and 10: requests taken by either process are in the one journal, whichever
    process (or the Python API) reads it, and a clear through one clears it for all."""
    with MockJobsServer(seed=5, workers=2) as server:
        pids = [os.getpid(), *workers_of(os.getpid())]
        server.clear_requests()
        host, port = server.url.rsplit("//", 1)[1].rsplit(":", 1)
        held = []
        for number in range(8):  # kept open: dealt to each process in turn
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request("GET", f"/api/v2/jobs?limit={number}")
            assert connection.getresponse().read()
            held.append(connection)
        first, second = (serving_process(c.sock, pids) for c in held[:2])  # type: ignore[arg-type]
        assert {first, second} == set(pids)  # one on each process
        limits = sorted(int(entry.query["limit"][0]) for entry in server.requests)
        assert limits == list(range(8))
        assert [journal_total(c) for c in held[:2]] == [8, 8]  # as read by either process
        held[0].request("DELETE", "/_mock/requests")
        assert held[0].getresponse().read()
        assert [journal_total(c) for c in held[:2]] == [0, 0] and server.requests == []
        for connection in held:
            connection.close()


def journal_total(connection: http.client.HTTPConnection) -> int:
    """How many requests the journal holds, as the process holding `connection` reads it."""
    connection.request("GET", "/_mock/requests")
    return json.loads(connection.getresponse().read())["total"]  # type: ignore[no-any-return]
