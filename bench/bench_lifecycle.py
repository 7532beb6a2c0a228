"""With --lifecycle, repeated GETs should cost what they cost without it: prints both, and the ratio.

In process (Flask's test client, no sockets): the same page of the job list asked `--requests`
times, lifecycle off (the baseline) then on, median and p99 per request, and how many data
versions the reads made (a read that writes empties every cache).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from mockjobs.app import create_app

QUERIES = ("/api/v2/jobs?limit=20", "/api/v2/jobs?status=RUNNING", "/api/v2/jobs?order_by=runs")


def version(app: Any) -> int:
    store = app.extensions["mockjobs"].store
    return store.version() if callable(store.version) else store.version  # older layouts: an int


def measure(lifecycle: bool, seed: int, requests: int) -> dict[str, float]:
    app = create_app({"SEED": seed, "LIFECYCLE": lifecycle})
    client = app.test_client()
    for query in QUERIES:  # warm: every page once
        client.get(query)
    first, times = version(app), []
    for index in range(requests):
        started = time.perf_counter()
        response = client.get(QUERIES[index % len(QUERIES)])
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    times.sort()
    return {
        "median_ms": statistics.median(times) * 1000,
        "p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
        "versions": version(app) - first,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=500)
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()
    off = measure(False, args.seed, args.requests)
    on = measure(True, args.seed, args.requests)
    print(f"{args.requests} GETs of {len(QUERIES)} pages, {args.seed} jobs, in process")
    for name, figures in (("lifecycle off (baseline)", off), ("lifecycle on", on)):
        print(
            f"  {name:26} median {figures['median_ms']:6.3f} ms  p99 {figures['p99_ms']:6.3f} ms"
            f"  data versions made by reads: {figures['versions']}"
        )
    print(
        f"  lifecycle on / off, median time per request: {on['median_ms'] / off['median_ms']:.2f}x"
    )


if __name__ == "__main__":
    main()
