"""The mock's clock: the data set's own instant, moving with real time and explicit advances."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from ..data.generator import NOW
from ..store.state import Values
from ..vocabulary import LATEST, format_timestamp

KEY = "clock"


class Clock:
    """Starts at the instant generated data is looked at (`generator.NOW`) when reset.

    Real time moves it; `advance` jumps it forward, so that a test of a client's polling loop
    needs no waiting. Kept in the store, so that every process sharing it has the one clock
    (real time is wall-clock time, the one time processes share).
    """

    def __init__(self, values: Values, start: datetime = NOW) -> None:
        self.values, self.start = values, start
        if values.get(KEY) is None:
            self.reset()

    def now(self) -> datetime:
        state = self.values.get(KEY) or {"advanced": 0, "since": time.time()}
        return (
            self.start
            + timedelta(microseconds=state["advanced"])
            + timedelta(seconds=time.time() - state["since"])
        )

    def advance(self, seconds: float) -> datetime:
        """Jump forward; a ValueError if that would pass the latest instant a record holds."""
        if self.now() + timedelta(seconds=seconds) >= LATEST:
            raise ValueError(f"the clock cannot reach {format_timestamp(LATEST)}")
        with self.values.store.writing():  # one advance at a time, over every process
            state = self.values.get(KEY)
            state["advanced"] += round(seconds * 1_000_000)
            self.values.set(KEY, state)
        return self.now()

    def reset(self) -> None:
        self.values.set(KEY, {"advanced": 0, "since": time.time()})
