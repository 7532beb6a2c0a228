"""Batch records: generated with their jobs, loaded from fixture files, completed consistently."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from mockjobs.app import create_app
from mockjobs.data.fixtures import FixtureError, parse_fixture, read_fixture
from mockjobs.data.generator import generate
from mockjobs.domain.batches import batch_status
from mockjobs.vocabulary import BATCH_RECORD_FIELDS, DEVICE_TYPES, STATUSES


@pytest.mark.parametrize(("count", "seed"), [(1, 1), (60, 3), (2000, 1)])
def test_generated_batches_are_their_jobs_summary(count: int, seed: int) -> None:
    generator = generate(count, seed)
    jobs = list(generator.jobs())
    batches = list(generator.batches)
    assert {b["id"] for b in batches} == {j["batch_id"] for j in jobs}
    by_batch: dict[str, list[dict]] = {}
    for job in jobs:
        by_batch.setdefault(job["batch_id"], []).append(job)
    for batch in batches:
        assert list(batch) == list(BATCH_RECORD_FIELDS)
        mine = by_batch[batch["id"]]
        tally = Counter(job["status"] for job in mine)
        assert batch["jobs_count_per_status"] == {s: tally[s] for s in STATUSES}
        assert batch["status"] == batch_status(tally, batch["open"], batch["status"])
        assert {(j["project_id"], j["user_id"]) for j in mine} == {
            (batch["project_id"], batch["user_id"])
        }
        assert [j["creation_order"] for j in mine] == list(range(1, len(mine) + 1))
        assert batch["device_type"] in DEVICE_TYPES
        assert batch["created_at"] <= min(j["created_at"] for j in mine)
        # one device, one job at a time: none runs beside another, none starts before a
        # job ahead of it in the queue
        assert tally["RUNNING"] + tally["CANCELING"] <= 1
        waiting = [j["status"] == "PENDING" for j in mine if j["status"] != "CANCELED"]
        assert waiting == sorted(waiting), [j["status"] for j in mine]
    if count >= 2000:
        assert {b["status"] for b in batches} >= {"PENDING", "RUNNING", "DONE", "CANCELED"}
        assert any(b["parent_id"] for b in batches)  # retries of failed batches


def test_generation_is_deterministic_and_leaves_the_jobs_as_they_were() -> None:
    first, second = generate(300, 5), generate(300, 5)
    assert list(first.jobs()) == list(second.jobs())
    assert list(first.batches) == list(second.batches)


def test_a_fixture_s_partial_batch_is_completed_from_its_jobs() -> None:
    fixture = parse_fixture({
        "batches": [{"id": "b1", "project_id": "p1", "tags": ["x"], "open": True}],
        "jobs": [{"batch_id": "b1", "status": "DONE"}, {"batch_id": "b1", "status": "RUNNING"},
                 {"batch_id": "b2", "status": "ERROR"}],
    })  # fmt: skip
    b1, b2 = fixture.batches
    assert (b1["id"], b1["project_id"], b1["tags"], b1["status"], b1["jobs_count"]) == ("b1", "p1", ["x"], "RUNNING", 2)  # fmt: skip
    assert {j["project_id"] for j in fixture.jobs if j["batch_id"] == "b1"} == {"p1"}
    assert (b2["id"], b2["status"], b2["open"]) == ("b2", "ERROR", False)  # made from its job


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"batches": [{"id": "b", "status": "DONE"}], "jobs": [{"batch_id": "b", "status": "PENDING"}]},
         r"batch record 0: field 'status': contradicts its jobs, which make it \"PENDING\""),
        ({"batches": [{"id": "b", "device_type": "ABACUS"}], "jobs": []},
         r"batch record 0: field 'device_type'"),
        ({"batches": [{"id": "b", "project_id": "p"}], "jobs": [{"batch_id": "b", "project_id": "q"}]},
         r"record 0: field 'project_id': contradicts its batch"),
        ({"batches": [{"id": "b"}, {"id": "b"}], "jobs": []}, r"batch record 1: field 'id': duplicate"),
        ({"batches": {}, "jobs": []}, r'"batches" must be a list'),
    ],
)  # fmt: skip
def test_a_bad_batch_record_is_named_with_its_field(document: dict, message: str) -> None:
    with pytest.raises(FixtureError, match=message):
        parse_fixture(document)


def test_a_generated_file_serves_what_the_seed_serves(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mockjobs.cli import cli

    path = tmp_path / "g.json"
    assert CliRunner().invoke(cli, ["generate", "--count", "80", "-o", str(path)]).exit_code == 0
    assert set(json.loads(path.read_text())) == {"jobs", "batches"}
    assert len(read_fixture(path).batches) == len(json.loads(path.read_text())["batches"])
    seeded = create_app({"SEED": 80}).test_client()
    loaded = create_app({"SEED": 0, "FIXTURES": [str(path)]}).test_client()
    for query in ("/api/v1/batches?limit=100", "/api/v2/jobs?limit=100"):
        assert seeded.get(query).get_json() == loaded.get(query).get_json()


def test_control_jobs_take_batches_and_keep_summaries_in_step() -> None:
    api = create_app({"SEED": 5}).test_client()
    added = api.post("/_mock/jobs", json={"batches": [{"id": "mine", "tags": ["t"]}],
                                          "jobs": [{"batch_id": "mine", "status": "DONE"}]})  # fmt: skip
    assert added.status_code == 201
    batch = api.get("/api/v2/batches/mine").get_json()["data"]
    assert (batch["status"], batch["jobs_count"], batch["tags"]) == ("DONE", 1, ["t"])
    more = api.post("/_mock/jobs", json=[{"batch_id": "mine", "status": "PENDING", "project_id": batch["project_id"],
                                          "user_id": batch["user_id"]}])  # fmt: skip
    assert more.status_code == 201
    assert api.get("/api/v2/batches/mine").get_json()["data"]["status"] == "RUNNING"
    bad = api.post("/_mock/jobs", json={"batches": [{"id": "x", "open": "yes"}], "jobs": []})
    assert bad.status_code == 422 and bad.get_json()["detail"][0]["loc"] == [
        "body",
        "batches",
        0,
        "open",
    ]
