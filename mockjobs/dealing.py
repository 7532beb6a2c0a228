"""Connections dealt in turn among the serving processes, so that each serves its share.

With several worker processes on one listening socket, the kernel gives each connection to
whichever process accepts first. Clients that keep their connections (a pool, a session, a
load generator) then stay where they landed: 8 connections split 6 and 2 as often as 4 and 4,
and the process with 6 queues its requests on one core while the other core waits (measured:
2,300 against 3,100 to 4,100 requests/s for the same load). Node's cluster module deals
connections itself for the same reason.

So only the serving process accepts. Its waitress server's channel class becomes a `Dealer`,
which keeps a connection or sends it, in turn, to a worker that serves (its descriptor passed
over the worker's Unix socket, its "hand"). A worker's `Taker` receives them into its own
waitress server, and says over its hand when it is full (at its `connection_limit`) and when
it has room again. A worker that is full, or whose hand fails (it has ended, or takes none:
its hand is full), leaves the connection with the serving process: a connection never waits
for a worker that cannot take it.
"""

from __future__ import annotations

import array
import contextlib
import socket
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from waitress import wasyncore

READY = b"R"  # a worker's first byte on its hand: it serves; later: it has room again
FULL = b"F"  # a worker is at its connection_limit (each byte sent to a worker: a connection)
# A worker ended: EPIPE, never SIGPIPE (a process embedding a server may have its default back).
QUIET = getattr(socket, "MSG_NOSIGNAL", 0)
TAKEN_AT_ONCE = 64  # connections a worker takes from its hand before serving its other sockets


def hands() -> tuple[socket.socket, socket.socket]:
    """A worker's hand: the serving process's end, and the worker's (to pass to it)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ours.setblocking(False)  # the serving loop never waits on a worker
    return ours, theirs


class Dealer:
    """The serving process's channel class: of the connections it accepts, each `len(hands) + 1`
    -th is kept (a channel of `channel_class`), the others sent to the worker whose turn it
    is. `hands` is read at every turn: a hand is None until its worker serves."""

    def __init__(self, channel_class: Callable[..., Any], hands: Sequence[socket.socket | None]):
        self.channel_class = channel_class
        self.hands = hands
        self.turn = 0
        self.full: weakref.WeakKeyDictionary[socket.socket, bool] = weakref.WeakKeyDictionary()

    def __call__(self, server: Any, conn: socket.socket, addr: Any, adj: Any, map: Any) -> Any:
        self.turn = (self.turn + 1) % (len(self.hands) + 1)
        hand = self.hands[self.turn - 1] if self.turn else None
        if hand is not None and self.has_room(hand):
            try:
                rights = array.array("i", [conn.fileno()])  # (send_fds drops its flags: 3.11)
                hand.sendmsg([b"C"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, rights)], QUIET)
            except OSError:  # the worker has ended, or its hand is full: kept here
                pass
            else:
                conn.close()  # the worker has it now
                return None
        return self.channel_class(server, conn, addr, adj, map=map)

    def has_room(self, hand: socket.socket) -> bool:
        """Whether the worker last said it has room (its latest word on its hand)."""
        try:
            said = hand.recv(64)
        except BlockingIOError:  # nothing new
            return not self.full.get(hand, False)
        except OSError:
            return False
        if not said:  # it has ended
            return False
        self.full[hand] = said[-1:] == FULL
        return not self.full[hand]


class Taker(wasyncore.dispatcher):
    """A worker's end of its hand, in its waitress server's map: each connection received
    becomes a channel of that server, as if the server had accepted it. The hand closing
    means the serving process has ended: `ended` is called."""

    def __init__(self, server: Any, hand: socket.socket, ended: Callable[[], None]) -> None:
        super().__init__(hand, map=server._map)
        self.server, self.ended = server, ended
        self.said_full = False

    def readable(self) -> bool:
        """Take connections while under the connection limit (as waitress accepts), and tell
        the dealer when that changes."""
        full = self.full()
        if full != self.said_full:
            self.said_full = full
            with contextlib.suppress(OSError):  # the serving process has ended: handle_read says
                self.socket.send(FULL if full else READY, QUIET)
        return not full

    def full(self) -> bool:
        """At the connection limit, as waitress counts it (every socket of the server's map)."""
        return len(self.server._map) >= self.server.adj.connection_limit

    def writable(self) -> bool:
        return False

    def handle_read(self) -> None:
        for _ in range(TAKEN_AT_ONCE):
            if self.full():
                return
            try:
                data, fds, _, _ = socket.recv_fds(self.socket, 1, 1)  # one byte, one connection
            except BlockingIOError:
                return
            if not data:
                self.close()
                self.ended()
                return
            for fd in fds:
                self.take(socket.socket(fileno=fd))

    def take(self, conn: socket.socket) -> None:
        try:
            addr = conn.getpeername()
        except OSError:  # the client has gone already
            conn.close()
            return
        server = self.server
        server.channel_class(server, conn, server.fix_addr(addr), server.adj, map=server._map)
