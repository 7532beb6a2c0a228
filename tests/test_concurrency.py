"""The threaded server under concurrent requests: one database for every thread, right answers."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask.testing import FlaskClient

from .test_cli import serving

QUERIES = [
    "",
    "limit=7&offset=3",
    "status=DONE&status=ERROR&order_by=runs&order_by_direction=ASC",
    "errors=true&limit=100",
    "order_by=start_timestamp&offset=400",
    "min_runs=200&max_runs=500&origin=AZURE",
    "limit=0&status=done",  # 422
    "start_date=2025-06-01&order_by=end_timestamp",
    "offset=1000000000000000000000000000000",
]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving("--seed", "500", "--threads", "8") as (url, _):
        yield url


def test_concurrent_requests_all_get_the_right_answer(url: str, client: FlaskClient) -> None:
    expected = {query: client.get(f"/api/v2/jobs?{query}").data for query in QUERIES}
    work = [QUERIES[i % len(QUERIES)] for i in range(16 * len(QUERIES))]

    def fetch(query: str) -> tuple[str, bytes]:
        with requests.Session() as session:
            return query, session.get(f"{url}/api/v2/jobs?{query}", timeout=30).content

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, work))
    assert len(answers) == len(work)
    for query, body in answers:
        assert body == expected[query], query
