"""Start, reset and stop times of MockJobsServer (what the pytest plugin costs a test suite),
and what MockJobsClient's control over HTTP costs against the same calls in process.

    python bench/bench_plugin.py [--jobs 500] [--rounds 50]

A reset restores a snapshot of the database; the baseline is what a reset would cost
without one: regenerating the data set with Faker and loading it again.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import requests

from mockjobs import MockJobsClient, MockJobsServer, create_app


def timed(action: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        begin = time.perf_counter()
        action()
        times.append((time.perf_counter() - begin) * 1000)
    return times


def report(name: str, times: list[float], baseline: float | None = None) -> None:
    median = statistics.median(times)
    ratio = f"{baseline / median:>10.0f}x faster" if baseline else ""
    print(f"{name:<34}{median:>9.2f}{max(times):>9.2f} {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    print(f"{args.jobs} jobs, {args.rounds} rounds; milliseconds\n")
    print(f"{'':<34}{'median':>9}{'max':>9}")

    servers: list[MockJobsServer] = []
    create = timed(lambda: servers.append(MockJobsServer(seed=args.jobs)), min(args.rounds, 10))
    report("create (generate, load, snapshot)", create)
    server = servers[-1]
    report("start (listen, answer)", timed(server.start, 1))
    with requests.Session() as session:

        def dirty_then_reset() -> None:
            server.add_jobs([{}] * 10)
            server.reset()

        regenerate = timed(lambda: create_app({"SEED": args.jobs}), min(args.rounds, 10))
        report("baseline: regenerate the data set", regenerate)
        resets = timed(dirty_then_reset, args.rounds)
        report("add 10 jobs, then reset", resets, statistics.median(regenerate))
        report("reset alone", timed(server.reset, args.rounds), statistics.median(regenerate))
        assert (
            session.get(f"{server.url}/api/v2/jobs", timeout=10).json()["pagination"]["total"]
            == args.jobs
        )
    # The same control over HTTP (MockJobsClient, for a server elsewhere), against in process.
    client = MockJobsClient(server.url)
    for name, call in (
        ("reset", lambda control: control.reset()),
        ("arm a fault, clear it", lambda control: (control.arm_fault(status=503), control.clear_faults())),
        ("read the journal", lambda control: control.requests),
    ):  # fmt: skip
        here = timed(lambda call=call: call(server), args.rounds)
        report(f"{name}: in process", here)
        over_http = timed(lambda call=call: call(client), args.rounds)
        report(f"{name}: MockJobsClient", over_http)
        print(f"{'':<34}HTTP costs {statistics.median(over_http) / statistics.median(here):.1f}x")
    report("stop", timed(server.stop, 1))
    stops = []
    for _ in range(min(args.rounds, 10)):
        other = MockJobsServer(seed=0).start()
        stops += timed(other.stop, 1)
    report(f"stop ({len(stops)} servers)", stops)


if __name__ == "__main__":
    main()
