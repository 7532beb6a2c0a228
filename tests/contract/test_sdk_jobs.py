"""The official SDK's job listing against the target, checked against an oracle of its data.

Every expectation is computed here, from the whole data set fetched without filters
(the `oracle` fixture), by the API's rules; none is read from the server's filtering.
"""

from __future__ import annotations

import importlib.util
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest

pytest.importorskip(
    "pasqal_cloud", reason="the contract tests need the official SDK: pip install pasqal-cloud"
)

from pasqal_cloud.batch import Batch
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
ABSENT_ID = "00000000-0000-4000-8000-000000000000"


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


def in_creation_order(jobs: Jobs) -> Jobs:
    """order_by=creation_order&order_by_direction=ASC, ties broken by id ASC."""
    return sorted(jobs, key=lambda job: (job["creation_order"], job["id"]))


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


def every_field_of(p: Picks) -> dict[str, Any]:
    """Each filter the SDK offers, at once, all satisfied by p.job (on its boundaries)."""
    job = p.job
    filters = {
        "id": [job["id"], *ids(p.jobs)],
        "project_id": [job["project_id"], *p.projects],
        "batch_id": [job["batch_id"], *p.batches],
        "status": [JobStatus(job["status"]), p.status],
        "min_runs": job["runs"],
        "max_runs": job["runs"],
        "errors": bool(job["errors"]),
        "start_date": job["start_timestamp"],
        "end_date": job["end_timestamp"],
    }
    if p.user is not None:
        filters["user_id"] = job["user_id"]
    return filters


def date_window(p: Picks) -> dict[str, Any]:
    return {"start_date": p.started - timedelta(days=3), "end_date": p.ended + timedelta(days=3)}


PLUS_2 = timezone(timedelta(hours=2))
MINUS_5 = timezone(timedelta(hours=-5))

CASES: dict[str, Callable[[Picks], dict[str, Any]]] = {
    "id": lambda p: {"id": p.job["id"]},
    "id as a UUID": lambda p: {"id": UUID(p.job["id"])},
    "id list": lambda p: {"id": ids(p.jobs)},
    "project_id": lambda p: {"project_id": p.project},
    "project_id list": lambda p: {"project_id": p.projects},
    "user_id": lambda p: {"user_id": p.need_users()[0]},
    "user_id list": lambda p: {"user_id": p.need_users()[1]},
    "batch_id": lambda p: {"batch_id": p.batch},
    "batch_id list": lambda p: {"batch_id": p.batches},
    "status": lambda p: {"status": p.status},
    "status as text": lambda p: {"status": p.status.value},
    "status list": lambda p: {"status": p.statuses},
    "min_runs": lambda p: {"min_runs": p.runs},
    "max_runs": lambda p: {"max_runs": p.runs},
    "min_runs equal to max_runs": lambda p: {"min_runs": p.runs, "max_runs": p.runs},
    "errors True": lambda p: {"errors": True},
    "errors False": lambda p: {"errors": False},
    "start_date in UTC": lambda p: {"start_date": p.started},
    "start_date with an offset": lambda p: {"start_date": p.started.astimezone(PLUS_2)},
    "start_date naive": lambda p: {"start_date": p.started.replace(tzinfo=None)},
    "end_date in UTC": lambda p: {"end_date": p.ended},
    "end_date with an offset": lambda p: {"end_date": p.ended.astimezone(MINUS_5)},
    "start_date and end_date": date_window,
    "project, statuses and runs": lambda p: {
        "project_id": p.project,
        "status": p.statuses,
        "min_runs": p.runs,
    },
    "id list and status": lambda p: {"id": ids(p.jobs), "status": p.jobs[0]["status"]},
    "user and project": lambda p: {
        "user_id": [p.need_users()[0], *p.need_users()[1]],
        "project_id": [p.project, *p.projects],
    },
    "every field at once": every_field_of,
}

EMPTY_CASES: dict[str, Callable[[Picks], dict[str, Any]]] = {
    "min_runs above max_runs": lambda p: {"min_runs": p.runs + 1, "max_runs": p.runs},
    "min_runs beyond 64 bits": lambda p: {"min_runs": 10**30},  # an empty page, no 5xx
    "max_runs negative": lambda p: {"max_runs": -1},
    "an absent id": lambda p: {"id": ABSENT_ID},
    "DONE with errors": lambda p: {"status": JobStatus.DONE, "errors": True},
    "start_date after every start": lambda p: {"start_date": datetime(9999, 1, 1, tzinfo=UTC)},
    "end_date before every end": lambda p: {"end_date": datetime(1970, 1, 1, tzinfo=UTC)},
    "an id and another batch": lambda p: {
        "id": p.job["id"],
        "batch_id": next(batch for batch in p.batches if batch != p.job["batch_id"]),
    },
}


# get_jobs and its filters


@pytest.mark.parametrize("case", CASES)
def test_filter(
    case: str, sdk: PasqalCloudClient, oracle: Jobs, picks: Picks, target: Target
) -> None:
    filters = CASES[case](picks)
    expected = newest_first(select(oracle, **filters))
    require_meaningful(expected, oracle, target)
    jobs, total = fetch_all(sdk, JobFilters(**filters))
    assert ids(jobs) == ids(expected)
    assert total == len(expected)


@pytest.mark.parametrize("case", EMPTY_CASES)
def test_empty_result(case: str, sdk: PasqalCloudClient, oracle: Jobs, picks: Picks) -> None:
    filters = EMPTY_CASES[case](picks)
    assert select(oracle, **filters) == []
    page = sdk.get_jobs(filters=JobFilters(**filters))
    assert (page.results, page.total, page.offset) == ([], 0, 0)


def test_every_job_arrives_whole(sdk: PasqalCloudClient, served_jobs: Jobs) -> None:
    """Each Job the SDK builds holds exactly the fields of the job list, values unchanged."""
    jobs, total = fetch_all(sdk, JobFilters())
    assert total == len(served_jobs)
    assert all(isinstance(job, Job) for job in jobs)
    # `_client`, the SDK's own handle, lands among the model's extra fields
    assert [job.model_dump(exclude={"_client"}) for job in jobs] == served_jobs


def test_jobs_of_a_status_the_sdk_does_not_know_are_read_but_not_filtered(
    sdk: PasqalCloudClient, oracle: Jobs
) -> None:
    """The SDK's JobStatus lacks CANCELING: such jobs arrive, but no filter selects them."""
    with pytest.raises(ValidationError, match="Input should be 'PENDING'"):
        JobFilters(status="CANCELING")
    canceling = [job for job in oracle if job["status"] == "CANCELING"]
    if not canceling:
        pytest.skip("no CANCELING job in the data")
    page = sdk.get_jobs(filters=JobFilters(id=ids(canceling[:100])))
    assert {job.status for job in page.results} == {"CANCELING"}


def test_origin_is_no_filter_of_the_sdk(
    sdk: PasqalCloudClient, oracle: Jobs, sent: list[Any]
) -> None:
    """JobFilters has no origin (nor id__starts_with): pydantic drops it without a word."""
    assert "origin" not in JobFilters.model_fields
    page = sdk.get_jobs(filters=JobFilters(origin="AZURE"))  # type: ignore[call-arg]
    assert urlsplit(sent[-1].url).query == "offset=0&limit=100"
    assert page.total == len(oracle)


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
