"""MockJobsServer: the mock API on a real HTTP server in a background thread, for tests."""

from __future__ import annotations

import contextlib
import http.client
import inspect
import json
import logging
import os
import socket
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TextIO

import waitress
from flask import Flask
from waitress import wasyncore
from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import InternalServerError

from .api.gate import ConnectionDropped
from .app import create_app
from .contract.control import FATE, FAULT_RULE
from .control import MockControl
from .errors import InvalidInput
from .mock.journal import RecordedRequest
from .mock.state import Mock
from .settings import APP_SETTINGS, SETTINGS, from_keywords, resolve
from .workers import Workers, remove_folder, shared_database

READY_TIMEOUT = 10.0  # seconds for a started server to answer
FOR_TESTS = {"port": 0, "quiet": True}  # where MockJobsServer's defaults differ from `serve`'s

RUNNING: weakref.WeakSet[MockJobsServer] = weakref.WeakSet()  # for the plugin's last word


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


class JSONErrorChannel(HTTPChannel):
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


class LoggedTask(Logged, WSGITask):
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


class MockJobsServer(MockControl):
    """The mock API served from a thread: `with MockJobsServer(seed=50) as server: server.url`.

    Its keywords are the settings (mockjobs.settings: seed, fixtures, strict, token, latency,
    lifecycle, ..., host, port, threads), given as Python values (`latency=(100, 300)` or
    `"100-300"`); those not given take their defaults, a free port for `port` and no access
    log (`quiet=False` writes one to sys.stdout). The environment plays no part: a test's
    server is what its code says. Usable without pytest.

    Its control (reset, add_jobs, arm_fault, advance_clock, requests, assert_request_made...)
    is MockControl's, the same as MockJobsClient's for a server elsewhere. `reset()` restores
    the data set in milliseconds (from a snapshot taken when it was first loaded).
    """

    def __init__(self, **settings: Any) -> None:
        values = resolve({**FOR_TESTS, **from_keywords(settings, "MockJobsServer")})
        self.host, self.port, self.threads = values["host"], values["port"], values["threads"]
        self.values = values
        self.token = values["token"]
        config = {SETTINGS[name].key: values[name] for name in APP_SETTINGS}
        config["ALLOWED_HOSTS"] = served_hosts(self.host, values["allowed_hosts"])
        folder = shared_database(config, values["workers"])
        try:
            self.app: Flask = create_app(config)
        except BaseException:
            remove_folder(folder)
            raise
        weakref.finalize(self, remove_folder, folder)  # with this object, or at exit
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._workers: Workers | None = None

    @property
    def mock(self) -> Mock:
        return self.app.extensions["mockjobs"]

    def start(self) -> MockJobsServer:
        """Listen (on a free port by default), serve from a thread, and return once it answers."""
        if self._thread is not None:
            raise RuntimeError("the server is running already")
        sock = listen(self.host, self.port)
        self.url = base_url(sock)
        bound = sock.getsockname()[0]  # the address the host resolved to answers too
        self.app.config["ALLOWED_HOSTS"] = (*self.app.config["ALLOWED_HOSTS"], bound)
        self._server = wsgi_server(self.app, sock, self.values)
        self._thread = threading.Thread(
            target=self._server.run, name=f"mockjobs {self.url}", daemon=True
        )
        self._thread.start()
        self._workers = Workers(self.values["workers"], sock, self.app.config, self.values).start()
        RUNNING.add(self)
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        """Stop serving, at once: the serving loop is woken, not polled."""
        if self._thread is None:
            return
        server, thread = self._server, self._thread
        if self._workers is not None:
            self._workers.stop()
        # Closing every channel from the loop's own thread empties its map, which ends the loop.
        with contextlib.suppress(OSError):  # the loop has ended already (its trigger is closed)
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(READY_TIMEOUT)
        server.task_dispatcher.shutdown(timeout=READY_TIMEOUT)
        self._server = self._thread = None
        RUNNING.discard(self)

    def __enter__(self) -> MockJobsServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        host, port = self.url.rsplit("//", 1)[1].rsplit(":", 1)
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=1)
            try:
                headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
                connection.request("GET", "/_mock/requests", headers=headers)
                status = connection.getresponse().status
                if status == 200:
                    return
                self.stop()
                raise RuntimeError(f"mockjobs on {self.url} answered {status} to its own check")
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"mockjobs did not answer on {self.url}") from None
                time.sleep(0.01)
            finally:
                connection.close()

    # -- the control, its arguments checked by MockControl ------------------------------------

    def add_jobs(self, records: Sequence[dict[str, Any]] | dict[str, Any]) -> list[dict[str, Any]]:
        return self.mock.add_jobs(records)

    def _reset(self, body: dict[str, Any]) -> None:
        self.mock.reset(**body)

    def _arm_fault(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.mock.faults.arm(FAULT_RULE.load(body))

    @property
    def faults(self) -> list[dict[str, Any]]:
        return self.mock.faults.rules()

    def clear_faults(self) -> None:
        self.mock.faults.clear()

    def _decide_fates(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        fate = FATE.load(body)
        return self.mock.batches.decide(fate["status"], fate["count"], fate["errors"])

    @property
    def fates(self) -> list[dict[str, Any]]:
        return self.mock.batches.fates()

    def clear_fates(self) -> None:
        self.mock.batches.forget_fates()

    @property
    def now(self) -> datetime:
        return self.mock.clock.now()

    def _advance_clock(self, seconds: float) -> datetime:
        try:
            return self.mock.advance_clock(seconds)
        except ValueError as error:  # beyond the latest instant a record holds
            raise InvalidInput([("seconds", str(error))], "advance_clock") from None

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.mock.journal.entries()

    def clear_requests(self) -> None:
        self.mock.journal.clear()


def keyword_signature() -> inspect.Signature:
    """MockJobsServer's signature as `help()` shows it: one keyword for each setting."""
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for name, setting in SETTINGS.items():
        default = FOR_TESTS.get(name, setting.default)
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=setting.kind.hint
            )
        )
    return inspect.Signature(parameters, return_annotation="None")


MockJobsServer.__init__.__signature__ = keyword_signature()  # type: ignore[attr-defined]
