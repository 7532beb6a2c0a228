"""Several server processes on one port and one database: the `workers` setting.

One Python process serves on one core. With `workers=N`, the process that serves (`mockjobs
serve`, or MockJobsServer's thread) is joined by N-1 worker processes: it accepts every
connection and deals them in turn to itself and to the workers that serve (dealing.py), and
each opens the same database, where
everything a request can see or change lives (the jobs and batches, the fault rules, the
clock, the data version that empties every process's caches; the journal in files of each
process beside it, store/journal_files.py), so that they behave
as one mock and a write is seen by the very next request, whichever process takes it. An
in-memory database cannot be shared: with several workers it becomes a file in a temporary
folder, removed when the server is done with it.

`Workers.start` returns once every worker serves (or has ended). A worker ends with the
process that started it (it watches its parent, and its hand closes), and a worker that dies
is started again: its turns stay with the serving process meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
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

from .dealing import READY, Dealer, Taker, hands
from .settings import APP_SETTINGS, SETTINGS
from .vocabulary import MEMORY

PART = "MOCKJOBS_WORKER"  # the environment variable that tells a worker process its part
HAND = "MOCKJOBS_WORKER_HAND"  # and the descriptor of its hand (dealing.py)
WATCH = 0.5  # seconds between a worker's looks at its parent, and the parent's at its workers
STARTING = 60.0  # seconds `start` waits for the workers to serve (a large database opens slowly)


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
        self.count = count - 1
        self.processes: list[subprocess.Popen[bytes]] = []
        self.hands: list[socket.socket | None] = []  # a worker's hand once it serves, else None
        self._starting: list[socket.socket | None] = []  # the hand of a worker not serving yet
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self, wsgi: Any) -> Workers:
        """Start the workers, and deal `wsgi`'s connections among it and them once they serve."""
        if not self.count:
            return self
        self.hands = [None] * self.count
        self._starting = [None] * self.count
        for number in range(self.count):
            self._spawn(number)
        wsgi.channel_class = Dealer(wsgi.channel_class, self.hands)
        deadline = time.monotonic() + STARTING
        while None in self.hands and time.monotonic() < deadline and self._serving(deadline):
            pass
        self._watcher = threading.Thread(target=self._watch, name="mockjobs workers", daemon=True)
        self._watcher.start()
        return self

    def _spawn(self, number: int) -> None:
        ours, theirs = hands()
        with theirs:
            try:
                process = subprocess.Popen(
                    [sys.executable, "-m", __name__],
                    env={**self.environ, HAND: str(theirs.fileno())},
                    pass_fds=[self.sock.fileno(), theirs.fileno()],
                )
            except BaseException:
                ours.close()
                raise
        if number < len(self.processes):
            self.processes[number] = process
        else:
            self.processes.append(process)
        self._starting[number] = ours

    def _serving(self, deadline: float | None = None) -> bool:
        """Take the hands of the workers that now serve, waiting until `deadline` for one (no
        deadline: not at all). False once none is starting any more (served, or ended)."""
        starting = [hand for hand in self._starting if hand is not None]
        if not starting:
            return False
        if deadline is not None:  # (poll, not select: a descriptor may be past 1024)
            with selectors.DefaultSelector() as selector:
                for hand in starting:
                    selector.register(hand, selectors.EVENT_READ)
                ready = selector.select(max(0, deadline - time.monotonic()))
            starting = [key.fileobj for key, _ in ready]  # type: ignore[misc]
        for number, hand in enumerate(self._starting):
            if hand is None or hand not in starting:
                continue
            try:
                said = hand.recv(1)
            except BlockingIOError:
                continue
            self._starting[number] = None
            if said == READY:
                self.hands[number] = hand
            else:  # it ended before serving: the watcher starts it again
                hand.close()
        return any(hand is not None for hand in self._starting)

    def _watch(self) -> None:
        """Start again a worker that died (its requests in flight are lost, as with any crash);
        deal to a worker started again once it serves."""
        while not self._stopping.wait(WATCH):
            for number, process in enumerate(self.processes):
                if process.poll() is not None and not self._stopping.is_set():
                    self._let_go(number)
                    with contextlib.suppress(OSError):  # out of descriptors: next time
                        self._spawn(number)
            self._serving()

    def _let_go(self, number: int) -> None:
        """Close worker `number`'s hand, serving or starting: it is dealt nothing more."""
        for kept in (self.hands, self._starting):
            hand, kept[number] = kept[number], None
            if hand is not None:
                hand.close()

    def stop(self) -> None:
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join()
        for number in range(len(self.hands)):  # dealt to nobody from now on
            self._let_go(number)
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
    """A worker process: serve the connections dealt to it until told to stop or orphaned."""
    from .app import create_app
    from .wsgi import wsgi_server

    part = json.loads(os.environ.pop(PART))
    sock = socket.socket(fileno=part["fd"])
    hand = socket.socket(fileno=int(os.environ.pop(HAND)))
    app = create_app(part["config"])
    wsgi = wsgi_server(app, sock, part["server"])
    wsgi.accepting = False  # the serving process accepts, and deals the connections

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
    hand.sendall(READY)
    Taker(wsgi, hand, ended=stop)
    wsgi.run()


if __name__ == "__main__":
    main()
