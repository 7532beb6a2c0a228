"""Progress of a long load or recording, on stderr: a bar on a terminal, bounded lines else."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar

import click

T = TypeVar("T")
PROGRESS_FROM = 50_000  # jobs: below this, loading takes a moment and shows no progress
PROGRESS_STEP = 0.1  # off a terminal, a line of progress for every tenth of the load done,
PROGRESS_EVERY = 2.0  # but not sooner than these seconds after the last one


def counted(items: Iterator[T], progress: Callable[[int], None]) -> Iterator[T]:
    """The items, telling `progress` of every thousand that passed."""
    for index, item in enumerate(items, 1):
        if index % 1000 == 0:
            progress(1000)
        yield item


@contextmanager
def progress_bar(total: int | None, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress callback for big loads, None for small ones: on stderr, a bar on a terminal,
    else lines (`ProgressLines`). Nothing is shown until the first items are counted."""
    if total is None or total < PROGRESS_FROM:
        yield None
        return
    if not sys.stderr.isatty():
        lines = ProgressLines(total, label.lower())
        yield lines
        lines.close()
        return
    with ExitStack() as stack:
        bars: list[Any] = []  # the bar, drawn from the first count on

        def update(count: int) -> None:
            if not bars:
                bar = click.progressbar(length=total, label=label, file=sys.stderr)
                bars.append(stack.enter_context(bar))
            bars[0].update(count)

        yield update


class ProgressLines:
    """Progress where no bar can be drawn (a pipe, a CI log), on stderr, bounded:

        mockjobs: loading jobs: 5,000 of 200,000 (2 %)
        mockjobs: loading jobs: 45,000 of 200,000 (22 %)

    one line at the first items, then one for every tenth of `total` done but no sooner than
    2 s after the last (a fast load says little), then the last count.
    """

    def __init__(self, total: int, label: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.label, self.clock = total, label, clock
        self.done = 0
        self.shown: int | None = None  # the count last shown
        self.shown_at = 0.0

    def __call__(self, count: int) -> None:
        self.done += count
        now = self.clock()
        if (
            self.shown is None
            or (self.done >= self.total > self.shown)  # the end, at once
            or (
                self.done - self.shown >= self.total * PROGRESS_STEP
                and now - self.shown_at >= PROGRESS_EVERY
            )
        ):
            self.show(now)

    def close(self) -> None:
        if self.shown is not None and self.shown != self.done:
            self.show(self.clock())

    def show(self, now: float) -> None:
        total = max(self.total, self.done)  # fixture files add jobs beyond the generated ones
        percent = self.done * 100 // total
        click.echo(f"mockjobs: {self.label}: {self.done:,} of {total:,} ({percent} %)", err=True)
        self.shown, self.shown_at = self.done, now


class Progress:
    """A recording's progress: lines on stderr, at most every PROGRESS_EVERY seconds, as
    `recorded 300 of 1,234 jobs` (its total grows as it finds more to fetch)."""

    def __init__(self, say: Callable[[str], None] | None, total: int = 0) -> None:
        self.say, self.total, self.done = say, total, 0
        self.what = "recorded {done} of {total} jobs"
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def phase(self, what: str, total: int, done: int = 0) -> None:
        self.what, self.total, self.done = what, total, done

    def advance(self, count: int = 1) -> None:
        with self.lock:
            self.done += count
            self.total = max(self.total, self.done)
            now = time.monotonic()
            if self.say is not None and now - self.last >= PROGRESS_EVERY:
                self.last = now
                self.say("mockjobs: " + self.line())

    def line(self) -> str:
        return self.what.format(done=f"{self.done:,}", total=f"{self.total:,}")
