"""MockJobsServer: the mock API on a real HTTP server in a background thread, for tests."""

from __future__ import annotations

import contextlib
import http.client
import inspect
import threading
import time
import weakref
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from flask import Flask
from waitress import wasyncore

from .app import create_app
from .contract.control import FATE, FAULT_RULE
from .control import MockControl
from .errors import InvalidInput
from .mock.journal import RecordedRequest
from .mock.state import Mock
from .settings import APP_SETTINGS, SETTINGS, from_keywords, resolve
from .workers import Workers, remove_folder, shared_database
from .wsgi import base_url, listen, served_hosts, wsgi_server

READY_TIMEOUT = 10.0  # seconds for a started server to answer
FOR_TESTS = {"port": 0, "quiet": True}  # where MockJobsServer's defaults differ from `serve`'s

RUNNING: weakref.WeakSet[MockJobsServer] = weakref.WeakSet()  # for the plugin's last word


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
        self._workers = Workers(self.values["workers"], sock, self.app.config, self.values)
        try:
            self._workers.start(self._server)
        except BaseException:  # out of descriptors, or interrupted while they start
            self.stop()
            raise
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
