"""PostgreSQL for the test suite: a throw-away local server, and a fresh schema for each app.

`MOCKJOBS_TEST_POSTGRES_URL=postgresql://user:pass@host:port/db` names a server to use
instead; each app then gets a schema of its own in that database, dropped afterwards.
Otherwise the session starts its own server from PostgreSQL's binaries (Debian's
`postgresql` package, or any on PATH) in a temporary directory, on 127.0.0.1 and a free
port, as the `postgres` user when the tests run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from playhouse import db_url

from mockjobs.app import create_app

URL_VARIABLE = "MOCKJOBS_TEST_POSTGRES_URL"
UNAVAILABLE = "PostgreSQL unavailable"  # begins the reason of every test it skips
BACKENDS = ["sqlite", "postgresql"]  # params of the fixtures that run on both
# A linguistic default collation (ICU's en-US), so that the tests show the store's own
# COLLATE "C" at work; a plain C locale where ICU is not built in.
LOCALES = [["--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US"], ["--locale=C"]]
START_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class Unavailable(Exception):
    """PostgreSQL cannot be had here; the message says why and what to do."""


class LocalServer:
    """A PostgreSQL server of the session's own, in a temporary directory, until `stop()`."""

    def __init__(self) -> None:
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            raise Unavailable("psycopg2 is not installed (pip install -e '.[test]')") from None
        bindir = Path(find_binary("initdb")).resolve().parent
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
        if self.user is not None:
            try:
                pwd.getpwnam(self.user)
            except KeyError:
                raise Unavailable("running as root and there is no postgres user") from None
        self.directory = Path(tempfile.mkdtemp(prefix="mockjobs-pg-"))
        self.data, self.log = self.directory / "data", self.directory / "log"
        if self.user is not None:
            shutil.chown(self.directory, self.user, self.user)
        self.pg_ctl = str(bindir / "pg_ctl")
        try:
            self._initdb(str(bindir / "initdb"))
            self.url = self._start()
        except BaseException:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        user = {}
        if self.user is not None:
            user = {"user": self.user, "group": pwd.getpwnam(self.user).pw_gid, "extra_groups": []}
        return subprocess.run(
            command, cwd=self.directory, capture_output=True, text=True, timeout=120, **user
        )

    def _initdb(self, initdb: str) -> None:
        for locale in LOCALES:
            done = self._run(initdb, "-D", str(self.data), "-U", "mockjobs", "-A", "trust",
                             "-E", "UTF8", "--no-sync", *locale)  # fmt: skip
            if done.returncode == 0:
                return
        raise Unavailable(f"initdb failed: {done.stderr.strip()[-500:]}")

    def _start(self) -> str:
        with socket.socket() as sock:  # a free port (the server binds it a moment later)
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {self.directory} {START_OPTIONS}"
        done = self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-w",
                         "-t", "60", "-o", options, "start")  # fmt: skip
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else done.stderr
            raise Unavailable(f"the server did not start: {log.strip()[-500:]}")
        return f"postgresql://mockjobs@127.0.0.1:{port}/postgres"

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


def find_binary(name: str) -> str:
    """A PostgreSQL program: on PATH, else the newest of Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found is None:
        versions = [p for p in glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
                    if Path(p).parent.parent.name.isdigit()]  # fmt: skip
        found = max(versions, key=lambda p: int(Path(p).parent.parent.name), default=None)
    if found is None:
        raise Unavailable(f"{name} not found: apt-get install postgresql, or set {URL_VARIABLE}")
    return found


def postgres_server() -> Iterator[str]:
    """The body of the session fixture: a server's URL; a loud skip, or a failure on CI."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        yield url
        return
    try:
        server = LocalServer()
    except Unavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"{UNAVAILABLE} on CI (.ci/install-postgres.sh installs it): {error}")
        pytest.skip(f"{UNAVAILABLE}: {error}")
    try:
        yield server.url
    finally:
        server.stop()


@contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    """A URL of `server_url` whose tables live in a schema of their own, dropped afterwards."""
    schema = f"mockjobs_test_{uuid.uuid4().hex[:12]}"
    admin = db_url.connect(server_url, unquote_password=True)
    admin.execute_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options={quote(f'-c search_path={schema}')}"
    finally:
        admin.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@contextmanager
def backend_app(request: pytest.FixtureRequest, config: dict[str, Any]) -> Iterator[Flask]:
    """An app over `config` on the fixture's param: "sqlite" (in memory) or "postgresql"."""
    if request.param == "sqlite":
        yield create_app(config)
        return
    with fresh_schema(request.getfixturevalue("postgres_server")) as url:
        app = create_app({**config, "DB": url, "RESET": True})
        try:
            yield app
        finally:
            app.extensions["mockjobs"].store.close()
