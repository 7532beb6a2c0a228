"""The mock's clock: the data set's own instant, moving with real time and explicit advances."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from .generator import NOW


class Clock:
    """Starts at the instant generated data is looked at (`generator.NOW`), when created.

    Real time moves it; `advance` jumps it forward, so that a test of a client's polling
    loop needs no waiting. `reset` goes back to the start.
    """

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self._lock = threading.Lock()
        self.reset()

    def now(self) -> datetime:
        with self._lock:
            elapsed = time.monotonic() - self._since
            return self.start + self._advanced + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._advanced += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._since = time.monotonic()
            self._advanced = timedelta()
