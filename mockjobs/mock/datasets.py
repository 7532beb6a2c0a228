"""Data sets: what a mock serves after a reset, and loading one into the store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import peewee

from ..data.fixtures import FixtureError, read_fixture_file
from ..data.generator import generate_jobs
from ..store import UnstorableValue
from ..store.jobs import Jobs
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

    @property
    def name(self) -> str:
        """A name for its snapshot, the same in every process."""
        text = json.dumps(self.to_json(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def populate(jobs: Jobs, dataset: DataSet, progress: Progress | None = None) -> int:
    """Replace the store's jobs with a data set: fixture files, then generated jobs."""
    store = jobs.store
    with store.writing(), store.bulk_loading():
        jobs.clear()
        loaded = 0
        for path in dataset.fixtures:
            records = read_fixture_file(path, first_ordinal=loaded)
            refuse_stored_ids(jobs, records, "loaded from an earlier file", path)
            loaded += insert(jobs, records, progress, path)
        try:
            loaded += insert(jobs, generate_jobs(dataset.seed, dataset.random_seed), progress)
        except peewee.IntegrityError:
            raise FixtureError(
                "generated jobs have the ids of fixture jobs (the fixtures were generated with"
                " the same --random-seed): choose another --random-seed"
            ) from None
    return loaded


def insert(jobs: Jobs, records: Any, progress: Progress | None = None, source: str = "") -> int:
    """Insert complete records; a FixtureError names a record the database cannot hold."""
    try:
        return jobs.insert(records, progress=progress)
    except UnstorableValue as error:
        raise FixtureError(error.reason, error.index, error.field, source) from None


def refuse_stored_ids(
    jobs: Jobs, records: list[dict[str, Any]], why: str, source: str = ""
) -> None:
    """A FixtureError naming the first record whose id the store holds already."""
    stored = jobs.existing_ids(record["id"] for record in records)
    for index, record in enumerate(records):
        if record["id"] in stored:
            raise FixtureError(f"duplicate id {record['id']!r} ({why})", index, "id", source)
