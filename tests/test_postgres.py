"""PostgreSQL: the same answers as SQLite, byte for byte, and one database for many processes.

The API's own tests (test_list, test_control) run on both backends; these cover what only
PostgreSQL has: processes sharing the data, the version in the database, snapshots in
temporary tables, and text that cannot hold U+0000.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import peewee
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from playhouse import db_url

from mockjobs.app import create_app
from mockjobs.data.fixtures import FixtureError
from mockjobs.data.generator import generate_jobs
from mockjobs.mock.datasets import DataSet
from mockjobs.mock.state import SNAPSHOTS_KEPT, Mock
from mockjobs.store import open_store
from mockjobs.store.jobs import Jobs
from mockjobs.store.tables import DATA_TABLES
from mockjobs.vocabulary import SORTABLE_FIELDS

from .postgres import BACKENDS, fresh_schema
from .test_cli import serving
from .test_concurrency import QUERIES
from .test_list import FILTERS, ODD_IDS, SEED

TIMEOUT = 30


@pytest.fixture
def url(postgres_server: str) -> Iterator[str]:
    """A database of this test's own (a fresh schema of the session's server)."""
    with fresh_schema(postgres_server) as url:
        yield url


@pytest.fixture
def on_postgres(url: str) -> Iterator[Callable[..., FlaskClient]]:
    """Makes apps over the test's database (RESET unless told), closed after the test."""
    apps: list[Flask] = []

    def make(**config: Any) -> FlaskClient:
        apps.append(create_app({"DB": url, "RESET": True, **config}))
        return apps[-1].test_client()

    yield make
    for app in apps:
        app.extensions["mockjobs"].store.close()


def answer(api: FlaskClient, query: str) -> tuple[int, bytes, str | None]:
    response = api.get(f"/api/v2/jobs?{query}")
    return response.status_code, response.data, response.headers.get("Content-Range")


def listed(base: str, query: str = "") -> dict[str, Any]:
    """The list's JSON from a server at `base`."""
    return requests.get(f"{base}/api/v2/jobs?{query}", timeout=TIMEOUT).json()


def test_every_answer_is_the_same_bytes_on_both(on_postgres: Callable[..., FlaskClient]) -> None:
    sqlite = create_app({"SEED": SEED, "FIXTURES": [str(ODD_IDS)]}).test_client()
    postgres = on_postgres(SEED=SEED, FIXTURES=[str(ODD_IDS)])
    queries = [urlencode(query) for query, _ in FILTERS]
    queries += [f"order_by={field}&order_by_direction={direction}&limit=100&offset={offset}"
                for field in SORTABLE_FIELDS for direction in ("ASC", "DESC")
                for offset in (0, 100, 200, 300)]  # fmt: skip
    queries += ["id__starts_with=%C3%A9", "id__starts_with=%ED%9F%BF", "id=%C3%A9-job&id=%C3%BF%C3%BF",
                "order_by=id&order_by_direction=ASC&id__starts_with=a", "limit=0&status=done", ""]  # fmt: skip
    for query in queries:
        assert answer(postgres, query) == answer(sqlite, query), query
    assert postgres.get("/api/v2/jobs/a%5Cc").data == sqlite.get("/api/v2/jobs/a%5Cc").data


def test_processes_share_the_data_and_see_each_others_writes_at_once(url: str) -> None:
    expected = create_app({"SEED": 50}).test_client()
    with (
        serving("--db", url, "--seed", "50", "--reset", "--threads", "8") as (first, line),
        serving("--db", url, "--threads", "8") as (second, second_line),
    ):
        assert "serving 50 jobs" in line and "serving 50 jobs" in second_line
        work = [(base, query) for query in QUERIES for base in (first, second)] * 4

        def fetch(item: tuple[str, str]) -> tuple[str, bytes]:
            base, query = item
            return query, requests.get(f"{base}/api/v2/jobs?{query}", timeout=TIMEOUT).content

        with ThreadPoolExecutor(max_workers=8) as pool:
            for query, body in pool.map(fetch, work):  # concurrent, on the pools of both
                assert body == expected.get(f"/api/v2/jobs?{query}").data, query

        added = requests.post(f"{first}/_mock/jobs", json=[{"id": "shared", "status": "PENDING"}],
                              timeout=TIMEOUT)  # fmt: skip
        assert added.status_code == 201
        assert listed(second, "id=shared")["data"][0]["status"] == "PENDING"
        assert requests.patch(f"{second}/api/v2/jobs/shared/cancel", timeout=TIMEOUT).ok
        assert listed(first, "id=shared")["data"][0]["status"] == "CANCELED"
        assert requests.post(f"{first}/_mock/reset", json={}, timeout=TIMEOUT).ok
        for base in (first, second):
            assert listed(base, "id=shared")["pagination"]["total"] == 0
            body = requests.get(f"{base}/api/v2/jobs", timeout=TIMEOUT).content
            assert body == expected.get("/api/v2/jobs").data


def test_writes_of_two_processes_are_atomic_and_seen_whole(url: str) -> None:
    with (
        serving("--db", url, "--seed", "10", "--reset") as (first, _),
        serving("--db", url) as (second, _),
    ):

        def write(index: int) -> int:
            records = [{"id": f"w{index}-{n}"} for n in range(5)]
            base = (first, second)[index % 2]
            return requests.post(f"{base}/_mock/jobs", json=records, timeout=TIMEOUT).status_code

        def read(index: int) -> int:
            return listed((first, second)[index % 2], "limit=1")["pagination"]["total"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            writes = [pool.submit(write, index) for index in range(8)]
            totals = list(pool.map(read, range(40)))
        assert [w.result() for w in writes] == [201] * 8
        assert all(total in range(10, 51, 5) for total in totals), totals  # never half a write
        assert read(0) == read(1) == 50


def test_the_version_is_the_databases(url: str) -> None:
    one, other = open_store(url), open_store(url)
    try:
        before = other.version()
        Jobs(one).insert(generate_jobs(3))
        assert other.version() == before + 1 and Jobs(other).count() == 3
        with pytest.raises(FixtureError), other.writing():
            Jobs(other).insert(generate_jobs(1))
            raise FixtureError("changed my mind")
        assert one.version() == before + 1 and Jobs(one).count() == 3  # rolled back, both
    finally:
        one.close()
        other.close()


def test_reset_restores_snapshots_kept_in_the_database(url: str, postgres_server: str) -> None:
    store = open_store(url)
    mock = Mock(store, DataSet(seed=20))
    mock.load()
    before = snapshot_tables(postgres_server)
    api = create_app({"DB": url}).test_client()  # another process's view
    start = api.get("/api/v2/jobs").data
    for seed in range(1, SNAPSHOTS_KEPT + 3):  # more data sets than the snapshots kept
        mock.reset(seed=seed)
        assert mock.jobs.count() == seed
    assert snapshot_tables(postgres_server) == before + (SNAPSHOTS_KEPT - 1) * len(DATA_TABLES)
    mock.reset(seed=20)
    assert api.get("/api/v2/jobs").data == start
    mock.add_jobs([{}])
    api.post("/_mock/reset", json={})  # through the other process: the one configured data set
    assert api.get("/api/v2/jobs").data == start
    store.close()
    api.application.extensions["mockjobs"].store.close()


def snapshot_tables(server_url: str) -> int:
    admin = db_url.connect(server_url)
    try:
        sql = "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE %s"
        return admin.execute_sql(sql, ("mockjobs_snapshot_%",)).fetchone()[0]
    finally:
        admin.close()


def test_a_database_that_holds_jobs_is_served_as_it_is(
    on_postgres: Callable[..., FlaskClient],
) -> None:
    on_postgres(SEED=30)
    api = on_postgres(SEED=5, RESET=False)
    assert answer(api, "limit=1")[2] == "1-1/30"
    api.post("/_mock/jobs", json=[{}])
    api.post("/_mock/reset", json={})
    assert answer(api, "limit=1")[2] == "1-1/30"


def test_text_cannot_hold_nul_so_nul_matches_nothing(
    on_postgres: Callable[..., FlaskClient], tmp_path: Path
) -> None:
    api = on_postgres(SEED=5, FIXTURES=[str(ODD_IDS)])
    response = api.post("/_mock/jobs", json=[{}, {"batch_id": "b\u0000"}])
    assert response.status_code == 422
    assert response.get_json()["detail"][0]["loc"] == ["body", 1, "batch_id"]
    assert answer(api, "id=%00")[2] == "*/0"
    assert answer(api, "id__starts_with=a%00")[2] == "*/0"
    assert answer(api, "id=abc&id=a%00")[2] == "1-1/1"
    assert answer(api, "user_id=%00&status=DONE")[2] == "*/0"
    assert api.get("/api/v2/jobs/%00").status_code == 404
    assert api.patch("/api/v2/jobs/%00/cancel").status_code == 404
    fixture = tmp_path / "nul.json"
    fixture.write_text(json.dumps([{"id": "ok"}, {"id": "x\u0000"}]))
    with pytest.raises(FixtureError, match=r"nul.json: record 1: field 'id': PostgreSQL"):
        on_postgres(SEED=0, FIXTURES=[str(fixture)])


@pytest.mark.parametrize("backend", BACKENDS)
def test_fixtures_with_the_generated_ids_are_refused(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    fixture = tmp_path / "clash.json"
    fixture.write_text(json.dumps([{"id": next(generate_jobs(3))["id"]}]))
    config = {"SEED": 3, "FIXTURES": [str(fixture)], "RESET": True}
    with pytest.raises(FixtureError, match="choose another --random-seed"):
        if backend == "sqlite":
            create_app(config)
        else:
            with fresh_schema(request.getfixturevalue("postgres_server")) as url:
                create_app({**config, "DB": url})


def test_a_bad_url_is_a_database_error(postgres_server: str) -> None:
    with pytest.raises(peewee.OperationalError):
        open_store("postgresql://nobody@127.0.0.1:1/nothing")
