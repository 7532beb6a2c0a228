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
from mockjobs.vocabulary import ORIGINS, SORTABLE_FIELDS, STATUSES

# Debian's paths; elsewhere, point these variables at the browser and its matching driver.
CHROMIUM = os.environ.get("MOCKJOBS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MOCKJOBS_CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT = 15  # seconds, an upper bound: every wait ends as soon as the page is there


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
