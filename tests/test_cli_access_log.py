"""`serve`'s access log: one line per request on stdout, and none with --quiet."""

from __future__ import annotations

import re
import socket

import pytest
import requests

from .test_cli import Output, serving

ACCESS_LINE = re.compile(
    r'(?P<client>\S+) - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "(?P<request>[^"]*)"'
    r" (?P<status>\d{3}) (?P<size>[1-9]\d*|-) \d+\.\dms(?P<outcome>.*)"
)


def test_serve_logs_every_request_on_stdout_in_one_line() -> None:
    output = Output()
    with serving("--seed", "5", output=output) as (url, _):
        assert output.wait_for(1)[0].startswith("mockjobs: dashboard on")
        page = requests.get(f"{url}/api/v2/jobs?limit=2&status=DONE", timeout=10)
        assert requests.get(f"{url}/nope", timeout=10).status_code == 404
        drop = {"path": "/api/v2/jobs", "drop": True, "times": 1}
        assert requests.post(f"{url}/_mock/faults", json=drop, timeout=10).status_code == 201
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/api/v2/jobs?limit=3", timeout=10)
        host, port = url.removeprefix("http://").split(":")
        close = b"Connection: close\r\n"  # read to the end: a client gone early is logged so
        for raw in (
            b'GET /a"b\x1b[2J HTTP/1.1\r\nHost: 127.0.0.1\r\n' + close + b"\r\n",
            b"NONSENSE\r\n\r\n",
        ):
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(raw)
                assert b"".join(iter(lambda: sock.recv(4096), b"")).startswith(b"HTTP/1.")
        lines = output.wait_for(7)[1:]
    logged = {}
    for line in lines:  # in the order the requests ended: two threads may swap them
        match = ACCESS_LINE.fullmatch(line)
        assert match and match["client"] == "127.0.0.1", line
        logged[match["request"]] = (match["status"], match["size"], match["outcome"])
    assert logged == {
        "GET /api/v2/jobs?limit=2&status=DONE HTTP/1.1": ("200", str(len(page.content)), ""),
        "GET /nope HTTP/1.1": ("404", "23", ""),
        "POST /_mock/faults HTTP/1.1": ("201", logged["POST /_mock/faults HTTP/1.1"][1], ""),
        "GET /api/v2/jobs?limit=3 HTTP/1.1": ("499", "-", " dropped by a fault rule"),
        r"GET /a\x22b\x1b[2J HTTP/1.1": ("404", "23", ""),  # never a raw escape in a terminal
        "NONSENSE": ("400", logged["NONSENSE"][1], ""),  # refused by waitress itself
    }
    assert output.stderr == ""


def test_quiet_serves_without_an_access_log() -> None:
    output = Output()
    with serving("--seed", "5", "--quiet", output=output) as (url, _):
        for _ in range(3):
            assert requests.get(f"{url}/api/v2/jobs", timeout=10).status_code == 200
    assert output.lines == ["mockjobs: dashboard on " + url + "/", "mockjobs: stopped"]
