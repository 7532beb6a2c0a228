"""The exact request the official SDK's get_jobs sends for filters and pages; the API takes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
from pasqal_cloud.utils.constants import JobStatus
from pasqal_cloud.utils.filters import JobFilters, PaginationParams

from .conftest import SDK_WARNINGS, Target
from .test_sdk_jobs import PLUS_2

pytestmark = SDK_WARNINGS

# What goes over the wire

U1 = "3f2a0000-0000-4000-8000-000000000001"
U2 = "3f2a0000-0000-4000-8000-000000000002"
WIRE: list[tuple[dict[str, Any], dict[str, int], str]] = [
    ({}, {}, "offset=0&limit=100"),
    ({}, {"offset": 40, "limit": 20}, "offset=40&limit=20"),
    ({"id": U1}, {}, f"id={U1}&offset=0&limit=100"),
    ({"id": [UUID(U1), U2]}, {}, f"id={U1}&id={U2}&offset=0&limit=100"),
    ({"project_id": [U1, U2]}, {}, f"project_id={U1}&project_id={U2}&offset=0&limit=100"),
    ({"user_id": "someone"}, {}, "user_id=someone&offset=0&limit=100"),
    ({"batch_id": U1}, {}, f"batch_id={U1}&offset=0&limit=100"),
    ({"status": JobStatus.DONE}, {}, "status=DONE&offset=0&limit=100"),
    ({"status": ["DONE", JobStatus.ERROR]}, {}, "status=DONE&status=ERROR&offset=0&limit=100"),
    ({"min_runs": 100, "max_runs": 500}, {}, "min_runs=100&max_runs=500&offset=0&limit=100"),
    ({"errors": True}, {}, "errors=True&offset=0&limit=100"),
    ({"errors": False}, {}, "errors=False&offset=0&limit=100"),
    (
        {"start_date": datetime(2025, 5, 1, tzinfo=UTC)},
        {},
        "start_date=2025-05-01T00%3A00%3A00%2B00%3A00&offset=0&limit=100",
    ),
    (
        {"start_date": datetime(2025, 5, 1)},
        {},
        "start_date=2025-05-01T00%3A00%3A00&offset=0&limit=100",
    ),
    (
        {"end_date": datetime(2025, 5, 31, 23, 59, 59, 250000, tzinfo=PLUS_2)},
        {},
        "end_date=2025-05-31T23%3A59%3A59.250000%2B02%3A00&offset=0&limit=100",
    ),
    (  # the order of JobFilters' fields, whatever the order of the arguments
        {"errors": False, "status": "ERROR", "user_id": "u", "min_runs": 1, "id": U1},
        {"limit": 5},
        f"id={U1}&min_runs=1&user_id=u&status=ERROR&errors=False&offset=0&limit=5",
    ),
    ({"user_id": []}, {}, "offset=0&limit=100"),  # an empty list is no filter
]


@pytest.mark.parametrize(
    ("filters", "pagination", "query"),
    WIRE,
    ids=["-".join([*filters, *pagination]) or "nothing" for filters, pagination, _ in WIRE],
)
def test_query_string(
    filters: dict[str, Any],
    pagination: dict[str, int],
    query: str,
    sdk: PasqalCloudClient,
    sent: list[Any],
    target: Target,
) -> None:
    """The exact request get_jobs sends, and that the API accepts it (no 422)."""
    sdk.get_jobs(filters=JobFilters(**filters), pagination_params=PaginationParams(**pagination))
    (request,) = sent
    url = urlsplit(request.url)
    assert (request.method, f"{url.scheme}://{url.netloc}{url.path}", url.query) == (
        "GET",
        f"{target.url}/api/v2/jobs",
        query,
    )
    assert request.headers["Authorization"] == f"Bearer {target.token}"
    assert request.headers["User-Agent"].startswith("PasqalCloudSDK/")
    assert request.body is None
