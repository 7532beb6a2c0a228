"""Several server processes on one port and one database: the `workers` setting.

One Python process serves on one core. With `workers=N`, the process that serves (`mockjobs
serve`, or MockJobsServer's thread) is joined by N-1 worker processes: each accepts on the same
listening socket, which the kernel shares among them, and opens the same database, where
everything a request can see or change lives (the jobs and batches, the fault rules, the
clock, the data version that empties every process's caches; the journal in files of each
process beside it, store/journal_files.py), so that they behave
as one mock and a write is seen by the very next request, whichever process takes it. An
in-memory database cannot be shared: with several workers it becomes a file in a temporary
folder, removed when the server is done with it.

A worker ends with the process that started it (it watches its parent), and a worker that
dies is started again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .settings import APP_SETTINGS, SETTINGS
from .vocabulary import MEMORY

PART = "MOCKJOBS_WORKER"  # the environment variable that tells a worker process its part
WATCH = 0.5  # seconds between a worker's looks at its parent, and the parent's at its workers


def shared_database(config: dict[str, Any], workers: int) -> str | None:
    """With several workers, an in-memory database becomes a temporary file (`config["DB"]`).

    Returns the temporary folder that holds it, for `remove_folder` when the server is done.
    """
    if workers <= 1 or config["DB"] != MEMORY:
        return None
    folder = tempfile.mkdtemp(prefix="mockjobs-")
    config["DB"] = str(Path(folder) / "mockjobs.db")
    return folder


def remove_folder(folder: str | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class Workers:
    """`count` - 1 worker processes serving `sock` with the app of `config` (an app's config:
    its settings are the workers', its DB shared; a worker never resets the database).

    `server` holds the waitress settings (threads, connection_limit, channel_timeout, quiet).
    """

    def __init__(
        self, count: int, sock: socket.socket, config: Mapping[str, Any], server: dict[str, Any]
    ) -> None:
        self.sock = sock
        settings = {SETTINGS[name].key: config[SETTINGS[name].key] for name in APP_SETTINGS}
        settings["RESET"] = False
        part = {"fd": sock.fileno(), "config": settings, "server": server, "parent": os.getpid()}
        self.environ = {**os.environ, PART: json.dumps(part)}
        self.processes: list[subprocess.Popen[bytes]] = []
        self.count = count - 1
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self) -> Workers:
        self.processes = [self._spawn() for _ in range(self.count)]
        if self.count:
            self._watcher = threading.Thread(target=self._watch, name="mockjobs workers", daemon=True)  # fmt: skip
            self._watcher.start()
        return self

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", __name__], env=self.environ, pass_fds=[self.sock.fileno()]
        )

    def _watch(self) -> None:
        """Start again a worker that died (its requests in flight are lost, as with any crash)."""
        while not self._stopping.wait(WATCH):
            for number, process in enumerate(self.processes):
                if process.poll() is not None and not self._stopping.is_set():
                    self.processes[number] = self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join()
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = []


def main() -> None:
    """A worker process: serve the inherited socket until told to stop or orphaned."""
    from .app import create_app
    from .wsgi import wsgi_server

    part = json.loads(os.environ.pop(PART))
    sock = socket.socket(fileno=part["fd"])
    app = create_app(part["config"])
    wsgi = wsgi_server(app, sock, part["server"])

    def stop(*_: Any) -> None:
        wsgi.close()  # ends run(): its loop has nothing left to watch
        os._exit(0)

    def watch_parent() -> None:
        while os.getppid() == part["parent"]:
            time.sleep(WATCH)
        stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the parent decides
    threading.Thread(target=watch_parent, daemon=True).start()
    wsgi.run()


if __name__ == "__main__":
    main()
