"""Which WSGI server serves mockjobs best here: the same app and load under each candidate.

    python bench/bench_servers.py [--jobs 100000] [--seconds 3] [--rounds 1]

Only servers whose workers share one data set qualify: an in-memory database lives in one
process, so the candidates run one process with threads (waitress, gunicorn's gthread
worker). gunicorn with several sync worker processes would need the data in a shared file
or in PostgreSQL. gunicorn is measured where it is installed (`pip install gunicorn`); it is
not a dependency. waitress runs twice: `--quiet`, and with its access log written to a pipe
that this process reads (what `mockjobs serve | tee` costs); each round ends with their ratio.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).parent))
from bench_api import REPEATED, all_different, load

PORT = 8811
SERVE = [sys.executable, "-m", "mockjobs.cli", "serve", "--port", str(PORT)]
QUIET, LOGGED = "waitress, 8 threads, --quiet", "waitress, access log to a pipe"
SERVERS = {
    QUIET: [*SERVE, "--quiet"],
    LOGGED: SERVE,
    "gunicorn gthread, 1 process x 8 threads": [
        sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{PORT}", "-w", "1", "-k", "gthread",
        "--threads", "8", "--timeout", "600", "mockjobs.app:create_app()",
    ],
}  # fmt: skip


def drain(stream: IO[bytes], lines: list[int]) -> None:
    """Read what the server writes as it comes, counting lines, as a terminal or `tee` would."""
    for _ in stream:
        lines[0] += 1


def wait_for_server(deadline: float, port: int = PORT) -> None:
    """Until a server on `port` answers the job list (a RuntimeError after `deadline`)."""
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
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
    parser.add_argument("--rounds", type=int, default=1, help="measure every server this often")
    args = parser.parse_args()
    env = dict(os.environ, MOCKJOBS_SEED=str(args.jobs))
    servers = {
        name: command
        for name, command in SERVERS.items()
        if "gunicorn" not in command or importlib.util.find_spec("gunicorn")
    }
    print(f"{args.jobs:,} jobs, 8 keep-alive connections, {args.seconds:g} s a mix")
    if len(servers) < len(SERVERS):
        print("gunicorn is not installed: not measured")
    for _ in range(args.rounds):
        print(
            f"\n{'server':<42}{'repeated req/s':>16}{'p99 ms':>8}{'all different req/s':>21}{'p99 ms':>8}"
        )
        measured = {name: measure(name, command, env, args) for name, command in servers.items()}
        quiet, logged = measured[QUIET], measured[LOGGED]
        print(
            f"the access log: {logged[0] / quiet[0]:.1%} of --quiet's throughput (repeated),"
            f" {logged[1] / quiet[1]:.1%} (all different)"
        )


def measure(
    name: str, command: list[str], env: dict[str, str], args: argparse.Namespace
) -> tuple[float, float]:
    """The server's throughput on both mixes (requests/s), printed with their p99."""
    logged = command is SERVE
    seed = ["--seed", str(args.jobs)] if command[: len(SERVE)] == SERVE else []
    output = subprocess.PIPE if logged else subprocess.DEVNULL
    with subprocess.Popen(command + seed, env=env, stdout=output, stderr=subprocess.DEVNULL) as server:  # fmt: skip
        lines = [0]
        reader = threading.Thread(target=drain, args=(server.stdout, lines), daemon=True)
        if logged:
            reader.start()
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
        if logged:
            reader.join(30)  # every line read: the server has ended
            print(f"{'':<42}({lines[0]:,} lines of output read)")
    return repeated[0], different[0]


if __name__ == "__main__":
    main()
