"""The command line: `mockjobs serve`, `mockjobs generate` and `mockjobs record`."""

from __future__ import annotations

import json
import signal
import socket
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click
import peewee

from . import record_query, recorder, workers, wsgi
from .app import create_app
from .client import server_url
from .contract.openapi import openapi_document
from .data import writing
from .data.fixtures import FixtureError
from .data.generator import generate
from .data.writing import dump_records
from .errors import InvalidInput
from .mock.datasets import DataSet
from .options import from_command_line, given_as, setting_options
from .progress import counted, progress_bar
from .settings import APP_SETTINGS, DATA_SET, MEMORY, SETTINGS


class CommandError(Exception):
    """A failure explained in one line; the command exits with status 2."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mockjobs", prog_name="mockjobs")
def cli() -> None:
    """A local mock of the job list API, GET /api/v2/jobs."""


ENVIRONMENT_HELP = """Each option can also be set by a MOCKJOBS_* environment variable, in
JSON or as the option's text: MOCKJOBS_SEED=50, MOCKJOBS_FIXTURES='["a.json"]',
MOCKJOBS_TOKEN=t. The command line comes first, then the environment, then the defaults."""


@cli.command(epilog=ENVIRONMENT_HELP)
@setting_options(SETTINGS.values())
def serve(**options: Any) -> None:
    """Serve the API on http://HOST:PORT until interrupted."""
    ctx = click.get_current_context()
    values = from_command_line(ctx, options)
    given = {name: given_as(ctx, name, values[name]) for name in SETTINGS}
    sock = listen(values["host"], values["port"])  # first: a port in use is said before loading
    config = {SETTINGS[name].key: values[name] for name in APP_SETTINGS}
    config["ALLOWED_HOSTS"] = (
        *wsgi.served_hosts(values["host"], values["allowed_hosts"]),
        sock.getsockname()[0],  # the address the host resolved to
    )
    folder = workers.shared_database(config, values["workers"])
    if given["reset"] and values["reset"] and values["db"] == MEMORY:
        note(
            f"{given['reset']} ignored: without --db the database is in memory, new at every start"
        )
    try:
        # A database that holds jobs loads none, and shows no progress.
        with progress_bar(values["seed"], "Loading jobs") as progress:
            app = create_app(config, progress=progress)
    except BaseException:
        sock.close()
        workers.remove_folder(folder)
        raise
    mock = app.extensions["mockjobs"]
    count = mock.jobs.count()
    ignored = ignored_data_set(values, given, mock.dataset)
    if ignored:
        note(
            f"{enumeration(ignored)} ignored: the database holds {count:,} jobs"
            " (use --reset to replace them)"
        )
    http_server = wsgi.wsgi_server(app, sock, values)
    warning = wsgi.exposure_warning(values["host"], values["token"])
    if warning:
        click.echo(warning, err=True)
    others = workers.Workers(values["workers"], sock, app.config, values)
    signal.signal(signal.SIGTERM, interrupt)  # as Ctrl-C: the workers and the files go too
    try:
        others.start(http_server)
        processes = f" ({values['workers']} processes)" if values["workers"] > 1 else ""
        click.echo(f"mockjobs: serving {count} jobs on {wsgi.base_url(sock)}{processes} (Ctrl-C to stop)")  # fmt: skip
        click.echo(f"mockjobs: dashboard on {wsgi.base_url(sock)}/")
        http_server.run()  # returns on Ctrl-C: waitress takes the KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    finally:
        others.stop()
        http_server.close()
        mock.store.close()
        workers.remove_folder(folder)
    click.echo("mockjobs: stopped")


def interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def ignored_data_set(
    values: dict[str, Any], given: dict[str, str | None], served: DataSet | None
) -> list[str]:
    """The data set's settings given (on the command line or in the environment) but not served:
    a database that held jobs kept them, and the data set they were loaded from (None: unknown).

    Fixture files are then not read, so not checked either: a file that is gone or broken is no
    reason to refuse a database that serves without it; it is said, and --reset reads it.
    """
    ignored = []
    for name in DATA_SET:
        if given[name] and (served is None or getattr(served, name) != values[name]):
            ignored.append(f"{given[name]} (not read)" if name == "fixtures" else given[name])
    return ignored


def enumeration(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join(filter(None, (", ".join(items[:-1]), items[-1])))


def note(message: str) -> None:
    """One line on stderr about an option given that changes nothing."""
    click.echo(f"mockjobs: note: {message}", err=True)


@cli.command("generate")
@click.option("--count", type=click.IntRange(min=0), required=True, help="Number of jobs.")
@click.option("--random-seed", type=int, default=SETTINGS["random_seed"].default,
              show_default=True, help="Seed of the generator.")  # fmt: skip
@click.option("-o", "--output", default="-", metavar="FILE", help="Output file (default: stdout).")
def generate_command(count: int, random_seed: int, output: str) -> None:
    """Write a fixture file of generated jobs and their batches (what `serve --seed COUNT` serves)."""
    with progress_bar(count, "Generating jobs") as progress:
        generator = generate(count, random_seed)
        jobs = generator.jobs()
        if progress:
            jobs = counted(jobs, progress)
        text = dump_records(jobs, generator.batches)  # the batches, once the jobs are written
        if output == "-":
            sys.stdout.writelines(text)
            return
        write_atomically(Path(output), text)


@cli.command("record")
@click.option(
    "--url",
    required=True,
    metavar="URL",
    help="The server: what precedes /api/v2/jobs (https://HOST[/PATH]).",
)
@click.option(
    "--token",
    envvar="MOCKJOBS_RECORD_TOKEN",
    metavar="TOKEN",
    help="Sent as Authorization: Bearer TOKEN (or from MOCKJOBS_RECORD_TOKEN).",
)
@record_query.filter_options
@click.option(
    "--only-matching",
    is_flag=True,
    help="Record only the matching jobs, not every job of their batches.",
)
@click.option(
    "--with-sequences",
    is_flag=True,
    help="Also each job's sequence and each batch's sequence builder.",
)
@click.option("--with-results", is_flag=True, help="Also each job's result (its results link).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Requests at once for batches, sequences and results.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds to wait for an answer.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
@click.option("-o", "--output", required=True, metavar="FILE", help="The fixture file (-: stdout).")
def record_command(
    url: str, token: str | None, only_matching: bool, with_sequences: bool, with_results: bool,
    concurrency: int, timeout: float, quiet: bool, output: str, **filters: Any,
) -> int:  # fmt: skip
    """Write a fixture file of a server's jobs and their batches, which serves the same pages.

    Pages through the job list of the real service or another mockjobs; exit status 1 if the
    server cannot be recorded.
    """
    try:
        base = server_url(url, "--url")
        query = record_query.job_query(filters)
    except (InvalidInput, record_query.BadOption) as error:
        raise CommandError(str(error)) from None
    path = None if output == "-" else Path(output)
    if path is not None and (path.is_dir() or not path.parent.is_dir()):
        why = "a directory" if path.is_dir() else f"no directory {path.parent}"
        raise CommandError(f"cannot write {path}: {why}")  # said before recording for an hour
    say = None if quiet else (lambda line: click.echo(line, err=True))
    client = recorder.Client(base, token, timeout)
    try:
        recording = recorder.record(
            client, query, whole_batches=not only_matching, sequences=with_sequences,
            results=with_results, concurrency=concurrency, say=say,
        )  # fmt: skip
    except recorder.RecordError as error:
        click.echo(f"mockjobs: error: {' '.join(str(error).split())}", err=True)
        return 1
    for warning in recording.warnings:
        click.echo(f"mockjobs: warning: {warning}", err=True)
    text = dump_records(recording.jobs, recording.batches)
    if path is None:
        sys.stdout.writelines(text)
    else:
        write_atomically(path, text)
    if say is not None:
        say(f"mockjobs: recorded {len(recording.jobs):,} jobs and {len(recording.batches):,}"
            f" batches from {base} to {output}")  # fmt: skip
    return 0


@cli.command()
def openapi() -> None:
    """Print the OpenAPI document of the served API (JSON)."""
    click.echo(json.dumps(openapi_document(), indent=2, ensure_ascii=False))


def write_atomically(path: Path, pieces: Iterator[str]) -> None:
    """Write `path` whole or not at all, or a CommandError saying why not."""
    try:
        writing.write_atomically(path, pieces)
    except OSError as error:  # no such directory, or `path` is one
        raise CommandError(f"cannot write {path}: {error.strerror}") from None


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or a CommandError saying why not."""
    try:
        return wsgi.listen(host, port)
    except socket.gaierror as error:
        raise CommandError(
            f"cannot listen on {host}:{port}: unknown host ({error.strerror})"
        ) from None
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise CommandError(f"cannot listen on {host}:{port}: {reason}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; bad input ends with one line on stderr and status 2."""
    try:
        result = cli.main(args=argv, prog_name="mockjobs", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else str(error))
        return 0
    except click.ClickException as error:
        return fail(error.format_message())
    except (click.Abort, KeyboardInterrupt):
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
