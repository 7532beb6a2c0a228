"""The dashboard in a real browser: headless Chromium from the distribution, driven by selenium.

Needs the Debian packages `chromium` and `chromium-driver` (the system chromedriver is used as it
is: selenium never downloads one). Without them the tests are skipped, loudly, except under CI
(the CI environment variable set), where they fail. MOCKJOBS_CHROMIUM and MOCKJOBS_CHROMEDRIVER
name other paths. `MOCKJOBS_SCREENSHOT=1` also saves the README's screenshot, docs/dashboard.png.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mockjobs import MockJobsServer
from mockjobs.vocabulary import (
    BATCH_STATUSES,
    DEVICE_TYPES,
    ORIGINS,
    QUEUE_PRIORITIES,
    SORTABLE_FIELDS,
    STATUSES,
)

# Debian's paths; elsewhere, point these variables at the browser and its matching driver.
CHROMIUM = os.environ.get("MOCKJOBS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MOCKJOBS_CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT = 15  # seconds, an upper bound: every wait ends as soon as the page is there
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "dashboard.png"
ERROR_JOBS = 20  # of the 200 jobs of random seed 1
BATCHES = 18  # the batches those 200 jobs are in


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            return (
                f"{path} is missing: apt-get install chromium chromium-driver (package {package})"
            )
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = missing_browser()
    if reason:
        message = f"THE DASHBOARD'S BROWSER TESTS DID NOT RUN: {reason}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--window-size=1400,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):  # fmt: skip
        options.add_argument(argument)
    # An explicit driver path: selenium-manager is never asked to find or download one.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(options.arguments[-1].partition("=")[2], ignore_errors=True)


@pytest.fixture(scope="module")
def server() -> Iterator[MockJobsServer]:
    with MockJobsServer(seed=200) as server:
        yield server


class Page:
    """The dashboard as a test sees it: read through the DOM, waited for, never slept on."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver, self.url = driver, url

    def open(self, path: str = "/") -> Page:
        self.driver.get("about:blank")
        self.driver.get(self.url + path)
        self.wait(lambda: self.state() == "ready", "the first page of jobs")
        return self

    def wait(self, condition: Callable[[], Any], what: str) -> Any:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(
            self.driver,
            WAIT,
            poll_frequency=0.05,
            ignored_exceptions=[StaleElementReferenceException],
        ).until(lambda _: condition(), f"waited {WAIT} s for {what}")

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def texts(self, css: str) -> list[str]:
        """The text of every element matching, read at once (no element can go stale)."""
        script = "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)"
        return self.driver.execute_script(script, css)

    def text(self, css: str) -> str:
        found = self.texts(css)
        return found[0] if found else ""

    def state(self) -> str:
        """`ready` once the jobs and the charts have their answers."""
        script = "return ['jobs', 'glance'].map(id => document.getElementById(id).dataset.state)"
        states = set(self.driver.execute_script(script))
        return states.pop() if len(states) == 1 else "loading"

    def content_range(self) -> str:
        return self.text("#content-range").removeprefix("Content-Range: ")

    def wait_range(self, expected: str) -> None:
        self.wait(lambda: self.content_range() == expected and self.state() == "ready", expected)

    def fill(self, css: str, value: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(value)

    def choose(self, css: str, text: str) -> None:
        from selenium.webdriver.support.select import Select

        Select(self.find(css)).select_by_visible_text(text)

    def rows(self, css: str) -> list[str]:
        """Each row matching, as its cells' texts joined by spaces."""
        script = """return [...document.querySelectorAll(arguments[0])]
            .map(row => [...row.cells].map(cell => cell.textContent).join(" "))"""
        return self.driver.execute_script(script, css)

    def requests_shown(self) -> list[str]:
        """The journal's rows without their time: `GET /api/v2/jobs?status=done 422`."""
        return [row.partition(" ")[2] for row in self.rows("[data-test=request-row]")]

    def faults_shown(self) -> str:
        return " | ".join(self.rows("[data-test=fault-row]"))

    def ready(self, section: str) -> bool:
        return self.find(f"#{section}").get_attribute("data-state") == "ready"

    def open_batches(self) -> Page:
        self.find("[data-test=tab-batches]").click()
        self.wait(lambda: self.ready("batches"), "the first page of batches")
        return self

    def wait_batch_range(self, expected: str) -> None:
        def shown() -> str:
            return self.text("#batch-content-range").removeprefix("Content-Range: ")

        self.wait(lambda: shown() == expected and self.ready("batches"), f"batches {expected}")

    def open_batch(self, batch_id: str) -> None:
        """The batch's row clicked, its fields and jobs waited for."""
        self.find(f"[data-test=batch-row][data-id='{batch_id}'] [data-test=batch-link]").click()
        self.wait(
            lambda: (
                self.text("#batch-detail-title") == f"Batch {batch_id}"
                and self.ready("batch-detail")
            ),
            f"batch {batch_id}",
        )

    def batch_field(self, name: str) -> str:
        return self.text(f"#batch-fields tr[data-field={name}] td")


@pytest.fixture
def page(browser: Any, server: MockJobsServer) -> Iterator[Page]:
    server.reset()
    browser.get_log("browser")  # read, hence emptied
    yield Page(browser, server.url).open()
    failures = [entry["message"] for entry in browser.get_log("browser")]
    assert not [message for message in failures if "Failed to load resource" not in message]


def test_the_page_and_its_assets_are_served(server: MockJobsServer) -> None:
    for path in ("/", "/_mock/ui"):
        response = requests.get(server.url + path, timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        for asset in re.findall(r'(?:href|src)="(/_mock/ui/static/[^"]+)"', response.text):
            assert requests.get(server.url + asset, timeout=10).status_code == 200, asset
    assert requests.get(f"{server.url}/_mock/ui/static/nothing.js", timeout=10).status_code == 404
    # The page's vocabulary is the API's, read from the server.
    words = requests.get(f"{server.url}/_mock/ui/vocabulary.json", timeout=10).json()
    assert (words["statuses"], words["origins"], words["sortable"]) == (
        list(STATUSES),
        list(ORIGINS),
        list(SORTABLE_FIELDS),
    )
    assert words["lists"] == ["id", "batch_id", "project_id", "user_id"]
    assert words["scalars"] == ["id__starts_with", "min_runs", "max_runs", "errors", "start_date", "end_date"]  # fmt: skip
    script = requests.get(f"{server.url}/_mock/ui/static/app.js", timeout=10).text
    assert "CANCELING" not in script and "AZURE" not in script  # no word of it hard-coded


def test_the_vocabulary_carries_the_batch_words(server: MockJobsServer) -> None:
    words = requests.get(f"{server.url}/_mock/ui/vocabulary.json", timeout=10).json()
    assert words["batch_statuses"] == list(BATCH_STATUSES)
    assert words["device_types"] == list(DEVICE_TYPES)
    assert words["queue_priorities"] == list(QUEUE_PRIORITIES)
    # The batch list's other filters, read from its query schema as the job list's are.
    assert words["batch_lists"] == ["id", "project_id", "user_id"]
    assert words["batch_scalars"] == ["open", "tag", "start_date", "end_date"]
    script = requests.get(f"{server.url}/_mock/ui/static/app.js", timeout=10).text
    assert "TIMED_OUT" not in script and "FRESNEL" not in script and "MEDIUM" not in script


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


def test_a_bad_request_appears_in_the_journal_with_its_422(
    page: Page, server: MockJobsServer
) -> None:
    response = requests.get(f"{server.url}/api/v2/jobs", params={"status": "done"}, timeout=10)
    assert response.status_code == 422
    page.wait(lambda: "GET /api/v2/jobs?status=done 422" in page.requests_shown(), "the 422")
    # The page's own requests are journaled too, but hidden unless asked for.
    assert not any("limit=20" in row for row in page.requests_shown())
    page.find("#show-own").click()
    page.wait(lambda: any("limit=20" in row for row in page.requests_shown()), "own requests")
    page.find("#show-own").click()

    page.find("[data-test=request-row]").click()
    page.wait(lambda: '"type": "enum"' in page.text("#request-response"), "the 422 body")
    assert "Input should be 'PENDING'" in page.text("#request-response")
    assert "python-requests" in page.text("#request-headers")

    if os.environ.get("MOCKJOBS_SCREENSHOT"):  # the README's picture, with something to look at
        page.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
        )
        page.choose("#f-limit", "10")
        page.find("#f-status-ERROR").click()
        page.find("#f-status-RUNNING").click()
        page.wait(
            lambda: "status=RUNNING" in page.find("#api-url").get_attribute("value"), "RUNNING"
        )
        page.wait(lambda: page.state() == "ready", "ERROR and RUNNING jobs")
        server.arm_fault("/api/v2/jobs", status=503, times=2)
        requests.get(f"{server.url}/api/v2/jobs", params={"limit": 5}, timeout=10)
        page.wait(lambda: len(page.texts("[data-test=request-row]")) == 2, "the requests")
        page.wait(lambda: page.texts("[data-test=fault-row]"), "the fault")
        page.driver.execute_script("window.scrollTo(0, 0)")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        assert page.driver.save_screenshot(str(SCREENSHOT))
        page.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_controls_fault_job_clock_and_reset(page: Page, server: MockJobsServer) -> None:
    # Arm a 503 fault: listed at once, and armed on the server.
    page.choose("#fault-status", "503")
    page.fill("#fault-times", "2")
    page.find("[data-test=arm-fault]").click()
    page.wait(lambda: "Armed rule" in page.text("#fault-result"), "the rule armed")
    page.wait(lambda: "GET /api/v2/jobs 503 2" in page.faults_shown(), "rule")
    assert [rule["status"] for rule in server.mock.faults.rules()] == [503]
    assert requests.get(f"{server.url}/api/v2/jobs", timeout=10).status_code == 503
    page.wait(lambda: "GET /api/v2/jobs 503 1" in page.faults_shown(), "1 left")
    page.find("#faults-clear").click()
    page.wait(lambda: page.texts("[data-test=fault-row]") == [], "no rule")
    assert server.mock.faults.rules() == []

    # Add a job whose id would be markup: it is shown as text, never parsed.
    job_id = '<img id="pwned" src="x">'
    page.fill("#add-id", job_id)
    page.choose("#add-status", "DONE")
    page.fill("#add-runs", "123")
    page.find("[data-test=add-job]").click()
    page.wait(lambda: page.text("[data-test=added-job]") == job_id, "the added job")
    page.fill("#f-id-prefix", "<img")
    page.find("[data-test=apply]").click()
    page.wait_range("1-1/1")
    assert page.texts("[data-test=job-link]") == [job_id]
    page.find("[data-test=job-link]").click()
    page.wait(lambda: '"runs": 123' in page.text("#job-json"), "the added job's record")
    link = page.find("#job-results a").get_attribute("href")
    assert link.startswith(f"{server.url}/results/")
    assert requests.get(link, timeout=10).json()["counter"]
    requests.get(f"{server.url}/<b id=pwned>", timeout=10)
    page.wait(lambda: "GET /<b id=pwned> 404" in page.requests_shown(), "the 404")
    assert page.driver.execute_script("return document.querySelectorAll('#pwned').length") == 0

    # Advance the clock one day.
    page.wait(lambda: page.text("#clock-now").startswith("2025-06-02T"), "the clock")
    page.fill("#clock-seconds", "86400")
    page.find("[data-test=advance-clock]").click()
    page.wait(lambda: page.text("#clock-now").startswith("2025-06-03T"), "the clock a day on")

    # Reset: the added job is gone, the table is back to its first page, the journal empty.
    page.find("#clear-filters").click()
    page.wait_range("1-20/201")
    page.find("#page-next").click()
    page.wait_range("21-40/201")
    page.find("#reset").click()
    page.wait_range("1-20/200")
    page.wait(lambda: page.text("#clock-now").startswith("2025-06-02T"), "the clock back")
    page.wait(lambda: page.texts("[data-test=request-row]") == [], "an empty journal")


@pytest.mark.mockjobs(seed=30, token="t")
def test_with_a_token_the_page_asks_for_it(browser: Any, mockjobs: MockJobsServer) -> None:
    page = Page(browser, mockjobs.url)
    browser.get("about:blank")
    browser.get(mockjobs.url + "/")
    page.wait(lambda: page.find("#token-form").is_displayed(), "the token form")
    page.fill("#token-input", "wrong")
    page.find("[data-test=token-submit]").click()
    page.wait(lambda: "refused" in page.text("#token-message"), "the token refused")
    page.fill("#token-input", "t")
    page.find("[data-test=token-submit]").click()
    page.wait_range("1-20/30")
    assert not page.find("#token-form").is_displayed()
    assert "Bearer $MOCKJOBS_TOKEN" in page.find("#curl-line").get_attribute("value")
    page.wait(lambda: page.text("#clock-now").startswith("2025-"), "the clock, with the token")
    (entry,) = [e for e in mockjobs.requests if e.query.get("limit") == ["20"] and e.status == 200]
    assert entry.headers["Authorization"] == "Bearer …"  # sent (a 200), kept redacted
    browser.refresh()  # the token is kept for the tab
    page.wait_range("1-20/30")
    assert not page.find("#token-form").is_displayed()
    browser.execute_script("sessionStorage.clear()")


def api(server: MockJobsServer, method: str, path: str, **params: Any) -> requests.Response:
    return requests.request(method, server.url + path, params=params, timeout=10)


def test_batches_are_listed_filtered_and_paged(page: Page, server: MockJobsServer) -> None:
    page.open_batches()
    page.wait_batch_range(f"1-{BATCHES}/{BATCHES}")
    newest = api(server, "GET", "/api/v1/batches", limit=20).json()["data"]
    assert page.texts("[data-test=batch-link]") == [batch["id"] for batch in newest]
    first = page.find("[data-test=batch-row]")
    cells = page.rows("[data-test=batch-row]")[0]
    assert newest[0]["status"] in cells and newest[0]["device_type"] in cells
    assert page.text("[data-test=batch-jobs-count]") == str(newest[0]["jobs_count"])
    counts = first.find_elements("css selector", "[data-test=batch-counts] [data-status]")
    assert {c.get_attribute("data-status"): int(c.text) for c in counts} == {
        status: count for status, count in newest[0]["jobs_count_per_status"].items() if count
    }
    assert page.text("[data-test=batch-tags]") == "".join(newest[0]["tags"])

    # A status narrows the list to what the API answers for it.
    page.find("#bf-status-DONE").click()
    done = api(server, "GET", "/api/v1/batches", status="DONE", limit=20)
    total = done.json()["pagination"]["total"]
    assert 0 < total < BATCHES
    page.wait_batch_range(f"1-{total}/{total}")
    assert page.texts("[data-test=batch-link]") == [batch["id"] for batch in done.json()["data"]]
    assert set(page.texts("[data-test=batch-status]")) == {"DONE"}
    assert "status=DONE" in page.find("#batch-api-url").get_attribute("value")

    # A device type and a tag too, then paging, as the job list pages.
    page.find("#bf-device_type-FRESNEL").click()
    page.fill("#bf-tag", "qaoa")
    page.find("[data-test=batch-apply]").click()
    both = api(server, "GET", "/api/v1/batches", status="DONE", device_type="FRESNEL", tag="qaoa")
    narrowed = both.json()["pagination"]["total"]
    page.wait_batch_range(f"1-{narrowed}/{narrowed}" if narrowed else "*/0")
    assert set(page.texts("[data-test=batch-device]")) == {"FRESNEL"}
    page.find("#batch-clear-filters").click()
    page.choose("#bf-limit", "10")
    page.wait_batch_range(f"1-10/{BATCHES}")
    page.find("#batch-page-next").click()
    page.wait_batch_range(f"11-{BATCHES}/{BATCHES}")
    assert not page.find("#batch-page-next").is_enabled()
    assert page.find("#batch-api-url").get_attribute("value").endswith("limit=10&offset=10")


def test_a_batch_shows_its_jobs_in_creation_order(page: Page, server: MockJobsServer) -> None:
    listed = api(server, "GET", "/api/v1/batches").json()["data"]
    largest = max(listed, key=lambda batch: batch["jobs_count"])
    jobs = api(
        server, "GET", "/api/v2/jobs", batch_id=largest["id"], order_by="creation_order",
        order_by_direction="ASC", limit=100,
    ).json()["data"]  # fmt: skip
    assert len(jobs) == largest["jobs_count"] > 1
    page.open_batches().open_batch(largest["id"])
    assert page.texts("[data-test=batch-job-order]") == [str(n) for n in range(1, len(jobs) + 1)]
    assert page.texts("[data-test=batch-job-link]") == [job["id"] for job in jobs]
    assert page.batch_field("device_type") == largest["device_type"]
    assert page.batch_field("jobs_count") == str(largest["jobs_count"])
    assert f"all {len(jobs)}" in page.text("#batch-jobs-caption")

    # A job of it opens in the job view, which links back to the batch.
    page.find(f"[data-test=batch-job-row][data-id='{jobs[1]['id']}'] button").click()
    page.wait(lambda: page.find("#job-detail").is_displayed(), "the job view")
    page.wait(lambda: page.text("[data-test=job-batch-link]") == largest["id"], "its batch link")
    assert not page.find("#batches").is_displayed()
    assert '"creation_order": 2' in page.text("#job-json")
    page.find("[data-test=job-batch-link]").click()
    page.wait(lambda: page.find("#batch-detail").is_displayed(), "the batch again")
    assert page.text("#batch-detail-title") == f"Batch {largest['id']}"

    # All of them in the job list, filtered by the batch, in creation order.
    page.find("[data-test=batch-show-jobs]").click()
    page.wait_range(f"1-20/{len(jobs)}")
    assert page.texts("[data-test=job-link]") == [job["id"] for job in jobs[:20]]
    assert f"batch_id={largest['id']}" in page.find("#api-url").get_attribute("value")


def test_cancel_and_close_from_the_page(page: Page, server: MockJobsServer) -> None:
    live = api(server, "GET", "/api/v1/batches", status=["PENDING", "RUNNING"]).json()["data"]
    batch_id = live[0]["id"]
    page.open_batches().open_batch(batch_id)
    page.find("[data-test=batch-cancel]").click()
    page.wait(lambda: "Cancelled" in page.text("#batch-action-result"), "the batch cancelled")
    answer = api(server, "GET", f"/api/v2/batches/{batch_id}").json()["data"]
    assert answer["status"] == "CANCELED"
    page.wait(lambda: page.batch_field("status") == "CANCELED", "the batch's new status")
    row = f"[data-test=batch-row][data-id='{batch_id}'] [data-test=batch-status]"
    page.wait(lambda: page.text(row) == "CANCELED", "the list's new status")

    # Cancelled again, it is final: the API's 400 and its JSend message are shown.
    fail = api(server, "PATCH", f"/api/v2/batches/{batch_id}/cancel")
    assert fail.status_code == 400 and fail.json()["status"] == "fail"
    page.find("[data-test=batch-cancel]").click()
    page.wait(lambda: page.text("#batch-action-result") == f"400: {fail.json()['message']}", "400")
    assert "bad" in page.find("#batch-action-result").get_attribute("class")

    # An open batch is closed (once: closing it again is a 400 too).
    created = requests.post(
        f"{server.url}/api/v1/batches",
        json={"open": True, "jobs": [], "project_id": "p", "device_type": "EMU_FREE"},
        timeout=10,
    ).json()["data"]
    page.choose("#bf-open", "open")
    page.wait_batch_range("1-1/1")
    page.open_batch(created["id"])
    assert page.batch_field("open") == "true"
    page.find("[data-test=batch-close]").click()
    page.wait(lambda: page.batch_field("open") == "false", "the batch closed")
    assert api(server, "GET", f"/api/v2/batches/{created['id']}").json()["data"]["open"] is False
    page.find("[data-test=batch-close]").click()
    page.wait(lambda: "is closed already" in page.text("#batch-action-result"), "the second 400")


def test_the_docs_render_the_document_offline_and_the_dashboard_links_them(page: Page) -> None:
    """Swagger UI at /docs draws the operations of /openapi.json from its own files."""
    page.open()
    page.find('[data-test="docs-link"]').click()
    page.wait(lambda: page.driver.current_url.endswith("/docs/"), "the docs page")
    page.wait(
        lambda: "Get Jobs" in " ".join(page.texts(".opblock-summary-description")), "operations"
    )
    summaries = page.texts(".opblock-summary-description")
    assert {"Get Jobs", "Get Batch", "Create Batch: its jobs queue on its device now"} <= set(
        summaries
    )
    resources = page.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources and all(
        name.startswith(page.url) for name in resources
    )  # nothing fetched elsewhere
