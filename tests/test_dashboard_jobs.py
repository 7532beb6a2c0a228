"""The dashboard's job list in a browser: filters, charts, a job's record, and paging."""

from __future__ import annotations

from mockjobs import MockJobsServer
from mockjobs.vocabulary import ORIGINS, STATUSES

from .test_dashboard import Page

# Fixtures, imported to apply here too (`as` marks them used, not unused imports).
from .test_dashboard import browser as browser
from .test_dashboard import page as page
from .test_dashboard import server as server

ERROR_JOBS = 20  # of the 200 jobs of random seed 1


def test_jobs_filters_charts_and_a_job(page: Page, server: MockJobsServer) -> None:
    page.wait_range("1-20/200")
    assert len(page.texts("[data-test=job-row]")) == 20
    assert page.find("#api-url").get_attribute("value") == f"{server.url}/api/v2/jobs?limit=20"
    assert (
        page.find("#curl-line").get_attribute("value")
        == f"curl -i '{server.url}/api/v2/jobs?limit=20'"
    )
    counts = "[data-test^=count-status-] , [data-test^=count-origin-]"
    page.wait(lambda: len(page.texts(counts)) == 10, "the charts")

    def count(name: str) -> str:
        return page.find(f"[data-test=count-{name}]").get_attribute("data-count")

    assert count("status-ERROR") == str(ERROR_JOBS)
    totals = [int(count(f"status-{status}")) for status in STATUSES]
    assert sum(totals) == 200
    assert sum(int(count(f"origin-{origin}")) for origin in ORIGINS) == 200
    assert "over all 200 matching jobs" in page.text("#chart-created-caption")

    page.find("#f-status-ERROR").click()
    page.wait_range(f"1-{ERROR_JOBS}/{ERROR_JOBS}")
    assert set(page.texts("[data-test=job-status]")) == {"ERROR"}
    assert "status=ERROR" in page.find("#api-url").get_attribute("value")
    page.wait(lambda: count("status-DONE") == "0" and count("status-ERROR") == "20", "counts")

    page.find("[data-test=job-link]").click()
    job_id = page.texts("[data-test=job-link]")[0]
    page.wait(lambda: job_id in page.text("#job-json") and "ERROR" in page.text("#job-json"), "job")
    assert page.text("#job-results") == "none (null: the job has no results)"


def test_paging_shows_the_content_range(page: Page) -> None:
    page.wait_range("1-20/200")
    first = page.texts("[data-test=job-link]")
    page.find("#page-next").click()
    page.wait_range("21-40/200")
    assert not set(first) & set(page.texts("[data-test=job-link]"))
    assert page.find("#api-url").get_attribute("value").endswith("limit=20&offset=20")
    page.find("#page-last").click()
    page.wait_range("181-200/200")
    assert not page.find("#page-next").is_enabled()
    page.find("#page-first").click()
    page.wait_range("1-20/200")
    assert page.texts("[data-test=job-link]") == first
