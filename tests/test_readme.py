"""The README is true: its sample answer is the server's, and its shell examples run as written."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .test_cli import serving

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def block_after(marker: str, language: str = "") -> str:
    """The first fenced block after `marker`, in `language`."""
    start = README.index(marker)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(README, start)
    assert match, f"no ```{language} block after {marker!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving() as (address, _):  # what `make serve` serves: the default data set
        yield address


def test_the_quick_start_answer_is_the_default_data_set_s(url: str) -> None:
    command = block_after("Then, in another terminal:", "sh").strip()
    path = re.fullmatch(r"curl -i 'http://127\.0\.0\.1:8000(/\S+)'", command)
    assert path, command
    response = requests.get(url + path[1], timeout=10)
    status, *headers = block_after("The answer (its headers").strip().splitlines()
    assert status == f"HTTP/1.1 {response.status_code} OK"
    for line in headers:
        name, value = line.split(": ", 1)
        assert response.headers[name] == value, name
    assert json.loads(block_after("The answer (its headers", "json")) == response.json()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is missing (.ci/run installs it)")
def test_the_curl_examples_run_as_written(url: str) -> None:
    """Every line of the examples, against a live server: 200s, and the one 422 it says."""
    script = block_after("Curl examples, one for each kind of filter:", "sh")
    script = script.replace("http://127.0.0.1:8000", url)
    lines = script.strip().splitlines()
    setup = [line for line in lines if not line.startswith("curl ")]
    calls = [line for line in lines if line.startswith("curl ")]
    probe = "\n".join(
        [*setup, 'test -n "$PROJECT" && test -n "$USER_ID"']
        + [re.sub(r"^curl ", "curl -s -o /dev/null -w '%{http_code}\\n' ", call) for call in calls]
    )
    done = subprocess.run(["bash", "-ec", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    expected = ["422" if "# 422" in call else "200" for call in calls]
    assert done.stdout.split() == expected
    users = next(call for call in calls if "$USER_ID" in call).split("#")[0]
    found = subprocess.run(["bash", "-ec", "\n".join([*setup, users.replace("curl ", "curl -s ")])],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert json.loads(found.stdout)["pagination"]["total"] > 0  # the filters select some jobs
