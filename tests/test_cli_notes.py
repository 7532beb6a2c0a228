"""What `serve` says on stderr as it starts: options that change nothing, and load progress."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

from mockjobs import progress as progress_module
from mockjobs import wsgi
from mockjobs.progress import ProgressLines, progress_bar

from .test_cli import run


class Stopped:
    """A server that stops as soon as it runs: `mockjobs serve` up to its banner, in-process."""

    def __init__(self, app: Any, sock: socket.socket, values: dict[str, Any]) -> None:
        self.sock = sock

    def run(self) -> None:
        pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def serve_here(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """`mockjobs serve --port 0 ARGS` in this process, its server stopped at once: (out, err)."""
    monkeypatch.setattr(wsgi, "wsgi_server", Stopped)
    for variable in [name for name in os.environ if name.startswith("MOCKJOBS_")]:
        monkeypatch.delenv(variable)

    def serve(*args: str) -> tuple[str, str]:
        status, out, err = run(capsys, "serve", "--port", "0", *args)
        assert status == 0, err
        return out, err

    return serve


def test_options_that_change_nothing_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serve_here: Any
) -> None:
    db, gone = str(tmp_path / "jobs.db"), str(tmp_path / "gone.json")
    monkeypatch.setattr(progress_module, "PROGRESS_FROM", 10)
    out, err = serve_here("--db", db, "--seed", "20")
    assert "serving 20 jobs" in out and err == "mockjobs: loading jobs: 20 of 20 (100 %)\n"
    _, err = serve_here("--db", db, "--seed", "20", "--random-seed", "1", "--error-rate", "0.5")
    assert err == ""  # the database holds that very data set; submitted jobs use the rate
    out, err = serve_here("--db", db, "--seed", "5", "--fixtures", gone)
    assert "serving 20 jobs" in out  # the file is not read: a missing one is no error
    assert err == (
        f"mockjobs: note: --seed 5 and --fixtures {gone} (not read) ignored: the database"
        " holds 20 jobs (use --reset to replace them)\n"
    )  # and no progress: nothing was loaded
    monkeypatch.setenv("MOCKJOBS_RANDOM_SEED", "7")
    _, err = serve_here("--db", db)  # an environment variable is given explicitly too
    assert err == (
        "mockjobs: note: MOCKJOBS_RANDOM_SEED=7 ignored: the database holds 20 jobs"
        " (use --reset to replace them)\n"
    )
    out, err = serve_here("--db", db, "--seed", "15", "--reset")
    assert "serving 15 jobs" in out and "note" not in err
    out, err = serve_here("--seed", "3", "--reset")
    assert "serving 3 jobs" in out
    assert err == (
        "mockjobs: note: --reset ignored: without --db the database is in memory, new at every"
        " start\n"
    )


def test_a_big_load_off_a_terminal_prints_lines_of_progress(
    monkeypatch: pytest.MonkeyPatch, serve_here: Any
) -> None:
    monkeypatch.setattr(progress_module, "PROGRESS_FROM", 1000)
    out, err = serve_here("--seed", "6000")  # inserted 5,000 at a time
    assert err.splitlines() == [
        "mockjobs: loading jobs: 5,000 of 6,000 (83 %)",
        "mockjobs: loading jobs: 6,000 of 6,000 (100 %)",
    ]
    assert out.startswith("mockjobs: serving 6000 jobs")


def test_progress_lines_are_few_and_end_with_the_count(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(200_000, "Loading jobs") as progress:  # stderr is no terminal here
        assert isinstance(progress, ProgressLines)
    assert capsys.readouterr().err == ""  # nothing counted, nothing said
    with progress_bar(progress_module.PROGRESS_FROM - 1, "Loading jobs") as progress:
        assert progress is None
    now = [0.0]
    slow = ProgressLines(200_000, "loading jobs", clock=lambda: now[0])
    for _ in range(40):  # 5,000 jobs a second
        slow(5000)
        now[0] += 1
    slow.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "mockjobs: loading jobs: 5,000 of 200,000 (2 %)"
    assert lines[1] == "mockjobs: loading jobs: 25,000 of 200,000 (12 %)"  # a tenth more, 4 s on
    assert lines[-1] == "mockjobs: loading jobs: 200,000 of 200,000 (100 %)"
    assert len(lines) == 11
    fast = ProgressLines(200_000, "loading jobs", clock=lambda: 0.0)
    for _ in range(41):  # a load too fast to tell, with a fixture file's jobs beyond the seed
        fast(5000)
    fast.close()
    assert capsys.readouterr().err.splitlines() == [
        "mockjobs: loading jobs: 5,000 of 200,000 (2 %)",
        "mockjobs: loading jobs: 200,000 of 200,000 (100 %)",
        "mockjobs: loading jobs: 205,000 of 205,000 (100 %)",
    ]
