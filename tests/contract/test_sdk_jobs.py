"""The official SDK's job listing against the target, checked against an oracle of its data.

Every expectation is computed here, from the whole data set fetched without filters
(the `oracle` fixture), by the API's rules; none is read from the server's filtering.
test_sdk_filters.py, test_sdk_batch_jobs.py and test_sdk_query_string.py use these rules too.
"""

from __future__ import annotations

import importlib.util
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

from pasqal_cloud.endpoints import Endpoints
from pasqal_cloud.job import Job
from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
from pasqal_cloud.sdk import SDK
from pasqal_cloud.utils.constants import JobStatus
from pasqal_cloud.utils.filters import JobFilters, PaginationParams
from pydantic import ValidationError

from .conftest import Target, fixed_token

pytestmark = [
    # The SDK warns, from 30 days before the end of its version's maintenance window
    # (2027-09-08 for 0.24.0) and forever after, on every client it builds: a date, not a
    # contract, so it must not fail these tests.
    pytest.mark.filterwarnings(r"ignore:SDK version \S+ will be deprecated on:DeprecationWarning"),
    pytest.mark.filterwarnings(r"ignore:SDK version \S+ is no longer supported:DeprecationWarning"),
]

Jobs = list[dict[str, Any]]
QUICKSTART = Path(__file__).resolve().parents[1] / "examples" / "sdk_quickstart.py"


# The oracle's rules


def as_list(value: Any) -> list[Any] | None:
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


def as_utc(moment: datetime) -> datetime:
    """A naive date-time is UTC, as the API reads it."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def select(jobs: Jobs, **filters: Any) -> Jobs:
    """The jobs that JobFilters(**filters) selects: AND across fields, OR within a list."""
    wanted = {
        name: {str(value.value if isinstance(value, JobStatus) else value) for value in values}
        for name in ("id", "project_id", "user_id", "batch_id", "status")
        if (values := as_list(filters.get(name))) is not None
    }
    min_runs, max_runs = filters.get("min_runs"), filters.get("max_runs")
    errors = filters.get("errors")
    start_date, end_date = filters.get("start_date"), filters.get("end_date")

    def matches(job: dict[str, Any]) -> bool:
        return (
            all(job[name] in values for name, values in wanted.items())
            and (min_runs is None or job["runs"] >= min_runs)
            and (max_runs is None or job["runs"] <= max_runs)
            and (errors is None or bool(job["errors"]) == errors)
            and (
                start_date is None
                or (
                    job["start_timestamp"] is not None
                    and job["start_timestamp"] >= as_utc(start_date)
                )
            )
            and (
                end_date is None
                or (job["end_timestamp"] is not None and job["end_timestamp"] <= as_utc(end_date))
            )
        )

    return [job for job in jobs if matches(job)]


def newest_first(jobs: Jobs) -> Jobs:
    """The API's default order: created_at DESC, ties broken by id DESC."""
    return sorted(jobs, key=lambda job: (job["created_at"], job["id"]), reverse=True)


def ids(jobs: list[dict[str, Any]] | list[Job]) -> list[str]:
    return [job.id if isinstance(job, Job) else job["id"] for job in jobs]


def require_meaningful(expected: Jobs, oracle: Jobs, target: Target) -> None:
    """A filter must select some jobs but not all, or the test proves nothing."""
    if 0 < len(expected) < len(oracle):
        return
    message = f"the filter selects {len(expected)} of {len(oracle)} jobs: nothing to tell apart"
    if target.local:
        pytest.fail(message)
    pytest.skip(message)  # a real endpoint's data is what it is


def fetch_all(
    sdk: PasqalCloudClient, filters: JobFilters, limit: int = 100
) -> tuple[list[Job], int]:
    """Every job the filters select, through get_jobs page by page; and the total."""
    jobs: list[Job] = []
    offset, totals = 0, set()
    while True:
        page = sdk.get_jobs(
            filters=filters, pagination_params=PaginationParams(offset=offset, limit=limit)
        )
        assert page.offset == offset
        assert len(page.results) <= limit
        jobs += page.results
        totals.add(page.total)
        offset += limit
        if offset >= page.total:
            assert len(totals) == 1, f"the total changed while paging: {totals}"
            return jobs, page.total


# Filter values drawn from the data


@dataclass(frozen=True)
class Picks:
    """Values from the data set such that each filter selects some jobs but not all."""

    job: dict[str, Any]  # a started and ended job, with errors if any job has some
    jobs: Jobs  # a handful, spread over the data set, of statuses the SDK knows
    project: str  # the largest project
    projects: list[str]  # the two smallest
    batch: str  # the largest batch
    batches: list[str]  # three batches of different sizes
    user: str | None  # the busiest user; None when user_id is unknown (a real endpoint)
    users: list[str] | None  # the two least busy
    status: JobStatus  # the second most common status
    statuses: list[JobStatus]  # the most and the least common
    runs: int  # the median number of runs
    started: datetime  # the median start_timestamp, exactly a job's
    ended: datetime  # the median end_timestamp, exactly a job's

    def need_users(self) -> tuple[str, list[str]]:
        if self.user is None or self.users is None:
            pytest.skip("user_id is not in the job list: the oracle knows it only for mockjobs")
        return self.user, self.users


def by_count(values: list[Any]) -> list[Any]:
    """The distinct values, the most frequent first (ties in order of appearance)."""
    return [value for value, _ in Counter(values).most_common()]


def median(values: list[Any]) -> Any:
    return statistics.median_low(sorted(values))


@pytest.fixture(scope="session")
def picks(oracle: Jobs) -> Picks:
    jobs = newest_first(oracle)
    known = [job for job in jobs if job["status"] in JobStatus.__members__]  # not CANCELING
    finished = [job for job in jobs if job["start_timestamp"] and job["end_timestamp"]]
    failed = [job for job in finished if job["errors"]] or finished
    projects = by_count([job["project_id"] for job in jobs])
    batches = by_count([job["batch_id"] for job in jobs])
    statuses = by_count([job["status"] for job in known])
    users = by_count([job["user_id"] for job in jobs]) if "user_id" in jobs[0] else None
    return Picks(
        job=failed[len(failed) // 2],
        jobs=known[:: max(1, len(known) // 5)][:5],
        project=projects[0],
        projects=projects[-2:],
        batch=batches[0],
        batches=[batches[0], batches[len(batches) // 2], batches[-1]],
        user=users[0] if users else None,
        users=users[-2:] if users else None,
        status=JobStatus(statuses[min(1, len(statuses) - 1)]),
        statuses=[JobStatus(statuses[0]), JobStatus(statuses[-1])],
        runs=median([job["runs"] for job in jobs]),
        started=median([job["start_timestamp"] for job in jobs if job["start_timestamp"]]),
        ended=median([job["end_timestamp"] for job in jobs if job["end_timestamp"]]),
    )


PLUS_2 = timezone(timedelta(hours=2))


# Pages


def test_default_page(sdk: PasqalCloudClient, oracle: Jobs) -> None:
    page = sdk.get_jobs()
    assert (page.total, page.offset) == (len(oracle), 0)
    assert ids(page.results) == ids(newest_first(oracle))[:100]


@pytest.mark.parametrize("limit", [37, 100])
def test_pages_give_every_job_once(limit: int, sdk: PasqalCloudClient, oracle: Jobs) -> None:
    jobs, total = fetch_all(sdk, JobFilters(), limit=limit)
    assert total == len(oracle)
    assert ids(jobs) == ids(newest_first(oracle))


def test_pages_of_one_job(sdk: PasqalCloudClient, oracle: Jobs, picks: Picks) -> None:
    expected = newest_first(select(oracle, batch_id=picks.batch))
    jobs, total = fetch_all(sdk, JobFilters(batch_id=picks.batch), limit=1)
    assert total == len(expected)
    assert ids(jobs) == ids(expected)


def test_a_page_of_a_filtered_list(sdk: PasqalCloudClient, oracle: Jobs, picks: Picks) -> None:
    filters = {"project_id": picks.project, "errors": False}
    expected = ids(newest_first(select(oracle, **filters)))
    offset = len(expected) // 3
    page = sdk.get_jobs(
        filters=JobFilters(**filters), pagination_params=PaginationParams(offset=offset, limit=7)
    )
    assert (page.total, page.offset) == (len(expected), offset)
    assert ids(page.results) == expected[offset : offset + 7]


def test_offset_past_the_end(sdk: PasqalCloudClient, oracle: Jobs) -> None:
    page = sdk.get_jobs(pagination_params=PaginationParams(offset=len(oracle) + 5, limit=10))
    assert (page.results, page.total, page.offset) == ([], len(oracle), len(oracle) + 5)


def test_the_sdk_refuses_pages_the_api_refuses() -> None:
    """limit must be 1..100 and offset >= 0 on both sides: the SDK checks before sending."""
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}):
        with pytest.raises(ValidationError):
            PaginationParams(**bad)


# The SDK's other entry points


def test_the_deprecated_sdk_alias(target: Target, oracle: Jobs) -> None:
    """`SDK(...)`, the name older code uses, is PasqalCloudClient with a warning."""
    with pytest.warns(DeprecationWarning, match="'SDK' is an alias to 'PasqalCloudClient'"):
        sdk = SDK(
            token_provider=fixed_token(target.token),
            endpoints=Endpoints(core=target.url, account=target.url),
        )
    assert sdk.get_jobs(pagination_params=PaginationParams(limit=1)).total == len(oracle)


def load_quickstart() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sdk_quickstart", QUICKSTART)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_quickstart(
    target: Target, oracle: Jobs, capsys: pytest.CaptureFixture[str]
) -> None:
    page = load_quickstart().main(target.url, target.token)
    expected = newest_first(select(oracle, status=["DONE", "ERROR"], min_runs=100))
    assert page.total == len(expected)
    assert ids(page.results) == ids(expected)[:5]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{len(expected)} jobs match; the newest {min(5, len(expected))}:"
    assert [line.split()[0] for line in lines[1:]] == ids(expected)[:5]


# Keep the fixtures' helpers honest


def test_oracle_selection_rules() -> None:
    """select() itself, on hand-made jobs: AND across fields, OR within one, dates as instants."""
    t = datetime(2025, 1, 1, tzinfo=UTC)
    jobs = [
        {"id": "a", "status": "DONE", "runs": 10, "errors": [], "start_timestamp": t, "end_timestamp": t},
        {"id": "b", "status": "ERROR", "runs": 20, "errors": ["x"], "start_timestamp": t, "end_timestamp": None},
        {"id": "c", "status": "PENDING", "runs": 30, "errors": [], "start_timestamp": None, "end_timestamp": None},
    ]  # fmt: skip
    assert ids(select(jobs, status=["DONE", JobStatus.ERROR])) == ["a", "b"]
    assert ids(select(jobs, status="DONE", errors=True)) == []
    assert ids(select(jobs, min_runs=20, max_runs=20)) == ["b"]
    assert ids(select(jobs, start_date=t.astimezone(PLUS_2))) == ["a", "b"]
    assert ids(select(jobs, start_date=t.replace(tzinfo=None) + timedelta(microseconds=1))) == []
    assert ids(select(jobs, end_date=t)) == ["a"]
