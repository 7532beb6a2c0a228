"""README example: MockJobsServer without pytest fixtures (any test runner, or a script)."""

from __future__ import annotations

import requests

from mockjobs import MockJobsServer


def test_server_as_a_context_manager() -> None:
    with MockJobsServer(seed=50) as server:
        response = requests.get(f"{server.url}/api/v2/jobs", params={"limit": 10}, timeout=10)
        assert response.headers["Content-Range"] == "1-10/50"
        server.assert_request_made("/api/v2/jobs", query={"limit": 10})
