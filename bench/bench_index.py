"""First-time queries of the job and batch lists: the columnar index against SQL, in process.

    python bench/bench_index.py [--jobs 100000] [--queries 200] [--db FILE]

Server time only (no HTTP): each query is a filter set and page never asked before (no kept
answer, no kept order), answered once through SQL (the baseline, measured in the same run)
and once through the index. Also: how long the index takes to build, the longest time a
build keeps the store from another request (a probe thread reads the data version in a loop
meanwhile), and the process's RSS before and after the index. `--db` keeps the generated
data in a file, so that a second run at a million jobs skips the minutes of generating it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

sys.path.insert(0, str(Path(__file__).parent))
from bench_api import all_different
from bench_reliability import rss_kb

from mockjobs.contract.batches import BatchQuerySchema
from mockjobs.contract.query import parse_query
from mockjobs.mock.datasets import DataSet
from mockjobs.mock.state import Mock
from mockjobs.store import open_store

BATCH_FILTERS = [  # the batch list's first-time mix: each with ever new pages
    "", "status=DONE", "open=true", "tag=calibration", "device_type=EMU_TN&status=ERROR",
    "start_date=2025-03-01", "queue_priority=HIGH&open=false",
]  # fmt: skip


def rss_mb() -> float:
    return rss_kb(os.getpid()) / 1024


def timed(pages: Any, paths: list[str], schema: Any = None) -> list[float]:
    """Milliseconds each query takes, answered afresh: nothing kept from the one before."""
    times = []
    for path in paths:
        pages.clear()
        query = MultiDict([tuple(p.split("=", 1)) for p in path.split("?", 1)[-1].split("&") if p])
        parse = (lambda q=query: parse_query(q)) if schema is None else (lambda q=query: parse_query(q, schema=schema))  # fmt: skip
        began = time.perf_counter()
        pages.page(path, parse)
        times.append((time.perf_counter() - began) * 1000)
    return times


def row(name: str, sql: list[float], index: list[float]) -> None:
    s, i = statistics.median(sql), statistics.median(index)
    print(f"{name:<30}{s:>9.2f}{max(sql):>9.1f}{i:>11.2f}{max(index):>9.1f}{s / i:>9.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", default=":memory:")
    args = parser.parse_args()

    began = time.perf_counter()
    mock = Mock(open_store(args.db), DataSet(seed=args.jobs))
    mock.load(keep_existing=True)
    loaded = time.perf_counter() - began
    for pages, index in (
        (mock.job_pages, mock.job_index),
        (mock.batches.pages, mock.batches.index),
    ):
        index.drop()  # built at load: SQL alone first, no index built meanwhile
        pages.prepare = lambda: None
    before = rss_mb()
    jobs, batches = mock.jobs.count(), mock.batch_records.count()
    print(
        f"{jobs:,} jobs, {batches:,} batches (ready in {loaded:.1f} s); RSS {before:.0f} MB without an index"
    )

    paths = all_different(args.queries)
    batch_paths = [f"/api/v1/batches?{f}&limit={10 + i % 90}&offset={i * 3}"
                   for i, f in enumerate(BATCH_FILTERS * (args.queries // len(BATCH_FILTERS)))]  # fmt: skip
    deep = [
        f"/api/v2/jobs?order_by=updated_at&offset={jobs - 100 - i}&limit=100" for i in range(20)
    ]
    sql, deep_sql = timed(mock.job_pages, paths), timed(mock.job_pages, deep)
    batch_sql = timed(mock.batches.pages, batch_paths, BatchQuerySchema())
    before = rss_mb()
    waits, done = [], threading.Event()

    def probe() -> None:  # another request's wait for the store while the index is built
        while not done.is_set():
            began = time.perf_counter()
            mock.store.version()
            waits.append((time.perf_counter() - began) * 1000)
            time.sleep(0.001)

    prober = threading.Thread(target=probe)
    prober.start()
    began = time.perf_counter()
    index = mock.job_index.wait()
    built = time.perf_counter() - began
    batch = mock.batches.index.wait()
    done.set()
    prober.join()
    after = rss_mb()
    assert index is not None and batch is not None
    print(
        f"index built in {built:.2f} s (jobs), arrays {index.nbytes / 2**20:.1f} MB"
        f" + {batch.nbytes / 2**20:.1f} MB (batches); RSS {after:.0f} MB (+{after - before:.0f})"
    )
    print(f"another request's wait for the store during the build: at most {max(waits):.1f} ms\n")
    print(
        f"{'first-time queries, ms':<30}{'SQL p50':>9}{'max':>9}{'index p50':>11}{'max':>9}{'faster':>10}"
    )
    row("job list, all different", sql, timed(mock.job_pages, paths))
    row("batch list, all different", batch_sql, timed(mock.batches.pages, batch_paths, BatchQuerySchema()))  # fmt: skip
    row("job list, its last pages", deep_sql, timed(mock.job_pages, deep))


if __name__ == "__main__":
    main()
