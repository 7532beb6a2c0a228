"""Reliability figures: a client's answer times beside idle, trickling and delayed traffic; bounds.

Each figure is printed beside its baseline measured in the same run: the same request on the
same server with nothing else going on. Bounded loops, loopback only.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

ROUNDS = 60


def timings(url: str, rounds: int = ROUNDS) -> tuple[float, float]:
    """Median and worst milliseconds of GET `url`, one request at a time."""
    session, times = requests.Session(), []
    for _ in range(rounds):
        started = time.perf_counter()
        assert session.get(url, timeout=30).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def report(name: str, figures: tuple[float, float], baseline: tuple[float, float]) -> None:
    print(f"  {name:52} median {figures[0]:6.2f} ms  worst {figures[1]:7.2f} ms"
          f"  ({figures[0] / baseline[0]:.2f}x the baseline's median)")  # fmt: skip


def serve() -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-m",
        "mockjobs.cli",
        "serve",
        "--port",
        "0",
        "--quiet",
        "--seed",
        "500",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline() if process.stdout else ""
    return process, line.split(" on ")[1].split()[0]


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


def main() -> None:
    process, url = serve()
    try:
        page = f"{url}/api/v2/jobs?limit=20"
        baseline = timings(page)
        print(f"mockjobs serve --seed 500, {ROUNDS} sequential GETs of one page")
        report("baseline: nothing else open", baseline, baseline)

        host, port = url.rsplit("//", 1)[1].split(":")
        idle = [socket.create_connection((host, int(port))) for _ in range(1000)]
        for sock in idle[1::2]:
            sock.sendall(b"GET /api/v2/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        report("beside 1,000 connections, half of them a half request", timings(page), baseline)
        for sock in idle:
            sock.close()

        rule = {"path": "/api/v2/jobs", "query": {"limit": "7"}, "delay_ms": 3000, "times": 8}
        requests.post(f"{url}/_mock/faults", json=rule, timeout=30)
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(8):  # as many delayed requests as there are worker threads
                pool.submit(requests.get, f"{url}/api/v2/jobs?limit=7", timeout=30)
            time.sleep(0.2)
            report("while 8 requests wait out a 3 s fault delay", timings(page, 20), baseline)
            report("  the control API meanwhile", timings(f"{url}/_mock/clock", 20), baseline)

        before = rss_kb(process.pid)
        for index in range(3000):  # filter sets nobody asked before, each a 16 KB no-match
            requests.get(f"{url}/api/v2/jobs?id__starts_with={index:05d}{'z' * 16_000}", timeout=30)
        after = rss_kb(process.pid)
        print(f"  3,000 distinct 16 KB no-match prefixes: server RSS {before / 1024:.0f} MB ->"
              f" {after / 1024:.0f} MB (caches bounded at 160 + 64 + 64 MB)")  # fmt: skip
        query = "&".join(["status=x"] * 25_000)
        for _ in range(40):
            requests.get(f"{url}/api/v2/jobs?{query}", timeout=60)
        journal = requests.get(f"{url}/_mock/requests", timeout=60).content
        print(f"  40 requests of 25,000 status values each ({len(query) * 40 / 1e6:.1f} MB"
              f" sent): the journal answers {len(journal) / 1e3:.0f} KB; server RSS"
              f" {rss_kb(process.pid) / 1024:.0f} MB")  # fmt: skip
    finally:
        process.terminate()
        process.wait(30)


if __name__ == "__main__":
    main()
