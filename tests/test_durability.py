"""With --db FILE, every acknowledged write survives SIGKILL at any moment; the file stays sound."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

KILL_AFTER = (3, 17, 40)  # acknowledged writes before the kill, a different moment each round


def start(db: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-m",
        "mockjobs.cli",
        "serve",
        "--port",
        "0",
        "--quiet",
        "--db",
        str(db),
        *args,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline() if process.stdout else ""
    assert line.startswith("mockjobs: serving"), line
    return process, line.split(" on ")[1].split()[0]


def all_ids(url: str) -> set[str]:
    ids: set[str] = set()
    offset = 0
    while True:
        body = requests.get(f"{url}/api/v2/jobs?limit=100&offset={offset}", timeout=10).json()
        ids |= {job["id"] for job in body["data"]}
        offset = body["pagination"]["end"]
        if offset >= body["pagination"]["total"]:
            return ids


@pytest.mark.parametrize("kill_after", KILL_AFTER)
def test_acknowledged_jobs_survive_sigkill(tmp_path: Path, kill_after: int) -> None:
    db = tmp_path / "jobs.db"
    process, url = start(db, "--seed", "20")
    acknowledged: list[str] = []
    enough = threading.Event()

    def write(worker: int) -> None:
        with requests.Session() as session:
            for n in range(200):  # bounded; the kill comes long before
                job_id = f"w{worker}-{n}"
                try:
                    response = session.post(f"{url}/_mock/jobs", json=[{"id": job_id}], timeout=10)
                except requests.RequestException:
                    return  # killed mid-request or mid-answer: this one was never acknowledged
                assert response.status_code == 201
                acknowledged.append(job_id)
                if len(acknowledged) >= kill_after:
                    enough.set()

    writers = [threading.Thread(target=write, args=(worker,)) for worker in range(3)]
    for writer in writers:
        writer.start()
    try:
        assert enough.wait(30)
        os.kill(process.pid, signal.SIGKILL)  # while the writers are still writing
    finally:
        process.kill()
        process.communicate(timeout=30)
        for writer in writers:
            writer.join(30)

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    process, url = start(db)
    try:
        ids = all_ids(url)
        assert set(acknowledged) <= ids
        assert len(ids) >= 20 + len(acknowledged)
    finally:
        process.terminate()
        process.communicate(timeout=30)
