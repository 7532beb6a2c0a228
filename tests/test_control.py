"""The control API under /_mock: reset, add jobs, the request journal (SPEC section 10)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from mockjobs.api import gate
from mockjobs.api.gate import sent_headers
from mockjobs.contract.query import KEPT_QUERY, query_lists
from mockjobs.mock import journal
from mockjobs.mock.journal import KEPT_HEADERS, MAX_PART, bounded_headers
from mockjobs.vocabulary import format_timestamp, timestamp_now

from .postgres import BACKENDS, backend_app


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    with backend_app(request, {"SEED": 20}) as app:
        yield app.test_client()


def total(api: FlaskClient) -> int:
    return api.get("/api/v2/jobs?limit=1").get_json()["pagination"]["total"]


def test_add_jobs_completes_partial_records(api: FlaskClient) -> None:
    response = api.post("/_mock/jobs", json=[{"status": "RUNNING"}, {"id": "mine", "runs": 7}])
    assert response.status_code == 201
    added = response.get_json()["data"]
    assert (
        added[0]["status"] == "RUNNING"
        and added[0]["start_timestamp"]
        and added[0]["end_timestamp"] is None
    )
    assert added[1]["id"] == "mine" and added[1]["runs"] == 7 and "user_id" in added[1]
    assert total(api) == 22
    listed = api.get("/api/v2/jobs?id=mine").get_json()["data"][0]
    assert {key: added[1][key] for key in listed} == listed


def test_add_jobs_accepts_a_jobs_object(api: FlaskClient) -> None:
    assert api.post("/_mock/jobs", json={"jobs": [{}]}).status_code == 201
    assert total(api) == 21


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ([{}, {"status": "done"}], {"type": "value_error", "loc": ["body", 1, "status"],
                                     "msg": "Must be one of: PENDING, RUNNING, DONE, ERROR, CANCELED, CANCELING."}),
        ([{"runs": 2**63}], {"type": "value_error", "loc": ["body", 0, "runs"],
                          "msg": "Must be a 64-bit integer, from -9223372036854775808 to 9223372036854775807."}),
        ([{"color": "red"}], {"type": "value_error", "loc": ["body", 0, "color"], "msg": "Unknown field."}),
        ([{"id": "x"}, {"id": "x"}], {"type": "value_error", "loc": ["body", 1, "id"], "msg": "duplicate id 'x'"}),
        ({"job": []}, {"type": "value_error", "loc": ["body"],
                       "msg": 'expected a list of job records or an object {"jobs": [...], "batches": [...]}'}),
        ([3], {"type": "value_error", "loc": ["body", 0], "msg": "expected an object, got 3"}),
    ],
)  # fmt: skip
def test_bad_records_are_a_422_and_change_nothing(
    api: FlaskClient, body: object, detail: dict
) -> None:
    response = api.post("/_mock/jobs", json=body)
    assert (response.status_code, response.get_json()) == (422, {"detail": [detail]})
    assert total(api) == 20


def test_an_existing_id_is_refused(api: FlaskClient) -> None:
    existing = api.get("/api/v2/jobs?limit=1").get_json()["data"][0]["id"]
    response = api.post("/_mock/jobs", json=[{"id": "new"}, {"id": existing}])
    assert response.status_code == 422
    assert response.get_json()["detail"][0]["loc"] == ["body", 1, "id"]
    assert total(api) == 20


@pytest.mark.parametrize("body", [b"", b"{", b"[1,", b"\xff\xfe", b"nul"])
def test_malformed_json_is_a_422(api: FlaskClient, body: bytes) -> None:
    response = api.post("/_mock/jobs", data=body, content_type="application/json")
    assert response.status_code == 422
    (error,) = response.get_json()["detail"]
    assert (error["type"], error["loc"][0], error["msg"]) == (
        "json_invalid",
        "body",
        "JSON decode error",
    )
    assert total(api) == 20


def test_reset_restores_the_configured_data_and_clears_the_journal(api: FlaskClient) -> None:
    api.post("/_mock/jobs", json=[{}, {}])
    before = api.get("/api/v2/jobs?limit=100").data
    assert api.post("/_mock/reset", json={}).get_json() == {"status": "ok"}
    assert api.get("/_mock/requests").get_json() == {"data": [], "total": 0}
    after = api.get("/api/v2/jobs?limit=100").data
    assert total(api) == 20 and before != after


def test_the_journal_records_client_requests_only(api: FlaskClient) -> None:
    api.get("/api/v2/jobs?status=DONE&status=ERROR&limit=5", headers={"Authorization": "Bearer x"})
    api.get("/api/v2/jobs?limit=0")
    api.post("/_mock/jobs", json=[{}])  # control traffic is not journaled
    entries = api.get("/_mock/requests").get_json()["data"]
    assert [(e["method"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("GET", "/api/v2/jobs", {"status": ["DONE", "ERROR"], "limit": ["5"]}, 200),
        ("GET", "/api/v2/jobs", {"limit": ["0"]}, 422),
    ]
    assert entries[0]["headers"]["Authorization"] == "Bearer …"  # a credential: its scheme only
    assert entries[0]["time"].endswith("Z")
    assert api.delete("/_mock/requests").get_json() == {"data": []}
    assert api.get("/_mock/requests").get_json() == {"data": [], "total": 0}


def test_the_journal_is_read_once_for_its_page_and_its_total(
    api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data and total from one read: they agree however many requests come meanwhile."""
    for limit in range(3):
        api.get(f"/api/v2/jobs?limit={limit}")
    storage = api.application.extensions["mockjobs"].journal.table
    reads: list[tuple[int | None, int]] = []
    window = storage.window
    monkeypatch.setattr(storage, "window", lambda *args: reads.append(args) or window(*args))
    answer = api.get("/_mock/requests?limit=2&offset=1").get_json()
    assert [entry["query"] for entry in answer["data"]] == [{"limit": ["0"]}, {"limit": ["1"]}]
    assert answer["total"] == 3 and reads == [(2, 1)]


def test_the_journal_names_headers_as_werkzeug_does(api: FlaskClient) -> None:
    """Short header sets are named once for every request that sends them: alike, the same
    headers in another order, a long header and many headers (named each time)."""
    sent = [
        {"X-Request-Id": "1", "Content-Type": "application/json", "Accept-Encoding": "gzip"},
        {"Accept-Encoding": "gzip", "Content-Type": "application/json", "X-Request-Id": "1"},
        {"X-Long": "v" * (MAX_PART + 1)},
        {f"X-Many-{number}": str(number) for number in range(KEPT_HEADERS + 1)},
    ]
    for headers in sent:
        for _ in range(2):
            response = api.post("/api/v1/batches", data=b"{}", headers=headers)
            expected = dict(response.request.headers)  # werkzeug's own naming
        entries = api.get("/_mock/requests?limit=2").get_json()["data"]
        assert len(expected) >= len(headers)
        assert [list(entry["headers"].items()) for entry in entries] == [
            list(bounded_headers(expected).items())
        ] * 2


def test_only_short_header_sets_are_kept_once_named_and_bounded() -> None:
    """Waitress takes 256 KB of headers: 256 clients with a long cookie each kept none."""
    long, short = {"Cookie": "c" * MAX_PART}, {"Accept": "*/*"}
    for kept in (gate._kept_headers, journal._kept_headers):
        kept.cache_clear()
    bounded_headers(long)
    sent_headers({"HTTP_COOKIE": "c" * MAX_PART})
    assert [kept.cache_info().currsize for kept in (gate._kept_headers, journal._kept_headers)] == [
        0,
        0,
    ]
    assert bounded_headers(short) is bounded_headers(dict(short))  # kept once for all
    assert sent_headers({"HTTP_ACCEPT": "*/*"}) is sent_headers({"HTTP_ACCEPT": "*/*"}) == short


@pytest.mark.parametrize(
    "ns", [1_700_000_000_123_456_789, 1_700_000_000_000_000_000, 1_700_000_000_999_999_999]
)
def test_the_journals_time_is_the_time_now_as_every_timestamp_is_written(
    ns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "time_ns", lambda: ns)
    second, micro = divmod(ns // 1000, 1_000_000)
    now = datetime.fromtimestamp(second, UTC).replace(microsecond=micro)
    assert timestamp_now() == format_timestamp(now)
    assert timestamp_now() == format_timestamp(now)  # its second kept


def test_the_journal_keeps_the_query_as_the_api_reads_it(api: FlaskClient) -> None:
    """Raw bytes Latin-1, escapes UTF-8, blanks kept; a short query string is kept parsed
    (the same object again), a long one parsed each time, alike."""
    long = "&".join(f"key{number}=v" for number in range(300)).encode()
    assert len(long) > KEPT_QUERY
    odd = {"a": ["\ufffd", ""], "b": [""], "c": ["é"]}
    for raw, expected in [
        (b"a=%FF&a=&b&c=\xe9", odd),
        (long, {f"key{n}": ["v"] for n in range(300)}),
    ]:
        for _ in range(2):
            api.get("/api/v2/jobs", environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
        entries = api.get("/_mock/requests?limit=2").get_json()["data"]
        assert [entry["query"] for entry in entries] == [expected] * 2
    assert query_lists(b"a=1") is query_lists(b"a=1") == {"a": ["1"]}
    assert query_lists(long) is not query_lists(long)


def test_control_endpoints_refuse_other_methods(api: FlaskClient) -> None:
    assert api.get("/_mock/reset").status_code == 405
    assert api.put("/_mock/requests").get_json() == {"detail": "Method Not Allowed"}
    assert api.get("/_mock/nothing").get_json() == {"detail": "Not Found"}
