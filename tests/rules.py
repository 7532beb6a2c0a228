"""SPEC section 6's consistency rules of a job record, for the tests of every way jobs are made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mockjobs.domain.jobs import inconsistencies


def assert_consistent(job: dict[str, Any]) -> None:
    """Timestamps in order; start, end, progress and errors as the status requires."""
    record = {
        key: datetime.fromisoformat(value.replace("Z", "+00:00"))
        if key.endswith(("_at", "_timestamp")) and isinstance(value, str)
        else value
        for key, value in job.items()
    }
    assert inconsistencies(record) == [], (job, inconsistencies(record))
