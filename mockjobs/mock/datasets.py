"""Data sets: what a mock serves after a reset, and loading one into the store."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

import peewee

from ..data.fixtures import BATCH, Fixture, FixtureError, read_fixture
from ..data.generator import generate
from ..store import UnstorableValue
from ..store.batches import Batches, Workloads
from ..store.jobs import Jobs
from ..store.records import Records
from ..vocabulary import DEFAULT_RANDOM_SEED

Progress = Callable[[int], None]


@dataclass(frozen=True)
class DataSet:
    """Fixture files, then `seed` generated jobs."""

    seed: int = 500
    random_seed: int = DEFAULT_RANDOM_SEED
    fixtures: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> DataSet:
        return cls(value["seed"], value["random_seed"], tuple(value["fixtures"]))

    def changed(self, **given: Any) -> DataSet:
        """This data set with the fields given (those None left as they are)."""
        given = {name: value for name, value in given.items() if value is not None}
        if "fixtures" in given:
            given["fixtures"] = tuple(str(path) for path in given["fixtures"])
        return replace(self, **given)

    @property
    def name(self) -> str:
        """A name for its snapshot, the same in every process."""
        text = json.dumps(self.to_json(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_fixtures(dataset: DataSet) -> list[Fixture]:
    """The data set's fixture files, read and checked (a FixtureError names the one at fault)."""
    fixtures: list[Fixture] = []
    for path in dataset.fixtures:
        fixtures.append(read_fixture(path, first_ordinal=sum(len(f.jobs) for f in fixtures)))
    return fixtures


def populate(
    jobs: Jobs, batches: Batches, workloads: Workloads, dataset: DataSet,
    progress: Progress | None = None, fixtures: list[Fixture] | None = None,
) -> int:  # fmt: skip
    """Replace the store's data with a data set: fixture files (`fixtures`, when they are read
    already), then generated jobs."""
    if fixtures is None:
        fixtures = read_fixtures(dataset)
    store = jobs.store
    with store.writing(), store.bulk_loading():
        for table in (jobs, batches, workloads):
            table.clear()
        loaded = 0
        for path, fixture in zip(dataset.fixtures, fixtures, strict=True):
            refuse_stored_ids(jobs, fixture.jobs, "loaded from an earlier file", path)
            refuse_stored_ids(batches, fixture.batches, "loaded from an earlier file", path, BATCH)
            loaded += insert(jobs, fixture.jobs, progress, path)
            insert(batches, fixture.batches, source=path, kind=BATCH)
        generator = generate(dataset.seed, dataset.random_seed)

        def generated() -> Iterator[dict[str, Any]]:
            """The jobs, the batches made meanwhile inserted as they come (memory stays flat)."""
            for job in generator.jobs():
                yield job
                if len(generator.batches) >= 5000:
                    batches.insert(drain(generator.batches))
            batches.insert(drain(generator.batches))

        try:
            loaded += insert(jobs, generated(), progress)
        except peewee.IntegrityError:
            raise FixtureError(
                "generated jobs have the ids of fixture jobs (the fixtures were generated with"
                " the same --random-seed): choose another --random-seed"
            ) from None
    return loaded


def drain(pending: deque[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    while pending:
        yield pending.popleft()


def insert(
    table: Records, records: Any, progress: Progress | None = None, source: str = "",
    kind: str = "record",
) -> int:  # fmt: skip
    """Insert complete records; a FixtureError names a record the database cannot hold."""
    try:
        return table.insert(records, progress=progress)
    except UnstorableValue as error:
        raise FixtureError(error.reason, error.index, error.field, source, kind) from None


def refuse_stored_ids(
    table: Records, records: list[dict[str, Any]], why: str, source: str = "",
    kind: str = "record",
) -> None:  # fmt: skip
    """A FixtureError naming the first record whose id the store holds already."""
    stored = set(table.get_many(record["id"] for record in records))
    for index, record in enumerate(records):
        if record["id"] in stored:
            raise FixtureError(f"duplicate id {record['id']!r} ({why})", index, "id", source, kind)
