"""The dashboard's journal and controls in a browser: requests, faults, a job, the clock, reset."""

from __future__ import annotations

import os
from pathlib import Path

import requests

from mockjobs import MockJobsServer

from .test_dashboard import Page

# Fixtures, imported to apply here too (`as` marks them used, not unused imports).
from .test_dashboard import browser as browser
from .test_dashboard import page as page
from .test_dashboard import server as server

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "dashboard.png"


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
