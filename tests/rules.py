"""SPEC section 6's consistency rules of a job record, for the tests of every way jobs are made."""

from __future__ import annotations

from typing import Any


def assert_consistent(job: dict[str, Any]) -> None:
    """Timestamps in order; start, end, progress and errors as the status requires."""
    status, start, end, progress = (
        job["status"],
        job["start_timestamp"],
        job["end_timestamp"],
        job["progress"],
    )
    stamps = [s for s in (job["created_at"], start, end, job["updated_at"]) if s is not None]
    assert stamps == sorted(stamps), job
    if status == "PENDING":
        assert (start, end, progress) == (None, None, 0), job
    if status in ("RUNNING", "CANCELING"):
        assert start is not None and end is None and 1 <= progress <= 99, job
    if status == "DONE":
        assert start and end and progress == 100 and job["errors"] == [], job
    if status == "ERROR":
        assert end is not None and job["errors"], job
    if status == "CANCELED":
        assert end is not None, job
    if job["slurm_job_id"] is not None:
        assert start is not None and job["slurm_cluster_name"], job
