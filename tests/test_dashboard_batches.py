"""The dashboard's batches in a browser: listed, filtered, paged, opened, cancelled and closed."""

from __future__ import annotations

from typing import Any

import requests

from mockjobs import MockJobsServer
from mockjobs.vocabulary import BATCH_STATUSES, DEVICE_TYPES, QUEUE_PRIORITIES

from .test_dashboard import Page

# Fixtures, imported to apply here too (`as` marks them used, not unused imports).
from .test_dashboard import browser as browser
from .test_dashboard import page as page
from .test_dashboard import server as server

BATCHES = 18  # the batches the 200 jobs of random seed 1 are in


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
