"""GET /api/v2/jobs over HTTP: filters, ordering, paging and the response, against an oracle.

The oracle computes what each query should select from the data set itself (the
generator's and the fixture file's records), in plain Python, never from the server.
The HTTP around the list (404, 405, HEAD, CORS) is in test_list_http.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from mockjobs.data.fixtures import read_fixture_file
from mockjobs.data.generator import generate_jobs
from mockjobs.vocabulary import (
    DEFAULT_RANDOM_SEED,
    RESPONSE_FIELDS,
    SORTABLE_FIELDS,
    format_timestamp,
)

from .postgres import BACKENDS, backend_app

ODD_IDS = Path(__file__).parent / "data" / "odd_ids.json"
SEED = 300
RECORDS = read_fixture_file(ODD_IDS) + list(generate_jobs(SEED, DEFAULT_RANDOM_SEED))
BY_ID = {record["id"]: record for record in RECORDS}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    with backend_app(request, {"SEED": SEED, "FIXTURES": [str(ODD_IDS)]}) as app:
        yield app.test_client()


def get(api: FlaskClient, query: Any = "") -> Any:
    response = api.get("/api/v2/jobs", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response


def fetch_all(
    api: FlaskClient, query: dict[str, Any] | list[tuple[str, Any]], limit: int = 100
) -> list[str]:
    """Every matching id, paging as the official SDK does: offset = end until end >= total."""
    params = list(query.items()) if isinstance(query, dict) else list(query)
    ids: list[str] = []
    offset = 0
    while True:
        body = get(api, urlencode([*params, ("limit", limit), ("offset", offset)])).get_json()
        ids += [job["id"] for job in body["data"]]
        offset = body["pagination"]["end"]
        if offset >= body["pagination"]["total"]:
            assert len(ids) == body["pagination"]["total"]
            return ids


def ordered(
    records: list[dict[str, Any]], field: str = "created_at", direction: str = "DESC"
) -> list[str]:
    """Ids in the documented total order: ties broken by id, nulls last in ASC, first in DESC."""
    ascending = sorted(
        records, key=lambda r: (r[field] is None, r[field] if r[field] is not None else 0, r["id"])
    )
    ids = [record["id"] for record in ascending]
    return ids if direction == "ASC" else ids[::-1]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def some(field: str, count: int = 1) -> list[Any]:
    """Values of `field` that the data set holds, the same for every run."""
    values = sorted({record[field] for record in RECORDS if record[field] is not None})
    return values[:: max(1, len(values) // count)][:count]


FIVE_IDS = [RECORDS[i]["id"] for i in (20, 40, 60, 80, 100)]
A_BATCH, ANOTHER_BATCH = some("batch_id", 2)
A_PROJECT, ANOTHER_PROJECT = some("project_id", 2)
A_USER, ANOTHER_USER = some("user_id", 2)
MIDDLE = sorted(r["start_timestamp"] for r in RECORDS if r["start_timestamp"])[150]

FILTERS: list[tuple[list[tuple[str, str]], Any]] = [
    ([("id", FIVE_IDS[0])], lambda r: r["id"] == FIVE_IDS[0]),
    ([("id", i) for i in FIVE_IDS], lambda r: r["id"] in FIVE_IDS),
    ([("id", "no-such-job")], lambda r: False),
    ([("id__starts_with", "a")], lambda r: r["id"].startswith("a")),
    ([("id__starts_with", "ab%")], lambda r: r["id"].startswith("ab%")),
    ([("id__starts_with", "a_")], lambda r: r["id"].startswith("a_")),
    ([("id__starts_with", "a%")], lambda r: r["id"].startswith("a%")),
    ([("id__starts_with", "a\\")], lambda r: r["id"].startswith("a\\")),
    ([("id__starts_with", "a*")], lambda r: r["id"].startswith("a*")),
    ([("id__starts_with", "a?c[")], lambda r: r["id"].startswith("a?c[")),
    ([("id__starts_with", "ABC")], lambda r: r["id"].startswith("ABC")),
    ([("id__starts_with", "ÿ")], lambda r: r["id"].startswith("ÿ")),
    ([("id__starts_with", "\ud7ff")], lambda r: r["id"].startswith("\ud7ff")),
    ([("id__starts_with", "\U0010ffff")], lambda r: r["id"].startswith("\U0010ffff")),
    ([("id__starts_with", "'")], lambda r: r["id"].startswith("'")),
    ([("id__starts_with", RECORDS[50]["id"][:2])], lambda r: r["id"].startswith(RECORDS[50]["id"][:2])),
    ([("id__starts_with", "")], lambda r: True),
    ([("batch_id", A_BATCH)], lambda r: r["batch_id"] == A_BATCH),
    ([("batch_id", A_BATCH), ("batch_id", ANOTHER_BATCH)], lambda r: r["batch_id"] in (A_BATCH, ANOTHER_BATCH)),
    ([("project_id", A_PROJECT)], lambda r: r["project_id"] == A_PROJECT),
    ([("project_id", A_PROJECT), ("project_id", ANOTHER_PROJECT)], lambda r: r["project_id"] in (A_PROJECT, ANOTHER_PROJECT)),
    ([("user_id", A_USER)], lambda r: r["user_id"] == A_USER),
    ([("user_id", A_USER), ("user_id", ANOTHER_USER)], lambda r: r["user_id"] in (A_USER, ANOTHER_USER)),
    *[([("status", s)], lambda r, s=s: r["status"] == s) for s in ("PENDING", "RUNNING", "DONE", "ERROR", "CANCELED", "CANCELING")],
    ([("status", "DONE"), ("status", "ERROR")], lambda r: r["status"] in ("DONE", "ERROR")),
    *[([("origin", o)], lambda r, o=o: r["origin"] == o) for o in ("CLIENT", "AZURE", "OVH", "UNKNOWN")],
    ([("origin", "OVH"), ("origin", "AZURE")], lambda r: r["origin"] in ("OVH", "AZURE")),
    ([("min_runs", "250")], lambda r: r["runs"] >= 250),
    ([("max_runs", "100")], lambda r: r["runs"] <= 100),
    ([("min_runs", "100"), ("max_runs", "250")], lambda r: 100 <= r["runs"] <= 250),
    ([("min_runs", "500"), ("max_runs", "100")], lambda r: False),
    ([("min_runs", "9223372036854775807")], lambda r: r["runs"] >= 2**63 - 1),
    ([("min_runs", "9223372036854775808")], lambda r: False),
    ([("min_runs", str(10**30))], lambda r: False),
    ([("max_runs", str(-(10**30)))], lambda r: False),
    ([("min_runs", str(-(10**30)))], lambda r: True),
    ([("max_runs", str(10**30))], lambda r: True),
    ([("min_runs", " +1_000 ")], lambda r: r["runs"] >= 1000),
    ([("min_runs", "5.0")], lambda r: r["runs"] >= 5),
    *[([("errors", v)], lambda r: bool(r["errors"])) for v in ("true", "True", "1", "yes", "on", "t", "Y")],
    *[([("errors", v)], lambda r: not r["errors"]) for v in ("false", "False", "0", "no", "OFF", "f", "n")],
    ([("start_date", format_timestamp(MIDDLE))], lambda r: r["start_timestamp"] is not None and r["start_timestamp"] >= MIDDLE),
    ([("end_date", format_timestamp(MIDDLE))], lambda r: r["end_timestamp"] is not None and r["end_timestamp"] <= MIDDLE),
    ([("start_date", "2025-05-01"), ("end_date", "2025-05-15T12:00:00+02:00")],
     lambda r: r["start_timestamp"] is not None and r["start_timestamp"] >= instant("2025-05-01T00:00:00+00:00")
     and r["end_timestamp"] is not None and r["end_timestamp"] <= instant("2025-05-15T10:00:00+00:00")),
    ([("start_date", "1746057600")], lambda r: r["start_timestamp"] is not None and r["start_timestamp"] >= instant("2025-05-01T00:00:00+00:00")),
    ([("start_date", "1746057600000")], lambda r: r["start_timestamp"] is not None and r["start_timestamp"] >= instant("2025-05-01T00:00:00+00:00")),
    ([("end_date", "2025-05-01T00:00:00")], lambda r: r["end_timestamp"] is not None and r["end_timestamp"] <= instant("2025-05-01T00:00:00+00:00")),
    ([("start_date", "9999-12-31T23:59:59-01:00")], lambda r: False),
    ([("status", "DONE"), ("origin", "AZURE"), ("min_runs", "200")],
     lambda r: r["status"] == "DONE" and r["origin"] == "AZURE" and r["runs"] >= 200),
    ([("project_id", A_PROJECT), ("errors", "false"), ("status", "DONE"), ("status", "CANCELED")],
     lambda r: r["project_id"] == A_PROJECT and not r["errors"] and r["status"] in ("DONE", "CANCELED")),
    ([("user_id", A_USER), ("end_date", format_timestamp(MIDDLE)), ("max_runs", "500")],
     lambda r: r["user_id"] == A_USER and r["end_timestamp"] is not None and r["end_timestamp"] <= MIDDLE and r["runs"] <= 500),
    ([("id__starts_with", "a"), ("status", "DONE"), ("status", "ERROR"), ("errors", "true")],
     lambda r: r["id"].startswith("a") and r["status"] == "ERROR"),
    ([("batch_id", A_BATCH), ("id", FIVE_IDS[0])], lambda r: r["batch_id"] == A_BATCH and r["id"] == FIVE_IDS[0]),
    ([("origin", "CLIENT"), ("unknown", "ignored"), ("order", "ASC")], lambda r: r["origin"] == "CLIENT"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "predicate"), FILTERS, ids=[urlencode(q)[:50] for q, _ in FILTERS]
)
def test_filter(api: FlaskClient, query: list[tuple[str, str]], predicate: Any) -> None:
    expected = ordered([record for record in RECORDS if predicate(record)])
    assert fetch_all(api, query) == expected


def test_filters_select_something() -> None:
    """The data set makes the filter table meaningful: most filters select some but not all jobs."""
    sizes = [sum(map(predicate, RECORDS)) for _, predicate in FILTERS]
    assert sum(0 < size < len(RECORDS) for size in sizes) >= len(FILTERS) * 3 // 4


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", SORTABLE_FIELDS)
def test_paging_through_any_order_returns_every_job_once(
    api: FlaskClient, field: str, direction: str
) -> None:
    ids = fetch_all(api, {"order_by": field, "order_by_direction": direction}, limit=37)
    assert ids == ordered(RECORDS, field, direction)
    assert len(set(ids)) == len(RECORDS)


def test_nulls_sort_last_ascending_and_first_descending(api: FlaskClient) -> None:
    ascending = get(api, "order_by=start_timestamp&order_by_direction=ASC&offset=300").get_json()[
        "data"
    ]
    descending = get(api, "order_by=start_timestamp&limit=5").get_json()["data"]
    assert ascending[-1]["start_timestamp"] is None
    assert ascending[0]["start_timestamp"] is not None or all(
        j["start_timestamp"] is None for j in ascending
    )
    assert [job["start_timestamp"] for job in descending] == [None] * 5


def test_default_order_is_newest_first(api: FlaskClient) -> None:
    jobs = get(api).get_json()["data"]
    created = [instant(job["created_at"].replace("Z", "+00:00")) for job in jobs]
    assert created == sorted(created, reverse=True)
    assert [job["id"] for job in jobs] == ordered(RECORDS)[:100]


def test_statuses_sort_by_code_point(api: FlaskClient) -> None:
    statuses = [
        job["status"]
        for job in get(api, "order_by=status&order_by_direction=ASC&limit=100").get_json()["data"]
    ]
    assert statuses == sorted(statuses)
    seen = list(
        dict.fromkeys(
            job["status"] for job in (BY_ID[i] for i in ordered(RECORDS, "status", "ASC"))
        )
    )
    assert seen == ["CANCELED", "CANCELING", "DONE", "ERROR", "PENDING", "RUNNING"]


def test_envelope_and_job_shape(api: FlaskClient) -> None:
    body = get(api, "limit=100").get_json()
    assert list(body) == ["status", "message", "code", "data", "pagination"]
    assert (body["status"], body["message"], body["code"]) == ("success", "OK.", "200")
    assert body["pagination"] == {"total": len(RECORDS), "start": 0, "end": 100}
    for job in body["data"]:
        assert tuple(job) == RESPONSE_FIELDS
        record = BY_ID[job["id"]]
        for key in RESPONSE_FIELDS:
            value = record[key]
            assert job[key] == (format_timestamp(value) if isinstance(value, datetime) else value)
        for key in ("created_at", "updated_at", "start_timestamp", "end_timestamp"):
            assert job[key] is None or TIMESTAMP.match(job[key]), job[key]
        assert isinstance(job["variables"], dict) and isinstance(job["errors"], list)


def test_timestamps_are_utc_with_a_fraction_only_when_it_is_not_zero(api: FlaskClient) -> None:
    jobs = {job["id"]: job for job in get(api, "id=abc&id=ABC").get_json()["data"]}
    assert jobs["abc"]["created_at"] == "2025-01-15T10:30:00Z"
    assert jobs["abc"]["updated_at"] == "2025-01-15T10:35:00.250000Z"
    assert jobs["ABC"]["created_at"] == "2025-01-15T10:30:00Z"  # given as 12:30:00.000000+02:00
    assert jobs["ABC"]["updated_at"] == "2025-01-15T10:35:00.000001Z"


@pytest.mark.parametrize(
    ("query", "content_range", "pagination"),
    [
        ("", f"1-100/{len(RECORDS)}", {"total": len(RECORDS), "start": 0, "end": 100}),
        ("limit=100&offset=300", f"301-{len(RECORDS)}/{len(RECORDS)}", {"total": len(RECORDS), "start": 300, "end": len(RECORDS)}),
        ("limit=1&offset=5", f"6-6/{len(RECORDS)}", {"total": len(RECORDS), "start": 5, "end": 6}),
        ("id=abc", "1-1/1", {"total": 1, "start": 0, "end": 1}),
        ("id=nothing", "*/0", {"total": 0, "start": 0, "end": 0}),
        ("offset=100000", f"*/{len(RECORDS)}", {"total": len(RECORDS), "start": 100000, "end": 100000}),
        (f"offset={10**30}", f"*/{len(RECORDS)}", {"total": len(RECORDS), "start": 10**30, "end": 10**30}),
    ],
)  # fmt: skip
def test_content_range_and_pagination(
    api: FlaskClient, query: str, content_range: str, pagination: dict
) -> None:
    response = get(api, query)
    assert response.headers["Content-Range"] == content_range
    assert response.headers["Access-Control-Expose-Headers"] == "Content-Range"
    assert response.get_json()["pagination"] == pagination
    assert len(response.get_json()["data"]) == pagination["end"] - pagination["start"]
