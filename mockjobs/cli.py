"""The command line: `mockjobs serve` and `mockjobs generate`."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click
import peewee
import waitress

from . import server
from .app import create_app
from .contract.openapi import openapi_document
from .data.fixtures import FixtureError, dump_records
from .data.generator import DEFAULT_RANDOM_SEED, generate_jobs
from .mock.faults import parse_latency

T = TypeVar("T")
PROGRESS_FROM = 50_000  # jobs: below this, loading takes a moment and shows no bar


class CommandError(Exception):
    """A failure explained in one line; the command exits with status 2."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mockjobs", prog_name="mockjobs")
def cli() -> None:
    """A local mock of the job list API, GET /api/v2/jobs."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port; 0 picks a free one.")  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), default=500, show_default=True,
              help="Number of generated jobs.")  # fmt: skip
@click.option("--random-seed", type=int, default=DEFAULT_RANDOM_SEED, show_default=True,
              help="Seed of the generator.")  # fmt: skip
@click.option("--fixtures", multiple=True, metavar="FILE",
              help="Fixture file, loaded before the generated jobs (repeatable).")  # fmt: skip
@click.option("--db", default=":memory:", show_default=True, metavar="PATH",
              help="Database file, or a postgresql:// URL; one that holds jobs is served as it is.")  # fmt: skip
@click.option("--reset", is_flag=True, help="Replace the jobs of an existing --db.")
@click.option("--strict", is_flag=True, help="Refuse unknown query parameters (422).")
@click.option("--token", metavar="T", help="Require `Authorization: Bearer T` (401 otherwise).")
@click.option("--latency", metavar="MS|MIN-MAX", callback=lambda ctx, param, value: latency(value),
              help="Milliseconds added to each API request.")  # fmt: skip
@click.option("--lifecycle", is_flag=True, help="Jobs start, progress and finish as time passes.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="With --lifecycle, the share of jobs that end in ERROR.")  # fmt: skip
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Worker threads.")  # fmt: skip
def serve(
    host: str, port: int, seed: int, random_seed: int, fixtures: Sequence[str], db: str,
    reset: bool, strict: bool, token: str | None, latency: tuple[int, int], lifecycle: bool,
    error_rate: float, threads: int,
) -> None:  # fmt: skip
    """Serve the API on http://HOST:PORT until interrupted."""
    sock = listen(host, port)  # first: a port in use is reported before any loading
    config = {"SEED": seed, "RANDOM_SEED": random_seed, "FIXTURES": list(fixtures), "DB": db,
              "RESET": reset, "STRICT": strict, "TOKEN": token, "LATENCY": latency,
              "LIFECYCLE": lifecycle, "ERROR_RATE": error_rate}  # fmt: skip
    expected = seed if (reset or db == ":memory:") else None
    try:
        with progress_bar(expected, "Loading jobs") as progress:
            app = create_app(config, progress=progress)
    except BaseException:
        sock.close()
        raise
    count = app.extensions["mockjobs"].jobs.count()
    wsgi = waitress.create_server(app, sockets=[sock], threads=threads, ident="mockjobs")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a busy mock is no warning
    click.echo(f"mockjobs: serving {count} jobs on {server.base_url(sock)} (Ctrl-C to stop)")
    click.echo(f"mockjobs: dashboard on {server.base_url(sock)}/")
    try:
        wsgi.run()
    except KeyboardInterrupt:
        click.echo("mockjobs: stopped")
    finally:
        wsgi.close()


@cli.command()
@click.option("--count", type=click.IntRange(min=0), required=True, help="Number of jobs.")
@click.option("--random-seed", type=int, default=DEFAULT_RANDOM_SEED, show_default=True,
              help="Seed of the generator.")  # fmt: skip
@click.option("-o", "--output", default="-", metavar="FILE", help="Output file (default: stdout).")
def generate(count: int, random_seed: int, output: str) -> None:
    """Write a fixture file of generated jobs (the ones `serve --seed COUNT` serves)."""
    with progress_bar(count, "Generating jobs") as progress:
        jobs = generate_jobs(count, random_seed)
        if progress:
            jobs = counted(jobs, progress)
        if output == "-":
            sys.stdout.writelines(dump_records(jobs))
            return
        write_atomically(Path(output), dump_records(jobs))


@cli.command()
def openapi() -> None:
    """Print the OpenAPI document of the served API (JSON)."""
    click.echo(json.dumps(openapi_document(), indent=2, ensure_ascii=False))


def counted(items: Iterator[T], progress: Callable[[int], None]) -> Iterator[T]:
    """The items, telling `progress` of every thousand that passed."""
    for index, item in enumerate(items, 1):
        if index % 1000 == 0:
            progress(1000)
        yield item


def write_atomically(path: Path, pieces: Iterator[str]) -> None:
    """Write `path` whole or not at all."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.writelines(pieces)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def latency(value: str | None) -> tuple[int, int]:
    try:
        return parse_latency(value) if value else (0, 0)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--latency'") from None


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or a CommandError saying why not."""
    try:
        return server.listen(host, port)
    except socket.gaierror as error:
        raise CommandError(
            f"cannot listen on {host}:{port}: unknown host ({error.strerror})"
        ) from None
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise CommandError(f"cannot listen on {host}:{port}: {reason}") from None


@contextmanager
def progress_bar(total: int | None, label: str) -> Iterator:
    """A progress callback drawing a bar on stderr for big loads; None for small ones."""
    if total is None or total < PROGRESS_FROM:
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; bad input ends with one line on stderr and status 2."""
    try:
        result = cli.main(args=argv, prog_name="mockjobs", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else str(error))
        return 0
    except click.ClickException as error:
        return fail(error.format_message())
    except click.Abort:
        return 130
    except (CommandError, FixtureError) as error:
        return fail(str(error))
    except peewee.DatabaseError as error:
        return fail(f"database error: {error}")
    return result if isinstance(result, int) else 0


def fail(message: str) -> int:
    click.echo(f"mockjobs: error: {' '.join(message.split())}", err=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
