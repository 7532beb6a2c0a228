"""Throughput and latency of GET /api/v2/jobs, against a baseline measured in the same run.

    python bench/bench_api.py [--jobs 100000] [--seconds 3] [--connections 8]

A server process runs mockjobs as `mockjobs serve` does (waitress, 8 threads) with one
extra route, /baseline, returning a pre-serialized page as large as the unfiltered list
page: what Flask on this server costs when the list itself costs nothing. The load
comes from this process: wrk when installed, else a bounded loop of keep-alive
connections in threads. Every load loop is bounded in time and in requests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

SCENARIOS = {
    "unfiltered page": "/api/v2/jobs",
    "filtered page": "/api/v2/jobs?status=DONE&status=ERROR&origin=AZURE&min_runs=200&order_by=runs",
    "deep offset": "/api/v2/jobs?offset=99000&order_by=start_timestamp&order_by_direction=ASC",
}
MAX_REQUESTS = 200_000  # per scenario, whatever the duration


def serve(jobs: int) -> None:
    """The server process: build the data set, add the baseline route, serve, report timings."""
    import logging

    import waitress
    from flask import Response

    from mockjobs.app import create_app
    from mockjobs.generator import generate_jobs
    from mockjobs.server import base_url, listen

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

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" under load
    sock = listen("127.0.0.1", 0)
    info = {
        "url": base_url(sock),
        "jobs": generated,
        "generation_s": generation,
        "load_s": loading,
        "page_bytes": len(page),
    }
    print(json.dumps(info), flush=True)
    waitress.create_server(app, sockets=[sock], threads=8, ident="mockjobs").run()


def load_python(base: str, path: str, seconds: float, connections: int) -> tuple[int, list[float]]:
    """Requests done and their latencies, from `connections` keep-alive connections in threads."""
    parts = urlsplit(base)
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.perf_counter() < deadline and len(mine) < MAX_REQUESTS // connections:
            begin = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - begin)
            assert response.status == 200, (path, response.status)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies


def load_wrk(base: str, path: str, seconds: float, connections: int) -> tuple[float, float, float]:
    """requests/s, p50 and p99 (ms) from wrk."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", base + path],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout  # fmt: skip

    def millis(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rps, millis("50%"), millis("99%")


def measure(base: str, path: str, seconds: float, connections: int) -> tuple[float, float, float]:
    if shutil.which("wrk"):
        return load_wrk(base, path, seconds, connections)
    count, latencies = load_python(base, path, seconds, connections)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return count / seconds, statistics.median(latencies) * 1000, p99 * 1000


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
            loader = "wrk" if shutil.which("wrk") else "a Python loop"
            print(
                f"load: {loader}, {args.connections} connections, {args.seconds:g} s a scenario\n"
            )
            print(f"{'scenario':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of baseline':>13}")
            rps0, p50, p99 = measure(base, "/baseline", args.seconds, args.connections)
            print(f"{'baseline':<18}{rps0:>9.0f}{p50:>9.2f}{p99:>9.2f}{'100 %':>13}")
            for name, path in SCENARIOS.items():
                rps, p50, p99 = measure(base, path, args.seconds, args.connections)
                print(f"{name:<18}{rps:>9.0f}{p50:>9.2f}{p99:>9.2f}{rps / rps0:>12.1%}")
        finally:
            server.terminate()


if __name__ == "__main__":
    main()
