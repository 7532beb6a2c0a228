"""A batch's jobs as the official SDK lists them: in creation order, over every page."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

from pasqal_cloud.batch import Batch
from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient

from .conftest import SDK_WARNINGS
from .test_sdk_jobs import Picks, ids, select
from .test_sdk_jobs import picks as picks

pytestmark = SDK_WARNINGS

Jobs = list[dict[str, Any]]


def in_creation_order(jobs: Jobs) -> Jobs:
    """order_by=creation_order&order_by_direction=ASC, ties broken by id ASC."""
    return sorted(jobs, key=lambda job: (job["creation_order"], job["id"]))


# A batch's jobs, as the SDK lists them


def batch_of(sdk: PasqalCloudClient, jobs: Jobs) -> Batch:
    """The Batch that get_batch would build from GET /api/v2/batches/{id} (not served yet)."""
    first = in_creation_order(jobs)[0]
    return Batch(
        id=first["batch_id"],
        project_id=first["project_id"],
        user_id=first.get("user_id", "unknown"),
        status=first["status"],
        open=False,
        complete=True,
        device_type="FRESNEL",
        created_at=first["created_at"].isoformat(),
        updated_at=first["updated_at"].isoformat(),
        _client=sdk._client,
    )


def test_a_batch_lists_its_jobs_in_creation_order(
    sdk: PasqalCloudClient, oracle: Jobs, picks: Picks, sent: list[Any]
) -> None:
    expected = in_creation_order(select(oracle, batch_id=picks.batch))
    batch = batch_of(sdk, expected)
    assert ids(batch.ordered_jobs) == ids(expected)
    assert [urlsplit(request.url).query for request in sent] == [
        f"batch_id={picks.batch}&order_by=creation_order&order_by_direction=ASC"
    ]
    assert [job.creation_order for job in batch.ordered_jobs] == sorted(
        job["creation_order"] for job in expected
    )
    with pytest.warns(DeprecationWarning, match="'jobs' attribute is deprecated"):
        assert list(batch.jobs) == ids(expected)


def test_a_batch_listing_reads_every_page(
    sdk: PasqalCloudClient, oracle: Jobs, sent: list[Any]
) -> None:
    """The SDK's paging loop (offset = end until end >= total), over more than two pages.

    No batch of the data is that big, so several batch ids go through the very call that
    Batch.ordered_jobs makes (`get_batch_jobs`), which sends them as a repeated parameter.
    """
    sizes = Counter(job["batch_id"] for job in oracle)
    batches, count = [], 0
    for batch, size in sizes.most_common():
        if count > 200:
            break
        batches.append(batch)
        count += size
    if count <= 200:
        pytest.skip("fewer than 201 jobs in the data")
    expected = in_creation_order(select(oracle, batch_id=batches))
    listed = sdk._client.get_batch_jobs(batch_id=batches)  # type: ignore[arg-type]
    assert ids(listed) == ids(expected)
    batch_ids = "&".join(f"batch_id={batch}" for batch in batches)
    query = f"{batch_ids}&order_by=creation_order&order_by_direction=ASC"
    pages = range(0, len(expected), 100)
    assert [urlsplit(request.url).query for request in sent] == [
        query if offset == 0 else f"{query}&offset={offset}" for offset in pages
    ]
