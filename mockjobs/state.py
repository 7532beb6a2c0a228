"""A mock's state: its jobs, the data set they reset to, and the journal of its requests."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import peewee

from .cache import ListCache
from .clock import Clock
from .db import Store
from .faults import Faults
from .fixtures import FixtureError, parse_records, read_fixture_file, to_json
from .generator import DEFAULT_RANDOM_SEED, generate_jobs
from .journal import Journal
from .lifecycle import advance

Progress = Callable[[int], None]
SNAPSHOTS_KEPT = 4  # data sets whose snapshot is kept for fast resets


@dataclass(frozen=True)
class DataSet:
    """What a mock serves after a reset: fixture files, then `seed` generated jobs."""

    seed: int = 500
    random_seed: int = DEFAULT_RANDOM_SEED
    fixtures: tuple[str, ...] = ()


class Mock:
    """The state behind one app. `reset()` restores a data set from a snapshot in milliseconds."""

    def __init__(
        self,
        store: Store,
        dataset: DataSet,
        *,
        journal_size: int = 1000,
        lifecycle: bool = False,
        error_rate: float = 0.1,
    ) -> None:
        self.store = store
        self.dataset: DataSet | None = dataset  # None: the jobs a database file held at start
        self.journal = Journal(journal_size)
        self.faults = Faults()
        self.clock = Clock()
        self.list_cache = ListCache(store)
        self.lifecycle, self.error_rate = lifecycle, error_rate
        self._snapshots: OrderedDict[DataSet | None, Any] = OrderedDict()  # see Store.snapshot
        self._lock = threading.RLock()

    def load(self, *, keep_existing: bool = False, progress: Progress | None = None) -> None:
        """Fill the store with the data set (or keep the jobs it holds) and snapshot it."""
        if keep_existing and self.store.count():
            self.dataset = None
        elif self.dataset is not None:
            populate(self.store, self.dataset, progress)
        self._remember(self.dataset)

    def tick(self) -> None:
        """With lifecycle on, bring the live jobs to the clock's present."""
        if self.lifecycle:
            with self._lock:
                advance(self.store, self.clock.now(), self.clock.start, self.error_rate)

    def advance_clock(self, seconds: float) -> datetime:
        """Move the clock forward; with lifecycle on, the jobs move with it."""
        now = self.clock.advance(seconds)
        self.tick()
        return now

    def reset(self, dataset: DataSet | None = None) -> None:
        """Back to the configured data set (or to `dataset`, which becomes the configured one).

        The journal, the fault rules and the clock start afresh too.
        """
        with self._lock:
            if dataset is not None and dataset != self.dataset:
                self.dataset = dataset
            snapshot = self._snapshots.get(self.dataset)
            if snapshot is None and self.dataset is not None:
                populate(self.store, self.dataset)
                self._remember(self.dataset)
            else:
                self._snapshots.move_to_end(self.dataset)
                self.store.restore(snapshot)
            self.journal.clear()
            self.faults.clear()
            self.clock.reset()

    def add_jobs(self, records: Sequence[dict[str, Any]] | dict[str, Any]) -> list[dict[str, Any]]:
        """Insert records (partial ones completed as fixture records are); their JSON form.

        All or nothing: a FixtureError names the record and field at fault.
        """
        with self.store.writing():  # the count and the clashes stay true until the insert
            complete = parse_records(records, first_ordinal=self.store.count())
            refuse_stored_ids(self.store, complete, "stored already")
            self.store.insert(complete)
        return [to_json(record) for record in complete]

    def _remember(self, dataset: DataSet | None) -> None:
        self._snapshots[dataset] = self.store.snapshot()
        self._snapshots.move_to_end(dataset)
        for old in list(self._snapshots)[: -SNAPSHOTS_KEPT or None]:
            if old != self.dataset:  # the configured data set's snapshot always stays
                self._snapshots.pop(old).close()


def populate(store: Store, dataset: DataSet, progress: Progress | None = None) -> int:
    """Replace the store's jobs with a data set: fixture files, then generated jobs."""
    with store.writing():
        with store.bulk_loading():
            loaded = load_dataset(store, dataset, progress)
        store.analyze()
    return loaded


def load_dataset(store: Store, dataset: DataSet, progress: Progress | None) -> int:
    store.clear()
    loaded = 0
    for path in dataset.fixtures:
        records = read_fixture_file(path, first_ordinal=loaded)
        refuse_stored_ids(store, records, "loaded from an earlier file", path)
        try:
            loaded += store.insert(records, progress=progress)
        except FixtureError as error:  # a record the database cannot hold
            raise error.within(path) from None
    try:
        loaded += store.insert(generate_jobs(dataset.seed, dataset.random_seed), progress=progress)
    except peewee.IntegrityError:
        raise FixtureError(
            "generated jobs have the ids of fixture jobs (the fixtures were generated with"
            " the same --random-seed): choose another --random-seed"
        ) from None
    return loaded


def refuse_stored_ids(
    store: Store, records: list[dict[str, Any]], why: str, source: str = ""
) -> None:
    """A FixtureError naming the first record whose id the store holds already."""
    stored = store.existing_ids(record["id"] for record in records)
    for index, record in enumerate(records):
        if record["id"] in stored:
            raise FixtureError(f"duplicate id {record['id']!r} ({why})", index, "id", source)
