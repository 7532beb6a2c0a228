"""Batches: how long the SDK's `create_batch(wait=True)` takes, and what a batch list costs.

1. The official SDK against `mockjobs serve` subprocesses, default pace and `--fast-forward`:
   `create_batch(sequence, jobs, wait=True)` wall time, several times each (the SDK polls
   after 2 s, then 4 s, 8 s...).
2. In process (Flask's test client): the batch list against the job list (the baseline), the
   same pages asked `--requests` times; and the job list with a submitted batch alive (its
   jobs moved at every request) against the job list with none.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mockjobs.app import create_app
from tests.contract.conftest import fixed_token, serve_mockjobs

SEQUENCE = json.dumps({"device": {"name": "FRESNEL"},
                       "register": [{"name": f"q{i}", "x": 5.0 * i, "y": 0.0} for i in range(9)]})  # fmt: skip


def sdk_wait(options: tuple[str, ...], jobs: int, repeat: int) -> list[float]:
    warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's own, about its version's date
    from pasqal_cloud.endpoints import Endpoints
    from pasqal_cloud.pasqal_cloud_client import PasqalCloudClient

    with serve_mockjobs(*options) as url:
        sdk = PasqalCloudClient(token_provider=fixed_token("t"), project_id="bench",
                                endpoints=Endpoints(core=url, account=url))  # fmt: skip
        took = []
        for _ in range(repeat):
            started = time.perf_counter()
            batch = sdk.create_batch(SEQUENCE, [{"runs": 100}] * jobs, wait=True)
            took.append(time.perf_counter() - started)
            assert batch.status in ("DONE", "ERROR")
        return took


def per_request(client: Any, queries: tuple[str, ...], requests: int) -> float:
    for query in queries:
        client.get(query)
    times = []
    for index in range(requests):
        started = time.perf_counter()
        assert client.get(queries[index % len(queries)]).status_code == 200
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print("create_batch(wait=True) through the SDK, wall time")
    for name, options in (("default pace", ()), ("--fast-forward", ("--fast-forward",))):
        for jobs in (1, 3):
            took = sdk_wait(options, jobs, args.repeat)
            print(f"  {name:15} {jobs} job(s) of 100 runs: median {statistics.median(took):6.2f} s"
                  f"  (min {min(took):.2f}, max {max(took):.2f}, {args.repeat} runs)")  # fmt: skip

    app = create_app({"SEED": args.seed})
    client = app.test_client()
    jobs = per_request(
        client, ("/api/v2/jobs?limit=100", "/api/v2/jobs?status=DONE"), args.requests
    )
    batches = per_request(client, ("/api/v1/batches?limit=100", "/api/v1/batches?status=DONE"), args.requests)  # fmt: skip
    print(f"\n{args.requests} GETs, {args.seed} jobs, in process, median per request")
    print(f"  job list, 100 a page (baseline) {jobs:7.3f} ms")
    print(f"  batch list, 100 a page          {batches:7.3f} ms   ratio {batches / jobs:.2f}x")
    body = {"sequence_builder": SEQUENCE, "jobs": [{"runs": 10**6}] * 20, "project_id": "bench"}
    assert client.post("/api/v1/batches", json=body).status_code == 200  # runs for minutes
    alive = per_request(
        client, ("/api/v2/jobs?limit=100", "/api/v2/jobs?status=DONE"), args.requests
    )
    print(f"  job list, a submitted batch alive {alive:5.3f} ms   ratio {alive / jobs:.2f}x")


if __name__ == "__main__":
    main()
