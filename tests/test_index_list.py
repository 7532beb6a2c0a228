"""A list's index following the data version: built aside while SQL answers, dropped,
abandoned by a write during a build, current again through a refresh or a patch."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.datastructures import MultiDict

from mockjobs.contract.query import parse_query
from mockjobs.mock.datasets import DataSet
from mockjobs.mock.state import Mock
from mockjobs.queries import jobs as job_queries
from mockjobs.queries.index_build import build
from mockjobs.queries.index_list import ListIndex
from mockjobs.store import open_store

from .test_index import loaded


def fresh_mock(seed: int = 60) -> Mock:
    return loaded(open_store(), DataSet(seed=seed))


def first_page(mock: Mock, query: str = "") -> bytes:
    params = MultiDict([tuple(p.split("=")) for p in query.split("&") if p])
    return mock.job_page(query, lambda: parse_query(params))[0]


def test_a_write_is_in_the_very_next_answer_and_the_index_follows() -> None:
    mock = fresh_mock()
    before = first_page(mock, "status=CANCELED")
    assert mock.job_index.at(mock.store.version()) is not None  # a small table: built at once
    job = mock.jobs.get(mock.jobs.live()[0]["id"])
    mock.cancel_job(job["id"])
    after = first_page(mock, "status=CANCELED")
    assert job["id"].encode() in after and job["id"].encode() not in before
    assert mock.job_index.at(mock.store.version()) is not None


def test_a_large_tables_index_is_built_aside_while_sql_answers() -> None:
    mock = fresh_mock()
    mock.job_index = ListIndex(mock.jobs, job_queries.JOB_INDEX, at_once=10)
    mock.job_pages.prepare = mock.job_index.refresh
    release = threading.Event()
    building = mock.job_index._build

    def slow_build() -> None:
        release.wait(10)
        building()

    mock.job_index._build = slow_build  # type: ignore[method-assign]
    version = mock.store.version()
    by_sql = first_page(mock, "order_by=runs&limit=7")  # the index is being built meanwhile
    assert mock.job_index.at(version) is None
    release.set()
    assert mock.job_index.wait() is not None
    mock.job_pages._holds(version + 1)  # forget the kept answers: the index answers now
    assert first_page(mock, "order_by=runs&limit=7") == by_sql


def test_a_dropped_index_leaves_the_list_to_sql_until_a_refresh() -> None:
    mock = fresh_mock()
    version, by_index = mock.store.version(), first_page(mock, "order_by=runs&limit=7")
    mock.job_index.drop()
    assert mock.job_index.at(version) is None
    mock.job_pages.clear()
    mock.job_pages.prepare = lambda: None  # no refresh meanwhile: SQL answers
    assert first_page(mock, "order_by=runs&limit=7") == by_index
    assert mock.job_index.at(version) is None
    mock.job_index.refresh()
    assert mock.job_index.at(version) is not None


def test_a_refresh_waits_for_another_patch_and_never_builds_for_a_busy_lock() -> None:
    mock = fresh_mock()
    mock.job_index = ListIndex(mock.jobs, job_queries.JOB_INDEX, at_once=10)  # builds aside
    mock.job_index.wait()
    mock.cancel_job(mock.jobs.live()[0]["id"])
    with mock.job_index._lock:  # another request's patch, meanwhile
        refreshing = threading.Thread(target=mock.job_index.refresh)
        refreshing.start()
        refreshing.join(0.1)
        assert refreshing.is_alive()  # it waits its turn
    refreshing.join(10)
    assert mock.job_index._thread is None  # patched, not built
    assert mock.job_index.at(mock.store.version()) is not None


def test_a_write_during_a_build_abandons_it() -> None:
    mock = fresh_mock()
    reading = mock.store.reading
    reads = []

    @contextmanager
    def reading_then_writing() -> Iterator[int]:
        with reading() as version:
            yield version
        reads.append(version)
        if len(reads) == 1:  # between the first chunk and the second
            mock.jobs.set(mock.jobs.live()[0]["id"], {"progress": 1})

    mock.store.reading = reading_then_writing  # type: ignore[method-assign]
    assert build(mock.jobs, job_queries.JOB_INDEX, chunk=20) is None
    assert len(reads) == 2  # and it stopped there
    mock.store.reading = reading  # type: ignore[method-assign]
    assert build(mock.jobs, job_queries.JOB_INDEX, chunk=20).version == mock.store.version()


def test_an_empty_table_has_an_empty_index() -> None:
    mock = loaded(open_store(), DataSet(seed=0))
    index = build(mock.jobs, job_queries.JOB_INDEX)
    assert index is not None and len(index) == 0
    params = parse_query(MultiDict({"status": "DONE", "order_by": "runs"}))
    assert job_queries.indexed_jobs(index, params, list).tolist() == []
    body = json.loads(first_page(mock, "order_by=progress&order_by_direction=ASC"))
    assert (body["data"], body["pagination"]["total"]) == ([], 0)


# -- patched with the rows updated since, instead of built afresh ----------------------------


def test_a_write_leaves_the_index_current_through_a_patch() -> None:
    mock = fresh_mock()
    mock.job_index = ListIndex(mock.jobs, job_queries.JOB_INDEX, at_once=0)  # never built inline
    mock.job_pages.prepare = mock.job_index.refresh
    mock.job_index.wait()
    job = mock.jobs.live()[0]
    mock.cancel_job(job["id"])
    mock.job_index.refresh()  # no thread: the patch is at once
    assert mock.job_index.at(mock.store.version()) is not None
    assert job["id"].encode() in first_page(mock, f"status=CANCELED&id={job['id']}")
