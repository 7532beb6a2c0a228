"""Point the official `pasqal-cloud` SDK at a local mockjobs server.

Start the server (`mockjobs serve`), then run `python tests/examples/sdk_quickstart.py [URL]`.
"""

from __future__ import annotations

import sys

from pasqal_cloud.authentication import TokenProvider
from pasqal_cloud.endpoints import Endpoints
from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient
from pasqal_cloud.utils.constants import JobStatus
from pasqal_cloud.utils.filters import JobFilters, PaginationParams
from pasqal_cloud.utils.responses import PaginatedResponse


class FixedToken(TokenProvider):
    """Hands the SDK a token without asking an authentication server."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self) -> str:
        return self.token


def main(url: str = "http://127.0.0.1:8000", token: str = "any-token") -> PaginatedResponse:
    """Print the five newest finished jobs of 100 runs or more."""
    sdk = PasqalCloudClient(
        token_provider=FixedToken(token),  # mockjobs accepts any token
        endpoints=Endpoints(core=url, account=url),
    )
    page = sdk.get_jobs(
        filters=JobFilters(status=[JobStatus.DONE, JobStatus.ERROR], min_runs=100),
        pagination_params=PaginationParams(limit=5),
    )
    print(f"{page.total} jobs match; the newest {len(page.results)}:")
    for job in page.results:
        print(job.id, job.status, job.runs, job.created_at)
    return page


if __name__ == "__main__":
    main(*sys.argv[1:2])
