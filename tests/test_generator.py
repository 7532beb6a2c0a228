"""Generated data: deterministic, realistic and consistent (SPEC section 6)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from typing import Any

import pytest

from mockjobs.data.generator import DEVICES, NOW, generate_jobs
from mockjobs.data.writing import dump_records
from mockjobs.vocabulary import ORIGINS, RECORD_FIELDS, STATUSES

from .rules import assert_consistent

JOBS = list(generate_jobs(500))
EMULATOR_CLUSTERS = {cluster for cluster in DEVICES.values() if cluster}


def digest(jobs: Any) -> str:
    return hashlib.sha256("".join(dump_records(jobs)).encode()).hexdigest()


def test_same_count_and_seed_give_the_same_jobs() -> None:
    assert digest(generate_jobs(500)) == digest(JOBS)
    assert digest(generate_jobs(500, 7)) == digest(generate_jobs(500, 7))


def test_another_seed_gives_other_jobs() -> None:
    assert digest(generate_jobs(500, 2)) != digest(JOBS)


def test_the_data_set_is_pinned() -> None:
    """Byte-identical on every machine and day: a change here changes every user's data."""
    assert digest(generate_jobs(50, 1)) == GOLDEN_50


GOLDEN_50 = "0d3b5e430d5de59fee97ac943005836c5a64c167b2b4b40cce979d54fdc5acfc"


def test_records_are_complete() -> None:
    assert len(JOBS) == 500
    assert all(tuple(job) == RECORD_FIELDS for job in JOBS)
    assert len({job["id"] for job in JOBS}) == 500


def test_seed_zero_is_empty() -> None:
    assert list(generate_jobs(0)) == []


@pytest.mark.parametrize("count", [500, 2000])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_status_and_origin_is_represented(count: int, seed: int) -> None:
    jobs = list(generate_jobs(count, seed))
    assert set(Counter(job["status"] for job in jobs)) == set(STATUSES)
    assert set(Counter(job["origin"] for job in jobs)) == set(ORIGINS)


def test_several_projects_users_and_batches() -> None:
    assert len({job["project_id"] for job in JOBS}) >= 3
    assert len({job["user_id"] for job in JOBS}) >= 5
    sizes = Counter(job["batch_id"] for job in JOBS)
    assert len(sizes) >= 20 and max(sizes.values()) >= 5 and min(sizes.values()) == 1


def test_status_rules() -> None:
    for job in JOBS:
        assert_consistent(job)
        if job["status"] != "ERROR":
            assert job["errors"] == []


def test_timestamps_are_ordered_and_not_in_the_future() -> None:
    for job in JOBS:
        stamps = [job[k] for k in ("created_at", "start_timestamp", "end_timestamp", "updated_at")]
        present = [stamp for stamp in stamps if stamp is not None]
        assert present == sorted(present), job
        assert max(present) <= NOW


def test_batches_share_project_user_origin_and_number_their_jobs() -> None:
    batches: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for job in JOBS:
        batches[job["batch_id"]].append(job)
    for jobs in batches.values():
        assert (
            len({(j["project_id"], j["user_id"], j["origin"], j["created_at"]) for j in jobs}) == 1
        )
        assert sorted(j["creation_order"] for j in jobs) == list(range(1, len(jobs) + 1))


def test_retries_name_an_earlier_failed_job() -> None:
    by_id = {job["id"]: job for job in JOBS}
    retries = [job for job in JOBS if job["parent_id"]]
    assert len(retries) >= 5
    for job in retries:
        parent = by_id[job["parent_id"]]
        assert parent["created_at"] < job["created_at"]
        assert parent["status"] in ("ERROR", "CANCELED")
        assert (parent["project_id"], parent["variables"], parent["runs"]) == (
            job["project_id"], job["variables"], job["runs"],
        )  # fmt: skip


def test_slurm_fields_only_for_jobs_run_on_an_emulator_cluster() -> None:
    for job in JOBS:
        if job["slurm_job_id"] is None:
            assert job["slurm_cluster_name"] is None
        else:
            assert job["slurm_cluster_name"] in EMULATOR_CLUSTERS
            assert job["start_timestamp"] is not None
    assert 50 < sum(job["slurm_job_id"] is not None for job in JOBS) < 450


def test_variables_runs_and_errors_look_real() -> None:
    assert any(job["variables"] == {} for job in JOBS)
    assert any("omega" in job["variables"] for job in JOBS)
    assert {job["runs"] for job in JOBS} <= {50, 100, 200, 250, 500, 1000}
    assert all(isinstance(message, str) and message for job in JOBS for message in job["errors"])
    json.dumps([job["variables"] for job in JOBS])  # plain JSON


def test_ties_on_created_at_exist_within_batches() -> None:
    """Jobs of a batch are created together: ordering must break ties by id."""
    created = Counter(job["created_at"] for job in JOBS)
    assert max(created.values()) > 1
