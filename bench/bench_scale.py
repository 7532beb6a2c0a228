"""Scale: start-up, memory and page times of `mockjobs serve` from 10,000 to 1,000,000 jobs.

    python bench/bench_scale.py [--counts 10000 1000000]

For each job count: the time `mockjobs serve --seed N` takes to answer, the server's
resident memory, the time of first-time queries (a filter set nobody asked before), of
pages of a filter set asked before (deep offsets included), and of an indexed filter's
first page; then the time `mockjobs generate --count N` takes to write its file.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

MOCKJOBS = [sys.executable, "-m", "mockjobs.cli"]


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, dict]:
    begin = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = json.loads(response.read())
    assert response.status == 200, (path, body)
    return (time.perf_counter() - begin) * 1000, body


def measure(count: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    begin = time.perf_counter()
    command = [*MOCKJOBS, "serve", "--port", "0", "--quiet", "--seed", str(count)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as server:
        try:
            line = server.stdout.readline()  # type: ignore[union-attr]
            url = line.split(" on ")[1].split()[0]
            parts = urlsplit(url)
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
            figures["start s"] = time.perf_counter() - begin
            status = Path(f"/proc/{server.pid}/status").read_text()
            figures["memory MB"] = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
            _, page = timed_get(
                conn, "/api/v2/jobs?limit=1&order_by=created_at&order_by_direction=ASC"
            )
            batch, project = page["data"][0]["batch_id"], page["data"][0]["project_id"]
            firsts = [
                timed_get(conn, f"/api/v2/jobs?min_runs={n}&order_by=updated_at")[0]
                for n in range(1, 6)
            ]
            figures["first-time query ms (worst of 5)"] = max(firsts)
            figures["indexed filter, first page ms"] = timed_get(
                conn, f"/api/v2/jobs?batch_id={batch}"
            )[0]
            figures["project filter, first page ms"] = timed_get(
                conn, f"/api/v2/jobs?project_id={project}&order_by=runs"
            )[0]
            total = timed_get(
                conn, "/api/v2/jobs?order_by=start_timestamp&order_by_direction=ASC&limit=1"
            )[1]
            deep = [
                timed_get(
                    conn,
                    f"/api/v2/jobs?order_by=start_timestamp&order_by_direction=ASC&offset={offset}",
                )[0]
                for offset in range(
                    0, total["pagination"]["total"], max(1, total["pagination"]["total"] // 20)
                )
            ]
            figures["asked-before pages ms (median)"] = statistics.median(deep)
            figures["asked-before pages ms (worst)"] = max(deep)
            conn.close()
        finally:
            server.terminate()
    with tempfile.TemporaryDirectory() as folder:
        begin = time.perf_counter()
        subprocess.run([*MOCKJOBS, "generate", "--count", str(count), "-o", f"{folder}/jobs.json"],
                       check=True, stderr=subprocess.DEVNULL)  # fmt: skip
        figures["generate s"] = time.perf_counter() - begin
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 1_000_000])
    args = parser.parse_args()
    results = {count: measure(count) for count in args.counts}
    names = list(next(iter(results.values())))
    print(f"{'':<36}" + "".join(f"{count:>14,}" for count in args.counts))
    for name in names:
        print(f"{name:<36}" + "".join(f"{results[count][name]:>14.1f}" for count in args.counts))
    if len(args.counts) > 1:
        low, high = results[args.counts[0]], results[args.counts[-1]]
        ratio = high["indexed filter, first page ms"] / low["indexed filter, first page ms"]
        print(
            f"\nindexed filter's first page, {args.counts[-1]:,} vs {args.counts[0]:,} jobs: {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
