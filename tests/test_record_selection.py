"""`mockjobs record` of a selection: by filter, user or batch; whole batches or matching only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .test_record import (
    ORDERS,
    PAGING,
    assert_same,
    assert_same_batches,
    get,
    jobs_of,
    recorded,
    served,
)

# Fixtures, imported to apply here too (`as` marks them used, not unused imports).
from .test_record import quick_retries as quick_retries
from .test_record import source as source


def batches_of(url: str, ids: list[str]) -> list[dict[str, Any]]:
    return [get(url, f"/api/v2/batches/{batch_id}").json()["data"] for batch_id in ids]


@pytest.mark.parametrize(
    "options, query",
    [
        (["--status", "ERROR", "--status", "CANCELED", "--min-runs", "100"],
         "status=ERROR&status=CANCELED&min_runs=100"),
        (["--origin", "AZURE", "--origin", "OVH"], "origin=AZURE&origin=OVH"),
        (["--errors", "false", "--start-date", "2025-05-25"], "errors=false&start_date=2025-05-25"),
        (["--id-starts-with", "a", "--max-runs", "500"], "id__starts_with=a&max_runs=500"),
        (["--end-date", "1748000000"], "end_date=1748000000"),
    ],
)  # fmt: skip
def test_a_filtered_recording_holds_whole_batches_and_serves_the_filter_the_same(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str],
    query: str,
) -> None:  # fmt: skip
    path = tmp_path / "filtered.json"
    recorded(capsys, path, source, *options)
    matching = jobs_of(source, query)
    batch_ids = list(dict.fromkeys(job["batch_id"] for job in matching))
    document = json.loads(path.read_text())
    assert {batch["id"] for batch in document["batches"]} == set(batch_ids)
    whole = sum(batch["jobs_count"] for batch in batches_of(source, batch_ids))
    assert len(document["jobs"]) == whole >= len(matching) > 0
    copy = served(path)
    for extra in (*PAGING, *ORDERS[::3]):
        assert_same(source, copy, f"/api/v2/jobs?{query}&{extra}")
    for batch_id in batch_ids[:3]:
        assert_same(source, copy, f"/api/v2/jobs?batch_id={batch_id}")
    assert_same_batches(source, copy, batch_ids)


def test_a_selection_by_user_and_batch(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batches = get(source, "/api/v1/batches?limit=100").json()["data"]
    user, two = batches[0]["user_id"], [batches[3]["id"], batches[7]["id"]]
    path = tmp_path / "user.json"
    recorded(capsys, path, source, "--user-id", user)
    for extra in PAGING:
        assert_same(source, served(path), f"/api/v2/jobs?user_id={user}&{extra}")
    recorded(capsys, path, source, "--batch-id", two[0], "--batch-id", two[1])
    copy = served(path)
    assert_same(source, copy, f"/api/v2/jobs?batch_id={two[0]}&batch_id={two[1]}")
    assert_same(source, copy, "/api/v2/jobs?" + "&".join(f"id={j['id']}" for j in jobs_of(source, f"batch_id={two[0]}")))  # fmt: skip
    assert_same_batches(source, copy, two)


def test_only_matching_records_the_selection_alone(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "status=DONE&max_runs=500"
    path = tmp_path / "done.json"
    recorded(capsys, path, source, "--status", "DONE", "--max-runs", "500", "--only-matching")
    matching = jobs_of(source, query)
    document = json.loads(path.read_text())
    assert sorted(job["id"] for job in document["jobs"]) == sorted(job["id"] for job in matching)
    copy = served(path)
    for extra in (*PAGING, *ORDERS[::4]):
        assert_same(source, copy, f"/api/v2/jobs?{query}&{extra}")
        # the copy holds the selection only: its whole list is the source's filtered one
        original = get(source, f"/api/v2/jobs?{query}&{extra}")
        assert copy.get(f"/api/v2/jobs?{extra}").data == original.content
    recorded_per_batch: dict[str, int] = {}
    for job in matching:
        recorded_per_batch[job["batch_id"]] = recorded_per_batch.get(job["batch_id"], 0) + 1
    whole = []
    for batch in batches_of(source, list(recorded_per_batch)):
        answer = copy.get(f"/api/v2/batches/{batch['id']}").get_json()["data"]
        # counts and status follow the recorded jobs; the rest is the source's
        assert answer["jobs_count"] == recorded_per_batch[batch["id"]]
        for key in ("user_id", "project_id", "device_type", "created_at", "tags", "queue_priority"):
            assert answer[key] == batch[key]
        if batch["jobs_count"] == recorded_per_batch[batch["id"]]:
            whole.append(batch["id"])
    assert whole and len(whole) < len(recorded_per_batch)
    for batch_id in whole:  # a batch recorded whole is the source's, byte for byte
        assert_same(source, copy, f"/api/v2/batches/{batch_id}")
