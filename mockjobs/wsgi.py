"""Serving an app over HTTP with waitress: the listening socket, the Host names it answers,
JSON for the requests waitress itself refuses, and the access log.

`mockjobs serve`, MockJobsServer and the worker processes all serve through `wsgi_server`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

import waitress
from flask import Flask
from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import InternalServerError

from .api.gate import RECEIVED, ConnectionDropped
from .vocabulary import ticket


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one); OSError if it cannot be had."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        if os.name == "posix":  # a server restarted at once gets its port back (TIME_WAIT)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


WILDCARDS = ("", "0.0.0.0", "::")  # addresses that bind every interface


def served_hosts(host: str, allowed: Sequence[str]) -> tuple[str, ...]:
    """The Host names to answer when bound to `host`: those allowed, and the bound address
    (any, for a wildcard bind: the machine's names cannot all be known)."""
    bound = ("*",) if host in WILDCARDS else (host.strip("[]").lower(),)
    return (*allowed, *bound)


class JSONErrorTask(ErrorTask):
    """The answer waitress gives a request it cannot parse, in JSON like every other answer."""

    def execute(self) -> None:
        error = self.request.error
        body = json.dumps({"detail": f"{error.reason}: {error.body}"}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class TimedParser(HTTPRequestParser):
    """A request that knows when it was received whole (a `ticket`)."""

    received_at = 0

    def received(self, data: bytes) -> int:
        consumed: int = super().received(data)
        if self.completed and not self.received_at:
            self.received_at = ticket()
        return consumed


ONE_SEND = 1 << 20  # bytes of a body sent with its header (a larger one is not copied for it)


class OneSendTask(WSGITask):
    """An answer whose whole body the app gives at once (Flask's, of bytes) goes out with its
    header in one send, not two: each send lets another thread take the GIL, and two workers
    served about 7 % more."""

    def write(self, data: bytes) -> None:
        if (
            self.complete
            and not self.wrote_header
            and self.has_body
            and not self.chunked_response
            and data
            and self.content_length == len(data) <= ONE_SEND
        ):
            header = self.build_response_header()
            self.wrote_header = True
            self.content_bytes_written += len(data)
            self.channel.write_soon(header + data)
            return
        super().write(data)

    def get_environment(self) -> dict[str, Any]:
        # When the request was received, for its first look at the store: or, for one sent
        # behind another on its connection (pipelined), when that one was answered.
        environ: dict[str, Any] = super().get_environment()
        received = getattr(self.request, "received_at", 0)
        environ[RECEIVED] = max(received, getattr(self.channel, "answered_at", 0)) or None
        return environ

    def service(self) -> None:
        try:
            super().service()
        finally:  # before the channel hands the next request on it to a thread
            self.channel.answered_at = ticket()


class JSONErrorChannel(HTTPChannel):
    parser_class = TimedParser
    task_class = OneSendTask
    error_task_class = JSONErrorTask


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class AccessLog:
    """One line per request, the Common Log Format followed by the milliseconds it took:

        127.0.0.1 - - [02/Dec/2026:16:30:26 +0000] "GET /api/v2/jobs?limit=2 HTTP/1.1" 200 1234 3.1ms

    The request line is as received (its quotes, backslashes and unprintable characters
    escaped as \\xHH), the status the one sent, the size that of the body (`-`: none). A request
    that got no answer ends with what happened instead: `499 - 0.3ms dropped by a fault rule`,
    `... client disconnected`, `500 - 1.2ms failed (KeyError)`.

    A line is made whole, then written in one call to `stream` (sys.stdout as it is at that
    moment, by default), flushed unless the stream is line-buffered; nothing is shared between
    the threads but the stream's own buffer. A stream that fails (a closed pipe) ends the log,
    never a request.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.broken = False
        self._stamp = (0, "")  # (second, its text): made once a second, whatever the load

    def write(self, task: Any, started: float, elapsed: float, outcome: str = "") -> None:
        """The line of a waitress task served from `started` (time.time()) for `elapsed` s."""
        if self.broken or isinstance(getattr(task.request, "error", None), InternalServerError):
            return  # the 500 waitress sends for a task that failed: that task's line says so
        stream = self.stream or sys.stdout
        failed = outcome.startswith(" failed") and not task.wrote_header  # waitress sends a 500
        status = "500" if failed else task.status[:3]
        size = task.content_bytes_written or "-"
        line = (
            f'{task.channel.addr[0]} - - [{self.timestamp(started)}] "{request_line(task.request)}"'
            f" {status} {size} {elapsed * 1000:.1f}ms{outcome}\n"
        )
        try:
            stream.write(line)
            if not getattr(stream, "line_buffering", False):
                stream.flush()
        except (OSError, ValueError):  # closed, or a pipe nobody reads any more
            self.broken = True

    def timestamp(self, when: float) -> str:
        second = int(when)
        cached = self._stamp
        if cached[0] != second:
            t = time.gmtime(second)
            month = MONTHS[t.tm_mon - 1]
            text = f"{t.tm_mday:02d}/{month}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
            cached = self._stamp = (second, text)
        return cached[1]


def request_line(request: Any) -> str:
    """The request's first line as a log shows it: printable ASCII, `"` and `\\` escaped."""
    raw: bytes = getattr(request, "first_line", b"") or b"-"
    text = raw.decode("latin-1")
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return "".join(c if " " <= c < "\x7f" and c not in '"\\' else f"\\x{ord(c):02x}" for c in text)


class Logged:
    """A waitress task that writes its line of the access log once it has been served."""

    def service(self) -> None:
        started, clock, outcome = time.time(), time.perf_counter(), ""
        try:
            super().service()  # type: ignore[misc]
        except ConnectionDropped:
            outcome = " dropped by a fault rule"
            raise
        except ClientDisconnected:
            outcome = " client disconnected"
            raise
        except Exception as error:
            outcome = f" failed ({type(error).__name__})"
            raise
        finally:
            log = self.channel.server.access_log  # type: ignore[attr-defined]
            log.write(self, started, time.perf_counter() - clock, outcome)


class LoggedTask(Logged, OneSendTask):
    pass


class LoggedErrorTask(Logged, JSONErrorTask):
    pass


class LoggedChannel(JSONErrorChannel):
    task_class = LoggedTask
    error_task_class = LoggedErrorTask


def wsgi_server(app: Flask, sock: socket.socket, values: dict[str, Any]) -> Any:
    """The waitress server of `app` on `sock`, for `mockjobs serve` and MockJobsServer alike.

    Idle and trickling connections cost a socket each, never a worker: up to
    `connection_limit` of them are served by poll() (select() stops at 1024), each closed after
    `channel_timeout` seconds without progress. A body over the app's limit is refused before
    it is read. Unless `values["quiet"]`, every request is written to an AccessLog.
    """
    raise_file_limit(values["connection_limit"] + 64)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a busy mock is no warning
    wsgi = waitress.create_server(
        app,
        sockets=[sock],
        threads=values["threads"],
        connection_limit=values["connection_limit"],
        channel_timeout=values["channel_timeout"],
        asyncore_use_poll=True,
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
        ident="mockjobs",
    )
    wsgi.channel_class = JSONErrorChannel
    if not values["quiet"]:
        wsgi.access_log = AccessLog()
        wsgi.channel_class = LoggedChannel
    return wsgi


def raise_file_limit(wanted: int) -> None:
    """Let the process open `wanted` files (sockets), as far as its hard limit allows (POSIX)."""
    try:
        import resource
    except ImportError:  # not POSIX: the platform's own limits stand
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, ceiling), hard))


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def exposure_warning(host: str, token: str | None) -> str | None:
    """The one line said when a server others can reach needs no token."""
    if token or is_loopback(host):
        return None
    return (
        f"mockjobs: warning: serving on {host or '*'} without --token: anyone who can reach"
        " this machine can read and change the mock"
    )


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
