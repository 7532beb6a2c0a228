"""Fixture files (SPEC section 7): loading, completing partial records, refusing bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockjobs.app import create_app
from mockjobs.data.fixtures import FixtureError, parse_records, read_fixture_file
from mockjobs.mock.datasets import DataSet, populate
from mockjobs.store import open_store
from mockjobs.store.batches import Batches, Workloads
from mockjobs.store.jobs import Jobs
from mockjobs.vocabulary import ORIGINS, RECORD_FIELDS, STATUSES

from .rules import assert_consistent

EXAMPLES = Path(__file__).parent.parent / "mockjobs" / "examples"
DOCUMENTED_JOB = {  # the example of the API document, as the API must serve it
    "id": "00000000-0000-0000-0000-000000000003",
    "status": "DONE",
    "runs": 100,
    "batch_id": "00000000-0000-0000-0000-000000000002",
    "project_id": "00000000-0000-0000-0000-000000000001",
    "created_at": "2025-01-15T10:30:00Z",
    "updated_at": "2025-01-15T10:35:00Z",
    "start_timestamp": "2025-01-15T10:31:00Z",
    "end_timestamp": "2025-01-15T10:35:00Z",
    "variables": {"omega": 5},
    "progress": 100,
    "creation_order": 1,
}


def write(tmp_path: Path, content: Any, name: str = "jobs.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_the_documented_job_is_served_as_documented() -> None:
    app = create_app({"SEED": 0, "FIXTURES": [str(EXAMPLES / "documented_example.json")]})
    body = app.test_client().get("/api/v2/jobs").get_json()
    assert body["pagination"] == {"total": 1, "start": 0, "end": 1}
    (job,) = body["data"]
    assert {key: job[key] for key in DOCUMENTED_JOB} == DOCUMENTED_JOB
    assert (job["parent_id"], job["errors"]) == (None, [])


def test_the_example_with_every_status_and_origin() -> None:
    records = read_fixture_file(EXAMPLES / "every_status_and_origin.json")
    assert {r["status"] for r in records} == set(STATUSES)
    assert {r["origin"] for r in records} == set(ORIGINS)


def test_every_example_file_loads() -> None:
    paths = sorted(EXAMPLES.glob("*.json"))
    assert len(paths) >= 2
    app = create_app({"SEED": 10, "FIXTURES": [str(p) for p in paths]})
    assert app.extensions["mockjobs"].jobs.count() == 10 + sum(
        len(read_fixture_file(p)) for p in paths
    )


@pytest.mark.parametrize("status", STATUSES)
def test_a_record_with_only_a_status_becomes_a_consistent_job(status: str) -> None:
    for job in parse_records([{"status": status}] * 30):
        assert tuple(job) == RECORD_FIELDS
        assert job["status"] == status
        assert_consistent(job)


def test_given_fields_are_kept_and_the_rest_fits_them() -> None:
    (job,) = parse_records([{"start_timestamp": "2025-02-01T10:00:00+01:00", "runs": 7}])
    assert job["status"] == "RUNNING" and job["runs"] == 7
    assert job["start_timestamp"].isoformat() == "2025-02-01T09:00:00+00:00"
    assert job["created_at"] <= job["start_timestamp"] <= job["updated_at"]
    (job,) = parse_records([{"errors": ["boom"]}])
    assert job["status"] == "ERROR" and job["errors"] == ["boom"]
    (job,) = parse_records([{"start_timestamp": None}])
    assert job["status"] == "PENDING"


def test_completion_is_deterministic_and_ids_are_unique() -> None:
    first = parse_records([{}] * 50)
    assert first == parse_records([{}] * 50)
    assert len({job["id"] for job in first}) == 50


def test_jobs_of_a_batch_share_project_user_and_origin() -> None:
    jobs = parse_records(
        [
            {"batch_id": "b"},
            {"batch_id": "b", "origin": "OVH"},
            {"batch_id": "c"},
            {"batch_id": "b"},
        ]
    )
    batch_b = [(j["project_id"], j["user_id"], j["origin"]) for j in jobs if j["batch_id"] == "b"]
    assert len(set(batch_b)) == 1 and batch_b[0][2] == "OVH"


def test_a_bare_list_and_a_jobs_object_are_the_same() -> None:
    assert parse_records([{"id": "x"}]) == parse_records({"jobs": [{"id": "x"}]})


BAD_FILES = [
    ("{", "malformed JSON"),
    ('{"jobs": [{"id": "a"}], "more": 1}', "expected a list of job records"),
    ("42", "expected a list of job records"),
    ("[1]", "record 0: expected an object"),
    ([{"runs": "100"}], "record 0: field 'runs': Not a valid integer."),
    ([{"runs": True}], "record 0: field 'runs': Not a valid integer."),
    ([{"runs": 2**63}], "record 0: field 'runs'"),
    ([{}, {"status": "done"}], "record 1: field 'status': Must be one of: PENDING, RUNNING"),
    ([{"origin": "MARS"}], "record 0: field 'origin'"),
    ([{"created_at": "yesterday"}], "record 0: field 'created_at': Not a valid datetime."),
    ([{"end_timestamp": 1700000000}], "record 0: field 'end_timestamp'"),
    ([{"errors": "boom"}], "record 0: field 'errors': Not a valid list."),
    ([{"errors": ["ok", 1]}], "record 0: field 'errors[1]': Not a valid string."),
    ([{"variables": []}], "record 0: field 'variables': Not a valid mapping type."),
    ([{"progress": 101}], "record 0: field 'progress'"),
    ([{"id": None}], "record 0: field 'id': Field may not be null."),
    ([{"id": ""}], "record 0: field 'id': Must not be empty."),
    (
        [{"created_at": "0001-01-01T00:00:00+01:00"}],
        "record 0: field 'created_at': Not a valid datetime.",
    ),
    ([{"result": "yes"}], "record 0: field 'result'"),
    ([{"stauts": "DONE"}], "record 0: field 'stauts': Unknown field."),
    ([{"id": "a"}, {"id": "b"}, {"id": "a"}], "record 2: field 'id': duplicate id 'a'"),
    ('[{"id": "\\ud800"}]', "record 0: field 'id': not valid Unicode"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES, ids=[m for _, m in BAD_FILES])
def test_a_bad_file_is_refused_naming_file_record_and_field(
    tmp_path: Path, content: Any, message: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(FixtureError) as error:
        read_fixture_file(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="cannot read: No such file"):
        read_fixture_file(tmp_path / "missing.json")
    (tmp_path / "latin1.json").write_bytes(b'[{"id": "caf\xe9"}]')
    with pytest.raises(FixtureError, match=r"latin1\.json: cannot read"):
        read_fixture_file(tmp_path / "latin1.json")
    with pytest.raises(FixtureError, match="cannot read"):
        read_fixture_file(tmp_path)


def test_nothing_is_loaded_from_a_bad_file(tmp_path: Path) -> None:
    good = write(tmp_path, [{"id": "good"}], "good.json")
    bad = write(tmp_path, [{"id": "fine"}, {"status": "nope"}], "bad.json")
    store = open_store()
    jobs = Jobs(store)
    with pytest.raises(FixtureError, match=r"bad\.json: record 1"):
        populate(
            jobs, Batches(store), Workloads(store), DataSet(seed=5, fixtures=(str(good), str(bad)))
        )
    assert jobs.count() == 0


def test_an_id_in_two_files_is_refused_naming_the_second(tmp_path: Path) -> None:
    first = write(tmp_path, [{"id": "same"}], "first.json")
    second = write(tmp_path, [{"id": "other"}, {"id": "same"}], "second.json")
    with pytest.raises(
        FixtureError, match=r"second\.json: record 1: field 'id': duplicate id 'same'"
    ):
        create_app({"SEED": 0, "FIXTURES": [str(first), str(second)]})


def test_a_file_s_errors_are_reported_together_up_to_a_bound(tmp_path: Path) -> None:
    from mockjobs.data.fixtures import MAX_REPORTED

    bad = write(tmp_path, [{"status": "nope"}, {}, {"runs": "x"}, 3], "bad.json")
    with pytest.raises(FixtureError) as raised:
        read_fixture_file(bad)
    assert str(raised.value) == (
        "bad.json: record 0: field 'status': Must be one of: PENDING, RUNNING, DONE, ERROR,"
        " CANCELED, CANCELING.; bad.json: record 2: field 'runs': Not a valid integer.;"
        " bad.json: record 3: expected an object, got 3"
    ).replace("bad.json", str(bad))
    many = write(tmp_path, [{"runs": "x"}] * (MAX_REPORTED + 5), "many.json")
    with pytest.raises(FixtureError, match=r"and 5 more errors$") as raised:
        read_fixture_file(many)
    assert len(raised.value.all) == MAX_REPORTED
    api = create_app({"SEED": 0}).test_client()
    answer = api.post("/_mock/jobs", json=[{"status": "nope"}, {"runs": "x"}])
    assert [e["loc"] for e in answer.get_json()["detail"]] == [
        ["body", 0, "status"],
        ["body", 1, "runs"],
    ]
