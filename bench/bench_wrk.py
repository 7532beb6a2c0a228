"""Throughput of `mockjobs serve` under wrk, against the best Flask ceiling measured in the same run.

    python bench/bench_wrk.py [--jobs 100000] [--seconds 5] [--connections 8]

The ceiling: a pre-serialized page of 100 jobs (the unfiltered list's first page) from a
two-line Flask app under gunicorn with 2 sync workers: what Flask costs on this machine when the
list itself costs nothing. It is measured first and last, and ratios are to the mean of the
two (a shared machine drifts). Between them, `mockjobs serve` as it starts by default (one
process, `--jobs` generated in memory), then over one SQLite file of `--jobs` generated jobs
(made once, kept in a temporary folder) with 1 and 2 worker processes, with and without
`--lifecycle`, under two mixes: the same realistic queries again and again, and every query a
filter set never asked before (with its own page size and offset). With 2 workers, the
repeated mix also on a new connection a request (`Connection: close`), as the ceiling's sync
workers serve every request: the first process accepts, and deals, each one.
Each line gives requests/s, latency percentiles, the servers' RSS (every process) and the
ratio to the ceiling. wrk (Debian's package) and gunicorn (a test extra) must be installed;
every load is bounded by `--seconds`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_api import FILTER_SETS, REPEATED
from bench_servers import wait_for_server

PORT = 8812
MOCKJOBS = [sys.executable, "-m", "mockjobs.cli", "serve", "--quiet", "--port", str(PORT)]
CEILING_APP = """
from pathlib import Path
from flask import Flask, Response
app = Flask(__name__)
PAGE = Path({page!r}).read_bytes()
@app.get("/api/v2/jobs")
def page():
    return Response(PAGE, mimetype="application/json")
"""
REPEATED_LUA = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1]%s)
end
"""
# Every request a filter set nobody asked before (min_runs never the same twice for a filter
# set), each with its own page: threads take turns by their number.
DIFFERENT_LUA = """
local filters = {%s}
local n, me, threads = 0, 0, 0
setup = function(thread) thread:set("me", threads); threads = threads + 1 end
init = function() me = tonumber(wrk.thread:get("me")) or 0 end
request = function()
  n = n + 1
  local i = n * 2 + me
  local query = filters[(i %% #filters) + 1] .. "&min_runs=" .. math.floor(i / #filters)
  query = query .. "&limit=" .. (10 + i %% 91) .. "&offset=" .. ((i %% 13) * 7)
  return wrk.format("GET", "/api/v2/jobs?" .. query:gsub("^&", ""))
end
"""


def lua_strings(items: list[str]) -> str:
    return ", ".join(json.dumps(item) for item in items)


def rss_mb(pid: int) -> float:
    """The RSS of a process and its children."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(entry.name) == pid or int(stat[1]) == pid:
                total += int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError):
            continue
    return total / 2**20


def wait_for_port_free(deadline: float) -> None:
    """Until nothing answers on the port (a server's workers may outlive it a moment)."""
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).connect()
        except OSError:
            return
        time.sleep(0.1)


def wait_for_index(deadline: float) -> None:
    """Until first-time queries are quick on every process (each builds its own index)."""
    quick = 0
    for attempt in range(100_000):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        began = time.perf_counter()
        connection.request("GET", f"/api/v2/jobs?min_runs={attempt}&order_by=runs&offset=9")
        connection.getresponse().read()
        connection.close()
        quick = quick + 1 if time.perf_counter() - began < 0.03 else 0
        if quick >= 20 or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def wrk(script: str, seconds: float, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        command = ["wrk", "-t2", f"-c{connections}", f"-d{round(seconds)}s", "--latency", "-s", file.name,
                   f"http://127.0.0.1:{PORT}"]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(file.name)
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for percent in ("50", "99"):
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        result[f"p{percent}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert errors is None, f"{errors.group(1)} answers were not 200"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    missing = [name for name in ("wrk",) if shutil.which(name) is None]
    if missing or subprocess.run([sys.executable, "-c", "import gunicorn"]).returncode:
        sys.exit(
            "bench_wrk needs wrk (apt-get install wrk) and gunicorn (pip install -e '.[test]')"
        )

    folder = Path(tempfile.mkdtemp(prefix="mockjobs-bench-"))
    try:
        database = str(folder / "jobs.db")
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"""
from mockjobs.mock.datasets import DataSet
from mockjobs.mock.state import Mock
from mockjobs.store import open_store
Mock(open_store({database!r}), DataSet(seed={args.jobs})).load()
"""], check=True)  # fmt: skip
        print(f"{args.jobs:,} jobs in {database} ({time.perf_counter() - began:.0f} s to make)")
        print(f"wrk: 2 threads, {args.connections} connections, {args.seconds:g} s a line\n")

        page = folder / "page.json"
        (folder / "ceiling.py").write_text(CEILING_APP.format(page=str(page)))
        with subprocess.Popen([*MOCKJOBS, "--db", database], stdout=subprocess.DEVNULL) as server:
            wait_for_server(time.monotonic() + 120, PORT)
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            connection.request("GET", "/api/v2/jobs")
            page.write_bytes(connection.getresponse().read())
            server.terminate()
        wait_for_port_free(time.monotonic() + 30)

        repeated = REPEATED_LUA % (lua_strings(REPEATED), "")
        closing = REPEATED_LUA % (lua_strings(REPEATED), ', {["Connection"] = "close"}')
        different = DIFFERENT_LUA % lua_strings(FILTER_SETS)
        gunicorn = [sys.executable, "-m", "gunicorn", "-w", "2", "--log-level", "warning",
                    "-b", f"127.0.0.1:{PORT}", "--chdir", str(folder), "ceiling:app"]  # fmt: skip
        runs = [
            ("gunicorn, 2 sync workers: a ready page", gunicorn, {"ceiling": repeated}),
            ("mockjobs serve (in memory)", [*MOCKJOBS, "--seed", str(args.jobs)],
             {"repeated": repeated}),
            ("mockjobs serve --workers 1", [*MOCKJOBS, "--db", database, "--workers", "1"],
             {"repeated": repeated, "all different": different}),
            ("mockjobs serve --workers 2", [*MOCKJOBS, "--db", database, "--workers", "2"],
             {"repeated": repeated, "all different": different, "new connections": closing}),
            ("mockjobs serve --workers 1 --lifecycle", [*MOCKJOBS, "--db", database, "--lifecycle"],
             {"repeated": repeated}),
            ("mockjobs serve --workers 2 --lifecycle",
             [*MOCKJOBS, "--db", database, "--workers", "2", "--lifecycle"], {"repeated": repeated}),
            ("gunicorn again (the machine may have drifted)", gunicorn, {"ceiling": repeated}),
        ]  # fmt: skip
        rows = []
        for name, command, mixes in runs:
            with subprocess.Popen(command, stdout=subprocess.DEVNULL) as server:  # fmt: skip
                try:
                    wait_for_server(time.monotonic() + 120, PORT)
                    wait_for_index(time.monotonic() + 120)
                    for mix, script in mixes.items():
                        print(f"measuring {name}: {mix}", file=sys.stderr)
                        result = wrk(script, args.seconds, args.connections)
                        rows.append((name, mix, result, rss_mb(server.pid)))
                finally:
                    server.terminate()
                    server.wait(30)
                    wait_for_port_free(time.monotonic() + 30)
        ceilings = [result["rps"] for _, mix, result, _ in rows if mix == "ceiling"]
        ceiling = sum(ceilings) / len(ceilings)  # measured first and last: their mean
        print(f"{'server':<48}{'mix':<15}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'RSS MB':>8}{'ceiling':>9}")  # fmt: skip
        for name, mix, result, rss in rows:
            print(f"{name:<48}{mix:<15}{result['rps']:>8.0f}{result['p50']:>8.2f}"
                  f"{result['p99']:>8.1f}{rss:>8.0f}{result['rps'] / ceiling:>9.0%}")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
