"""Which WSGI server serves mockjobs best here: the same app and load under each candidate.

    python bench/bench_servers.py [--jobs 100000] [--seconds 3]

Only servers whose workers share one data set qualify: an in-memory database lives in one
process, so the candidates run one process with threads (waitress, gunicorn's gthread
worker). gunicorn with several sync worker processes would need the data in a shared file
or in PostgreSQL. Needs gunicorn installed (`pip install gunicorn`); it is not a dependency.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_api import REPEATED, all_different, load

PORT = 8811
SERVERS = {
    "waitress, 8 threads": [sys.executable, "-m", "mockjobs.cli", "serve", "--port", str(PORT)],
    "gunicorn gthread, 1 process x 8 threads": [
        sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{PORT}", "-w", "1", "-k", "gthread",
        "--threads", "8", "--timeout", "600", "mockjobs.app:create_app()",
    ],
}  # fmt: skip


def wait_for_server(deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            conn.request("GET", "/api/v2/jobs?limit=1")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    env = dict(os.environ, MOCKJOBS_SEED=str(args.jobs))
    print(f"{args.jobs:,} jobs, 8 keep-alive connections, {args.seconds:g} s a mix\n")
    print(
        f"{'server':<42}{'repeated req/s':>16}{'p99 ms':>8}{'all different req/s':>21}{'p99 ms':>8}"
    )
    for name, command in SERVERS.items():
        with subprocess.Popen(command + (["--seed", str(args.jobs)] if "serve" in command else []),
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as server:  # fmt: skip
            try:
                wait_for_server(time.monotonic() + 300)
                base = f"http://127.0.0.1:{PORT}"
                repeated = load(base, REPEATED, args.seconds, 8)
                different = load(base, all_different(200_000), args.seconds, 8)
                print(
                    f"{name:<42}{repeated[0]:>16.0f}{repeated[2]:>8.1f}{different[0]:>21.0f}{different[2]:>8.1f}"
                )
            finally:
                server.terminate()


if __name__ == "__main__":
    main()
