"""Jobs that live: queued jobs start, running ones progress and finish.

Jobs submitted through the API always live; the data set's own jobs live with lifecycle on
(`everything`). The rules are the domain's (`domain.jobs.advance_batch`); this module
applies them to the store, and brings the batches' summaries in step (`refresh`). Only
status changes are written: a running job's progress is computed when it is read
(`live_progress`), so that repeated reads of unchanged data hit the caches. Everything
follows from the jobs and the clock, so a jump of the clock lands where waiting would have.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import groupby
from typing import Any

from ..domain.batches import summary
from ..domain.jobs import Run, advance_batch
from ..store.batches import Batches
from ..store.jobs import Jobs


def refresh(jobs: Jobs, batches: Batches, batch_ids: Iterable[str]) -> None:
    """Bring the summaries of these batches (status, counts, times) in line with their jobs."""
    batch_ids = set(batch_ids)
    if not batch_ids:
        return
    with jobs.store.writing():
        found = jobs.statuses_of(batch_ids)
        for batch_id, batch in batches.get_many(batch_ids).items():
            fields = summary(batch, found.get(batch_id, ()))
            if any(batch[name] != value for name, value in fields.items()):
                batches.set(batch_id, fields)


class Lifecycle:
    """Brings the live jobs of a store to the clock's present, writing only what changes."""

    def __init__(self, jobs: Jobs, batches: Batches, error_rate: float, everything: bool) -> None:
        self.jobs, self.batches, self.error_rate = jobs, batches, error_rate
        self.everything = everything  # the data set's jobs too, not only the submitted ones
        self._lock = threading.Lock()
        self._known: tuple[int, datetime | None] | None = None  # (version, next change due)

    def advance(self, now: datetime, since: datetime) -> int:
        """Apply every status change due by `now` (the lifecycle running from `since`).

        Cheap when nothing is due: the next change of each version is known.
        """
        with self._lock:
            if self.is_idle(now):  # again: another thread may have just moved the jobs
                return 0
            version = self.jobs.store.version()
            changes, next_due, moved = [], None, set()
            live = self.jobs.live(submitted_only=not self.everything)
            freed = self.jobs.freed_at({job["batch_id"] for job in live})
            for batch_id, batch in groupby(live, key=lambda job: job["batch_id"]):
                made, due = advance_batch(batch, now, since, self.error_rate, freed.get(batch_id))
                if made:
                    changes += made
                    moved.add(batch_id)
                if due is not None and (next_due is None or due < next_due):
                    next_due = due
            changed = 0
            if changes:
                with self.jobs.store.writing():  # no other writer until it ends
                    alone = self.jobs.store.version() == version  # none wrote since our read
                    changed = self.jobs.update(changes)
                    refresh(self.jobs, self.batches, moved)
                    if alone and changed == len(changes):
                        version = self.jobs.store.version()  # the one our write made
            # What was computed is known for the version read before the jobs were, or for
            # the one our own write made of it: any other write makes another version, and
            # a fresh look.
            self._known = (version, next_due)
            return changed

    def is_idle(self, now: datetime) -> bool:
        """Whether nothing is due by `now` in the data as last seen: no lock, one read."""
        known = self._known
        if known is None or known[0] != self.jobs.store.version():
            return False
        return known[1] is None or known[1] > now

    def forget(self) -> None:
        """The data changed under the lifecycle (a reset): compute afresh."""
        with self._lock:
            self._known = None

    def live_progress(self, job: dict[str, Any], now: datetime) -> int:
        """The progress of a RUNNING job at `now`."""
        return self.progress_of(job)(now)

    def progress_of(self, job: dict[str, Any]) -> Callable[[datetime], int]:
        """A RUNNING job's progress at any instant (its run worked out once)."""
        run, start = Run.of(job, self.error_rate), job["start_timestamp"]
        return lambda now: run.progress(start, now)
