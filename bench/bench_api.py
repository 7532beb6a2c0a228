"""Throughput and latency of GET /api/v2/jobs, against a baseline measured in the same run.

    python bench/bench_api.py [--jobs 100000] [--seconds 3] [--connections 8]

A server process runs mockjobs as `mockjobs serve` does (waitress, 8 threads) with one
extra route, /baseline, returning a pre-serialized page as large as the unfiltered list
page: what Flask on this server costs when the list itself costs nothing. The load comes
from this process: a bounded loop of keep-alive connections in threads (the same loop for
the baseline and the mixes, so that their ratio is fair). Every load loop is bounded in
time and in requests.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

REPEATED = [  # what a client and its tests ask again and again
    "/api/v2/jobs",
    "/api/v2/jobs?limit=20",
    "/api/v2/jobs?status=RUNNING&status=PENDING",
    "/api/v2/jobs?status=ERROR&limit=50",
    "/api/v2/jobs?status=DONE&status=ERROR&origin=AZURE&min_runs=200&order_by=runs",
    "/api/v2/jobs?errors=true&order_by=end_timestamp&order_by_direction=ASC",
    "/api/v2/jobs?order_by=creation_order&order_by_direction=ASC&limit=100&offset=500",
    "/api/v2/jobs?start_date=2025-03-01T00:00:00Z&end_date=2025-04-01",
    "/api/v2/jobs?offset=99000&order_by=start_timestamp&order_by_direction=ASC",
    "/api/v2/jobs?origin=OVH&max_runs=100&limit=10&offset=30",
]
FILTER_SETS = [  # the all-different mix pages through these with ever new offsets and limits
    "", "status=DONE", "status=ERROR&status=CANCELED", "origin=AZURE", "origin=OVH&errors=false",
    "min_runs=500", "max_runs=100&order_by=runs", "order_by=start_timestamp&order_by_direction=ASC",
    "order_by=updated_at", "errors=true&order_by=end_timestamp", "status=DONE&origin=CLIENT&min_runs=200",
    "order_by=id&order_by_direction=ASC", "start_date=2025-05-01", "end_date=2025-03-01&order_by=runs",
    "order_by=slurm_job_id&order_by_direction=ASC", "status=PENDING&status=RUNNING&order_by=progress",
]  # fmt: skip
MAX_REQUESTS = 200_000  # per mix, whatever the duration


def all_different(count: int) -> list[str]:
    """`count` queries, no two alike: the filter sets above, each page a new offset and size."""
    paths = []
    for i in range(count):
        filters = FILTER_SETS[i % len(FILTER_SETS)]
        limit, offset = 10 + i % 91, (i // len(FILTER_SETS)) * 7
        paths.append(f"/api/v2/jobs?{filters}&limit={limit}&offset={offset}".replace("?&", "?"))
    assert len(set(paths)) == count
    return paths


def serve(jobs: int) -> None:
    """The server process: build the data set, add the baseline route, serve, report timings."""
    import logging

    import waitress
    from flask import Response

    from mockjobs.app import create_app
    from mockjobs.data.generator import generate_jobs
    from mockjobs.wsgi import base_url, listen

    started = time.perf_counter()
    generated = sum(1 for _ in generate_jobs(jobs))
    generation = time.perf_counter() - started
    started = time.perf_counter()
    app = create_app({"SEED": jobs})
    loading = time.perf_counter() - started
    page = b""

    @app.get("/baseline")
    def baseline() -> Response:
        return Response(page, mimetype="application/json")

    page = app.test_client().get("/api/v2/jobs").data
    app.extensions["mockjobs"].jobs.update([("-", "-", {"status": "-"})])  # cold caches: a write
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" under load
    sock = listen("127.0.0.1", 0)
    info = {"url": base_url(sock), "jobs": generated, "generation_s": generation,
            "load_s": loading, "page_bytes": len(page)}  # fmt: skip
    print(json.dumps(info), flush=True)
    waitress.create_server(app, sockets=[sock], threads=8, ident="mockjobs").run()


def load(
    base: str, paths: list[str], seconds: float, connections: int
) -> tuple[float, float, float]:
    """requests/s, p50 and p99 (ms) of keep-alive connections in threads taking `paths` in turn."""
    parts = urlsplit(base)
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    lock = threading.Lock()
    turn = itertools.count()

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.perf_counter() < deadline and len(mine) < MAX_REQUESTS // connections:
            path = paths[next(turn) % len(paths)]
            begin = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - begin)
            assert response.status == 200, (path, response.status)
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000


def first_time(base: str, count: int) -> tuple[float, float]:
    """Median and worst time (ms) of queries whose filter set nobody asked before."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    times = []
    for i in range(count):
        begin = time.perf_counter()
        conn.request("GET", f"/api/v2/jobs?min_runs={i}&order_by=updated_at&offset={i * 1000}")
        conn.getresponse().read()
        times.append((time.perf_counter() - begin) * 1000)
    conn.close()
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.jobs)
        return

    command = [sys.executable, __file__, "--serve", "--jobs", str(args.jobs)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        try:
            info = json.loads(server.stdout.readline())  # type: ignore[union-attr]
            base = info["url"]
            print(f"{info['jobs']:,} jobs: generated in {info['generation_s']:.2f} s,"
                  f" generated and inserted in {info['load_s']:.2f} s;"
                  f" a page of 100 is {info['page_bytes']:,} bytes")  # fmt: skip
            print(
                f"load: a Python loop, {args.connections} keep-alive connections, {args.seconds:g} s a mix\n"
            )
            print(f"{'mix':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of baseline':>13}")
            rps0, p50, p99 = load(base, ["/baseline"], args.seconds, args.connections)
            print(
                f"{'baseline (ready-made page)':<34}{rps0:>9.0f}{p50:>9.2f}{p99:>9.2f}{'100 %':>13}"
            )
            mixes = {
                "repeated realistic queries": REPEATED,
                "all different (no two alike)": all_different(MAX_REQUESTS),
            }
            for name, paths in mixes.items():
                rps, p50, p99 = load(base, paths, args.seconds, args.connections)
                print(f"{name:<34}{rps:>9.0f}{p50:>9.2f}{p99:>9.2f}{rps / rps0:>12.1%}")
            median, worst = first_time(base, 10)
            print(
                f"\nfirst-time filter sets (one connection): median {median:.1f} ms, worst {worst:.1f} ms"
            )
        finally:
            server.terminate()


if __name__ == "__main__":
    main()
