"""README example: MockJobsClient, the control of a mockjobs started elsewhere (here, by
MockJobsServer: in CI, `mockjobs serve` as a service)."""

from __future__ import annotations

import pytest
import requests

from mockjobs import InvalidInput, MockJobsClient, MockJobsServer


def test_a_mockjobs_elsewhere() -> None:
    with MockJobsServer(seed=50, token="t") as elsewhere:
        mock = MockJobsClient(elsewhere.url, token="t")
        mock.reset(seed=20)  # another data set, which stays the configured one
        mock.arm_fault(status=503, times=1)
        headers = {"Authorization": "Bearer t"}
        url = f"{mock.url}/api/v2/jobs"
        assert requests.get(url, headers=headers, timeout=10).status_code == 503
        assert requests.get(url, headers=headers, timeout=10).headers["Content-Range"] == "1-20/20"
        mock.assert_request_made("/api/v2/jobs", count=2)
        with pytest.raises(InvalidInput, match="status: Must be one of: 429, 500"):
            mock.arm_fault(status=418)
