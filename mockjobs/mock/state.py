"""A mock's state: its store, the data set it resets to, the clock, faults, journal, lifecycle."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ..contract.quick import quick_dump
from ..contract.records import JobSchema
from ..data.fixtures import BATCH, FixtureError, parse_fixture
from ..data.results import generated_result
from ..data.writing import to_json
from ..domain.jobs import cancel
from ..errors import InvalidInput
from ..queries.index_list import ListIndex
from ..queries.jobs import JOB_INDEX, id_query, indexed_jobs, job_query
from ..queries.pages import Item, PageCache
from ..store import Store
from ..store.batches import Batches, Workloads
from ..store.jobs import Jobs, Record
from ..store.state import FaultTable, Values
from ..store.tables import dump_json
from ..vocabulary import EMULATOR_TYPES, RESPONSE_FIELDS
from .batches import Submissions
from .clock import Clock
from .datasets import DataSet, Progress, insert, populate, read_fixtures, refuse_stored_ids
from .faults import Faults
from .journal import Journal
from .lifecycle import Lifecycle, refresh
from .workloads import WorkloadBook

SNAPSHOTS_KEPT = 4  # data sets whose snapshot is kept for fast resets
LIST_ITEM = quick_dump(JobSchema(only=RESPONSE_FIELDS))
DATASET, SNAPSHOTS = "dataset", "snapshots"  # shared values: the configured data set, snapshots
AS_FOUND = "as_found"  # the snapshot of a database that held jobs of no known data set


class Mock:
    """The state behind one app. `reset()` restores a data set from a snapshot in milliseconds.

    Everything lives in the store, so that processes sharing a database share one mock: the
    configured data set and its snapshot, the journal (where the backend keeps it), the fault
    rules and the clock.
    """

    def __init__(
        self,
        store: Store,
        dataset: DataSet,
        *,
        journal_size: int = 1000,
        lifecycle: bool = False,
        fast_forward: bool = False,
        error_rate: float = 0.1,
    ) -> None:
        self.store = store
        self.jobs = Jobs(store)
        self.batch_records = Batches(store)
        self.workload_records = Workloads(store)
        self.values = Values(store)
        self.journal = Journal(store.journal(journal_size))
        self.faults = Faults(FaultTable(store))
        self.clock = Clock(self.values)
        self.lifecycle = Lifecycle(self.jobs, self.batch_records, error_rate, everything=lifecycle)
        self.batches = Submissions(
            self.jobs, self.batch_records, self.values, self.clock, self.lifecycle, self.tick,
            fast_forward=fast_forward,
        )  # fmt: skip
        self.workloads = WorkloadBook(self.workload_records, self.clock, fast_forward=fast_forward)
        self.job_index = ListIndex(self.jobs, JOB_INDEX)
        self.job_pages = PageCache(
            store.reading, store.version, self._ordered_jobs, self.jobs.by_rowid, self._list_item,
            self.job_index.refresh,
        )  # fmt: skip
        self._configured = dataset  # until load() says what the store holds
        self._lock = threading.RLock()

    # -- the data set --------------------------------------------------------------------

    @property
    def dataset(self) -> DataSet | None:
        """The configured data set, the same for every process (None: as a database held it)."""
        value = self.values.get(DATASET, False)
        if value is False:
            return self._configured
        return None if value is None else DataSet.from_json(value)

    def load(self, *, keep_existing: bool = False, progress: Progress | None = None) -> None:
        """Fill the store with the configured data set and snapshot it, or keep what it holds.

        A database that holds jobs keeps them, and the data set its other users configured.
        The lists' indexes are built then (a large table's aside, while SQL answers).
        """
        self._load(keep_existing, progress)
        for index in self._indexes:
            index.refresh()

    def _load(self, keep_existing: bool, progress: Progress | None) -> None:
        with self._lock:
            if keep_existing and self.jobs.count():
                if self.values.get(DATASET, False) is False:  # jobs of no known data set
                    self.values.set(DATASET, None)
                if not self.store.has_snapshot(self._snapshot_name(self.dataset)):
                    self._remember(self.dataset)
                return
            populate(*self._tables, self._configured, progress)
            self.values.set(DATASET, self._configured.to_json())
            self._remember(self._configured)
            self._start_afresh()

    def reset(
        self, *, seed: int | None = None, random_seed: int | None = None,
        fixtures: Sequence[str] | None = None,
    ) -> None:  # fmt: skip
        """Back to the configured data set, or to the one these fields given make of it (which
        then becomes the configured one). A bad fixture file is an InvalidInput; nothing changes.

        The journal, the fault rules and the clock start afresh too.
        """
        given = seed is not None or random_seed is not None or fixtures is not None
        dataset = self.dataset
        if given:  # a database's "as found" has no fields: the defaults stand in
            dataset = (dataset or DataSet()).changed(
                seed=seed, random_seed=random_seed, fixtures=fixtures
            )
        name = self._snapshot_name(dataset)
        read = None  # the files of a data set to load, read before anything changes
        try:
            if dataset is not None and not self.store.has_snapshot(name):
                read = read_fixtures(dataset)
        except FixtureError as error:
            raise InvalidInput([("fixtures", e.line()) for e in error.all], "reset") from None
        with self._lock:
            self.clock.reset()  # first: a tick meanwhile must not move the restored jobs
            restorable = self.store.has_snapshot(name)
            if restorable:
                version = self.store.restore(name)
                for index in self._indexes:  # no build: the snapshot's index, when kept
                    index.restored(name, version)
            elif dataset is not None:
                populate(*self._tables, dataset, fixtures=read)
            self.values.set(DATASET, None if dataset is None else dataset.to_json())  # it loaded
            self._remember(dataset, take=not restorable)
            self._start_afresh()

    def _start_afresh(self) -> None:
        self.journal.clear()
        self.faults.clear()
        self.clock.reset()
        self.batches.forget_fates()
        self.lifecycle.forget()

    @staticmethod
    def _snapshot_name(dataset: DataSet | None) -> str:
        return AS_FOUND if dataset is None else dataset.name

    def _remember(self, dataset: DataSet | None, *, take: bool = True) -> None:
        """Snapshot the store as `dataset`; keep the most recent SNAPSHOTS_KEPT snapshots."""
        name = self._snapshot_name(dataset)
        if take:
            version = self.store.snapshot(name)
            for index in self._indexes:
                index.remember(name, version)
        kept = [n for n in self.values.get(SNAPSHOTS, []) if n != name] + [name]
        configured = self._snapshot_name(self.dataset)
        while len(kept) > SNAPSHOTS_KEPT:
            old = next(n for n in kept if n != configured)  # the configured one always stays
            kept.remove(old)
            self.store.drop_snapshot(old)
        self.values.set(SNAPSHOTS, kept)

    # -- jobs ----------------------------------------------------------------------------

    @property
    def _indexes(self) -> tuple[ListIndex, ListIndex]:
        return self.job_index, self.batches.index

    @property
    def _tables(self) -> tuple[Jobs, Batches, Workloads]:
        return self.jobs, self.batch_records, self.workload_records

    def add_jobs(self, records: Sequence[dict[str, Any]] | dict[str, Any]) -> list[dict[str, Any]]:
        """Insert records (partial ones completed as fixture records are); their JSON form.

        Their batches: those a document gives, and one for each other batch id its jobs
        name that the store has no record of; a stored batch's summary takes its new jobs.
        All or nothing: a FixtureError names the record and field at fault.
        """
        fixture = parse_fixture(records, first_ordinal=self.jobs.count())  # no lock held
        with self.store.writing():  # the clashes stay true until the insert
            refuse_stored_ids(self.jobs, fixture.jobs, "stored already")
            stored = self.batch_records.get_many(b["id"] for b in fixture.batches)
            given = isinstance(records, dict) and records.get("batches")
            if given:
                refuse_stored_ids(self.batch_records, fixture.batches, "stored already", kind=BATCH)
            insert(self.jobs, fixture.jobs)
            insert(self.batch_records, [b for b in fixture.batches if b["id"] not in stored])
            refresh(self.jobs, self.batch_records, stored)
        return [to_json(record) for record in fixture.jobs]

    def job(self, job_id: str) -> Record | None:
        """A job as a client sees it now (a running job's progress computed with lifecycle on)."""
        job = self.jobs.get(job_id)
        if job is not None and self._is_live(job):
            job["progress"] = self.lifecycle.live_progress(job, self.clock.now())
        return job

    def generated_result(self, job: Record) -> dict[str, Any]:
        """A DONE job's result when it stores none: fit to its sequence (or its batch's)."""
        batch = self.batch_records.get(job["batch_id"])
        if batch is None:
            return generated_result(job)
        emulator = batch["device_type"] in EMULATOR_TYPES
        return generated_result(job, batch["sequence_builder"], emulator)

    def cancel_job(self, job_id: str) -> Record | None:
        """Cancel a job now (domain.jobs.cancel says how, or Refused); None: no such job."""
        with self.store.writing():
            job = self.jobs.get(job_id)
            if job is None:
                return None
            fields = cancel(job, self.clock.now())
            self.jobs.update([(job_id, job["status"], fields)])
            refresh(self.jobs, self.batch_records, [job["batch_id"]])
        return {**job, **fields}

    def tick(self) -> None:
        """Bring the live jobs (submitted ones; with lifecycle on, all) to the clock's present."""
        if self.lifecycle.is_idle(self.clock.now()):  # most requests: nothing to write
            return
        with self._lock:  # never between a reset's restore and its clock
            self.lifecycle.advance(self.clock.now(), self.clock.start)

    def advance_clock(self, seconds: float) -> datetime:
        """Move the clock forward; the live jobs move with it."""
        now = self.clock.advance(seconds)
        self.tick()
        return now

    def job_page(self, key: Any, parse: Callable[[], dict[str, Any]]) -> tuple[bytes, str]:
        """A page of the job list, body and Content-Range, for the raw query `key`.

        `parse` validates the query, when its answer is not known already.
        """
        answer = self.job_pages.page(key, parse)
        now = self.clock.now() if answer.static is None else None
        return answer.body(now), answer.content_range

    def _ordered_jobs(self, params: dict[str, Any], version: int) -> Any:
        """The row ids of the jobs `params` selects, in order: from the index when it is
        of this version, from SQL otherwise."""
        model, holds_text = self.store.Job, self.store.holds_text
        index = self.job_index.at(version)
        if index is None:
            return self.jobs.rowids(job_query(model, params, holds_text))
        return indexed_jobs(index, params, lambda: self.jobs.rowids(id_query(model, params, holds_text)))  # fmt: skip

    def _is_live(self, job: Record) -> bool:
        """Whether a job's progress moves with the clock: a RUNNING job that lives."""
        return job["status"] == "RUNNING" and (self.lifecycle.everything or job["submitted"])

    def _list_item(self, job: Record) -> Item:
        """A job's JSON in the list; a running one's (with lifecycle on) made when it is sent."""
        if self._is_live(job):
            progress = self.lifecycle.progress_of(job)

            def render(now: datetime) -> bytes:
                return self._dump({**job, "progress": progress(now)})

            render.size = len(self._dump(job))  # type: ignore[attr-defined]  # for the cache's bound
            return render
        return self._dump(job)

    @staticmethod
    def _dump(job: Record) -> bytes:
        """A job's JSON in the list: compact, UTF-8, keys in order."""
        return dump_json(LIST_ITEM(job)).encode()
