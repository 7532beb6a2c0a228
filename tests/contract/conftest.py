"""The server under test, an oracle of its whole data set, and the SDK pointed at it.

By default the tests start `mockjobs serve --port 0 --seed 500` in a subprocess. With both
MOCKJOBS_CONTRACT_URL (the core API's base URL, without `/api/...`) and
MOCKJOBS_CONTRACT_TOKEN set, the same tests run against that endpoint instead.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

# The SDK is imported where it is used, so that without it test_sdk_jobs.py can skip itself
# and say why. That module imports it at collection time, where it must be first imported:
# the import calls `warnings.simplefilter("always", DeprecationWarning)`, which inside a test
# would override the project's filterwarnings=error (pytest undoes changes made while
# collecting).
if TYPE_CHECKING:
    from pasqal_cloud.authentication import TokenProvider
    from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient

# The SDK warns, from 30 days before the end of its version's maintenance window (2027-09-08
# for 0.24.0) and forever after, on every client it builds: a date, not a contract, so it must
# not fail the contract tests. A test module uses these as `pytestmark = [*SDK_WARNINGS, ...]`.
SDK_WARNINGS = [
    pytest.mark.filterwarnings(r"ignore:SDK version \S+ will be deprecated on:DeprecationWarning"),
    pytest.mark.filterwarnings(r"ignore:SDK version \S+ is no longer supported:DeprecationWarning"),
]

SEED = 500  # jobs the local server generates
STARTUP_TIMEOUT = 60  # seconds to wait for the server's first line
BANNER = re.compile(r"mockjobs: serving (\d+) jobs on (http://\S+) \(Ctrl-C to stop\)")
TIMESTAMPS = ("created_at", "updated_at", "start_timestamp", "end_timestamp")
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Target:
    """Where the tests send their requests."""

    url: str  # the core API's base URL: requests go to f"{url}/api/v2/jobs"
    token: str
    local: bool  # a mockjobs subprocess, whose hidden fields (user_id, origin) are known


def fixed_token(token: str) -> TokenProvider:
    """A token provider that gives `token` and never calls an authentication server."""
    from pasqal_cloud.authentication import TokenProvider

    class FixedToken(TokenProvider):
        def get_token(self) -> str:
            return token

    return FixedToken()


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    url = os.environ.get("MOCKJOBS_CONTRACT_URL", "")
    token = os.environ.get("MOCKJOBS_CONTRACT_TOKEN", "")
    if url and token:
        yield Target(url=url.rstrip("/"), token=token, local=False)
    elif url or token:
        given, missing = ("URL", "TOKEN") if url else ("TOKEN", "URL")
        pytest.fail(
            f"MOCKJOBS_CONTRACT_{given} is set but MOCKJOBS_CONTRACT_{missing} is not: set both "
            "to run the contract tests against a real endpoint, or neither to use mockjobs",
            pytrace=False,
        )
    else:
        with serve_mockjobs() as url:
            yield Target(url=url, token="mockjobs-contract-token", local=True)


@contextmanager
def serve_mockjobs(*options: str) -> Iterator[str]:
    """`mockjobs serve` (with `options`: `--fast-forward`...; not `--seed`) in a subprocess,
    terminated on exit; gives its URL."""
    command = [
        sys.executable,
        "-m",
        "mockjobs.cli",
        "serve",
        "--port",
        "0",
        "--quiet",
        "--seed",
        str(SEED),
    ]
    command += options
    env = {name: value for name, value in os.environ.items() if not name.startswith("MOCKJOBS_")}
    with subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        line = first_line(process)
        banner = BANNER.fullmatch(line.strip())
        if not banner or int(banner[1]) != SEED:
            out, err = stop(process)
            raise RuntimeError(f"mockjobs did not start as expected:\n{line}{out}{err}")
        try:
            yield banner[2]
        finally:
            stop(process)


def first_line(process: subprocess.Popen[str]) -> str:
    """The process's first line of output, or "" if none comes in STARTUP_TIMEOUT seconds."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(STARTUP_TIMEOUT):
            return ""
    return process.stdout.readline()


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Terminate the process (kill it if it lingers); its remaining output.

    SIGTERM rather than Ctrl-C's SIGINT: a process started from a background job of a
    non-interactive shell, as CI may be, inherits SIGINT ignored.
    """
    process.terminate()
    try:
        return process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


@pytest.fixture(scope="session")
def served_jobs(target: Target) -> list[dict[str, Any]]:
    """Every job of the target as its JSON, unfiltered, in the default order, by plain paging."""
    jobs: list[dict[str, Any]] = []
    end, total = 0, None
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {target.token}"
        while total is None or end < total:
            response = session.get(
                f"{target.url}/api/v2/jobs", params={"offset": end, "limit": 100}, timeout=30
            )
            response.raise_for_status()
            body = response.json()
            assert body["pagination"]["start"] == end
            assert total in (None, body["pagination"]["total"]), "the data changed while paging"
            jobs += body["data"]
            end, total = body["pagination"]["end"], body["pagination"]["total"]
    assert len(jobs) == total
    assert len({job["id"] for job in jobs}) == total, "paging returned a job twice"
    return jobs


@pytest.fixture(scope="session")
def hidden_fields(target: Target) -> dict[str, dict[str, str]] | None:
    """user_id and origin of every job, which the list filters on but does not return.

    Known for the local server only: `mockjobs generate` writes the very records that
    `mockjobs serve` serves for the same count and random seed. None for a real endpoint.
    """
    if not target.local:
        return None
    command = [sys.executable, "-m", "mockjobs.cli", "generate", "--count", str(SEED)]
    generated = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return {
        record["id"]: {"user_id": record["user_id"], "origin": record["origin"]}
        for record in json.loads(generated.stdout)["jobs"]
    }


@pytest.fixture(scope="session")
def oracle(
    served_jobs: list[dict[str, Any]], hidden_fields: dict[str, dict[str, str]] | None
) -> list[dict[str, Any]]:
    """The whole data set as dicts with datetimes, plus user_id and origin when they are known."""
    if hidden_fields is not None:
        assert set(hidden_fields) == {job["id"] for job in served_jobs}, (
            "`mockjobs generate` and `mockjobs serve` disagree on the jobs"
        )
    jobs = []
    for job in served_jobs:
        parsed = dict(job)
        for key in TIMESTAMPS:
            if job[key] is not None:
                parsed[key] = datetime.fromisoformat(job[key])
        if hidden_fields is not None:
            parsed.update(hidden_fields[job["id"]])
        jobs.append(parsed)
    return jobs


@pytest.fixture(scope="session")
def sdk(target: Target, oracle: list[dict[str, Any]]) -> PasqalCloudClient:
    """The official SDK's client pointed at the target, with a fixed token."""
    from pasqal_cloud.endpoints import Endpoints
    from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient

    assert oracle, "the target holds no job to test with"
    project_id = Counter(job["project_id"] for job in oracle).most_common(1)[0][0]
    return PasqalCloudClient(
        token_provider=fixed_token(target.token),
        endpoints=Endpoints(core=target.url, account=target.url),
        project_id=project_id,
    )


@pytest.fixture
def sent(sdk: PasqalCloudClient) -> Iterator[list[requests.PreparedRequest]]:
    """The requests the SDK sends during the test, in order."""
    requests_sent: list[requests.PreparedRequest] = []

    def record(response: requests.Response, *args: object, **kwargs: object) -> None:
        requests_sent.append(response.request)

    hooks = sdk._client.session.hooks["response"]
    hooks.append(record)
    yield requests_sent
    hooks.remove(record)
