"""A list's index patched by updates and inserts as a build would make it, kept through a
reset, built afresh when a patch cannot say (test_index_list.py: built aside, dropped,
abandoned by a write)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from mockjobs.contract.query import parse_query
from mockjobs.mock.datasets import DataSet
from mockjobs.mock.state import Mock
from mockjobs.queries import batches as batch_queries
from mockjobs.queries import jobs as job_queries
from mockjobs.queries.index import Index
from mockjobs.queries.index_build import build
from mockjobs.queries.index_patch import patched
from mockjobs.store import open_store
from mockjobs.vocabulary import INT64_MAX, SORTABLE_FIELDS, STATUSES

from .postgres import BACKENDS
from .test_index import BATCH_QUERY, ODD_IDS, column, on_backend
from .test_index_list import fresh_mock


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest) -> Iterator[Mock]:
    with on_backend(request, DataSet(seed=300, fixtures=(ODD_IDS,))) as loaded_mock:
        yield loaded_mock


def assert_same(patched_index: Any, built: Any) -> None:
    """The same answers: every order, every text's codes and values, every number."""
    assert patched_index.version == built.version
    assert patched_index.rowids.tolist() == built.rowids.tolist()
    for name, order in built.orders.items():
        assert patched_index.orders[name].tolist() == order.tolist(), name
    for name, (codes, values) in built.texts.items():
        mine = patched_index.texts[name]
        assert [mine[1][c] if c < len(mine[1]) else None for c in mine[0].tolist()] == [
            values[c] if c < len(values) else None for c in codes.tolist()
        ], name
    for name, (numbers, present) in built.numbers.items():
        assert (patched_index.numbers[name][1] == present).all(), name
        assert (patched_index.numbers[name][0][present] == numbers[present]).all(), name
    for name, flags in built.flags.items():
        assert (patched_index.flags[name] == flags).all(), name


def patched_as_built(
    mock: Mock, index: Index, round_: int, orders: Sequence[str], query: dict[str, Any]
) -> Index:
    """The job index patched with the writes since `index`: as a build makes it, and each
    order, with `query`'s filters, answering as SQL does."""
    jobs = mock.jobs
    patched_index = patched(jobs, job_queries.JOB_INDEX, index)
    assert patched_index is not None, round_
    assert_same(patched_index, build(jobs, job_queries.JOB_INDEX))
    for name in orders:
        params = parse_query(MultiDict({"order_by": name, **query}))
        expected = jobs.rowids(job_queries.job_query(mock.store.Job, params))
        assert job_queries.indexed_jobs(patched_index, params, list).tolist() == expected.tolist()
    return patched_index


def test_updates_patch_the_index_as_a_build_would_make_it(fresh: Mock) -> None:
    import random

    jobs, spec = fresh.jobs, job_queries.JOB_INDEX
    index = build(jobs, spec)
    ids = column(fresh, "id")
    rnd = random.Random(5)
    starts = [t for t in column(fresh, "start_timestamp") if t is not None]
    choices = {
        "status": lambda: rnd.choice(STATUSES),
        "runs": lambda: rnd.choice([0, 7, 500, INT64_MAX]),
        "progress": lambda: rnd.randint(0, 100),
        "start_timestamp": lambda: rnd.choice([None, *starts[:5]]),
        "end_timestamp": lambda: rnd.choice([None, *starts[-5:]]),
        "updated_at": lambda: rnd.choice(starts),
        "errors": lambda: rnd.choice([[], ["boom"]]),
        "project_id": lambda: rnd.choice(["a-new-project", "", "zzz", "é"]),
        "slurm_job_id": lambda: rnd.choice([None, "1", "new-slurm"]),
        "parent_id": lambda: rnd.choice([None, ids[0]]),
    }
    for round_ in range(6):
        for _ in range(rnd.randint(1, 12)):
            fields = {name: make() for name, make in rnd.sample(sorted(choices.items()), 3)}
            jobs.set(rnd.choice(ids), fields)
        index = patched_as_built(
            fresh, index, round_, SORTABLE_FIELDS, {"status": ["DONE", "ERROR"]}
        )


def test_rows_inserted_patch_the_index_as_a_build_would_make_it(fresh: Mock) -> None:
    jobs, spec = fresh.jobs, job_queries.JOB_INDEX
    index = build(jobs, spec)
    ids = sorted(column(fresh, "id"))
    for round_, new_ids in enumerate([
        ["0-first", "zzz-last"],
        [ids[3] + "a", ids[3] + "b", ids[3] + "c", ids[40] + "-", "\U0010ffff-max2"],
        [f"{ids[7]}-{n:03}" for n in range(25)],  # one gap, shared by 25
    ]):  # fmt: skip
        fresh.add_jobs([{"id": i, "project_id": f"p-{round_}", "runs": n} for n, i in enumerate(new_ids)])  # fmt: skip
        jobs.set(ids[10 + round_], {"status": "CANCELING", "updated_at": column(fresh, "created_at")[0]})  # fmt: skip
        orders = ("id", "project_id", "runs", "created_at")
        index = patched_as_built(fresh, index, round_, orders, {"project_id": [f"p-{round_}", "x"]})


def test_batches_submitted_patch_their_index(fresh: Mock) -> None:
    batches, spec = fresh.batch_records, batch_queries.BATCH_INDEX
    index = build(batches, spec)
    for tags in (["a-new-tag"], [], ["a-new-tag", "another"]):
        created = fresh.batches.create(
            {"device_type": "EMU_TN", "open": True, "project_id": "p", "queue_priority": "LOW",
             "tags": tags, "webhook": None, "configuration": None, "backend_configuration": None,
             "sequence_builder": None, "jobs": []}
        )  # fmt: skip
        index = patched(batches, spec, index)
        assert index is not None
        params = parse_query(MultiDict({"tag": "a-new-tag"}), schema=BATCH_QUERY)
        expected = batches.tagged(batch_queries.batch_query(fresh.store.Batch, params), "a-new-tag")
        assert batch_queries.indexed_batches(index, params, list).tolist() == expected.tolist()
        assert created["id"] in column(fresh, "id", "batch")
    assert_same(index, build(batches, spec))


def test_a_reset_gives_back_the_snapshots_index_without_a_build(fresh: Mock) -> None:
    """Restored rows have their row ids back: the index kept for the snapshot is the new
    version's at once, as a build would make it, reset after reset."""
    lists = [
        (fresh.jobs, job_queries.JOB_INDEX, fresh.job_index),
        (fresh.batch_records, batch_queries.BATCH_INDEX, fresh.batches.index),
    ]
    for _ in range(2):
        fresh.cancel_job(fresh.jobs.live()[0]["id"])
        fresh.add_jobs([{}, {"status": "DONE", "runs": 3}])  # row ids beyond the snapshot's
        fresh.job_index.refresh()
        fresh.reset()
        version = fresh.store.version()
        for records, spec, index in lists:
            kept = index.at(version)  # no refresh since: kept, not built
            assert kept is not None
            assert_same(kept, build(records, spec))
    fresh.reset(seed=20)  # another data set: built once, then kept
    assert fresh.job_index.at(fresh.store.version()) is None
    fresh.job_index.refresh()
    fresh.add_jobs([{}])
    fresh.reset()
    assert fresh.job_index.at(fresh.store.version()) is not None


def test_a_restore_that_numbers_the_rows_anew_builds_afresh() -> None:
    mock = fresh_mock()
    mock.store.database.execute_sql("DELETE FROM job WHERE rowid = 5")  # a gap in the row ids
    mock.job_index.refresh()
    version = mock.store.snapshot("gap")
    mock.job_index.remember("gap", version)
    assert mock.job_index.at(version) is not None
    mock.cancel_job(mock.jobs.live()[0]["id"])
    version = mock.store.restore("gap")  # SQLite numbers the restored rows 1 to N
    mock.job_index.restored("gap", version)
    assert mock.job_index.at(version) is None
    mock.job_index.refresh()
    assert_same(mock.job_index.at(version), build(mock.jobs, job_queries.JOB_INDEX))


def test_rows_deleted_after_a_build_build_afresh_however_many_deletes_came_before(
    fresh: Mock,
) -> None:
    jobs, spec = fresh.jobs, job_queries.JOB_INDEX
    for rowids in ("1, 2", "3, 4, 5"):  # two deletes in a row, nothing logged between
        index = build(jobs, spec)
        with fresh.store.writing():
            fresh.store.database.execute_sql(f"DELETE FROM job WHERE rowid IN ({rowids})")
        assert patched(jobs, spec, index) is None


def test_a_database_with_the_older_delete_trigger_gets_the_new_one(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    store = open_store(path)
    store.database.execute_sql('DROP TRIGGER "job_changes_delete"')
    store.database.execute_sql(
        'CREATE TRIGGER "job_changes_delete" AFTER DELETE ON "job" WHEN NOT EXISTS (SELECT 1'
        " FROM mockjobs_changes WHERE seq = (SELECT max(seq) FROM mockjobs_changes) AND"
        " tbl = 'job' AND changed IS NULL) BEGIN INSERT INTO mockjobs_changes (tbl, changed)"
        " VALUES ('job', NULL); END"
    )
    store.close()
    store = open_store(path)
    sql = "SELECT sql FROM sqlite_master WHERE name = 'job_changes_delete'"
    assert "WHEN" not in store.database.execute_sql(sql).fetchone()[0]
    schema = store.database.execute_sql("PRAGMA schema_version").fetchone()[0]
    store.close()
    store = open_store(path)  # opened again: nothing to replace, the schema as it was
    assert store.database.execute_sql("PRAGMA schema_version").fetchone()[0] == schema
    store.close()


def test_what_a_patch_cannot_say_builds_afresh(
    fresh: Mock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockjobs.queries import index_patch as index_module

    jobs, spec = fresh.jobs, job_queries.JOB_INDEX
    index = build(jobs, spec)
    fresh.reset()
    assert patched(jobs, spec, index) is None  # rows deleted (and inserted again)
    index = build(jobs, spec)
    monkeypatch.setattr(index_module, "MAX_INSERTED", 2)
    fresh.add_jobs([{"id": f"many-{n}"} for n in range(3)])
    assert patched(jobs, spec, index) is None  # more rows inserted than a patch takes
    batches = fresh.batch_records
    index = build(batches, batch_queries.BATCH_INDEX)
    batch = column(fresh, "id", "batch")[0]
    batches.set(batch, {"status": "CANCELED"})
    assert patched(batches, batch_queries.BATCH_INDEX, index) is not None
    batches.set(batch, {"tags": ["a-new-tag"]})
    assert patched(batches, batch_queries.BATCH_INDEX, index) is None  # an old row's list changed
