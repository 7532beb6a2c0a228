"""The plugin with batches: fast-forward by marker, fates decided from the test."""

from __future__ import annotations

import pytest
import requests

from mockjobs.errors import InvalidInput
from mockjobs.server import MockJobsServer

BODY = {"sequence_builder": "{}", "jobs": [{"runs": 10}, {"runs": 10}], "project_id": "p"}


@pytest.mark.mockjobs(fast_forward=True, error_rate=0)
def test_a_marker_fast_forwards_and_fates_come_from_the_test(mockjobs: MockJobsServer) -> None:
    assert len(mockjobs.decide_fates("ERROR", errors=["QPU lost"])) == 1
    batch = requests.post(f"{mockjobs.url}/api/v1/batches", json=BODY, timeout=10).json()["data"]
    polled = requests.get(f"{mockjobs.url}/api/v1/batches/{batch['id']}/status", timeout=10)
    counts = polled.json()["data"]["jobs_count_per_status"]
    assert (counts["ERROR"], counts["DONE"]) == (1, 1)
    mockjobs.assert_request_made(f"/api/v1/batches/{batch['id']}/status")


def test_the_next_test_starts_without_the_batch_or_the_fates(mockjobs: MockJobsServer) -> None:
    listed = requests.get(f"{mockjobs.url}/api/v1/batches?limit=1", timeout=10).json()["data"]
    assert listed and listed[0]["project_id"] != "p"
    assert mockjobs.mock.batches.fates() == []
    with pytest.raises(InvalidInput, match="decide_fates: status: Must be one of: DONE, ERROR"):
        mockjobs.decide_fates("MAYBE")
