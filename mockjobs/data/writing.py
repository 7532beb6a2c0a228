"""A fixture file written: `{"jobs": [...], "batches": [...]}`, a record a line."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..vocabulary import format_timestamp


def dump_records(
    records: Iterable[dict[str, Any]], batches: Iterable[dict[str, Any]] | None = None
) -> Iterable[str]:
    """A fixture file's text, in pieces: `{"jobs": [...], "batches": [...]}`, a record a line.

    `batches` is read after the jobs (a generator's batches are known once its jobs are).
    """
    yield '{"jobs": [\n'
    yield from lines(records)
    if batches is not None:
        yield '\n],\n"batches": [\n'
        yield from lines(batches)
    yield "\n]}\n"


def lines(records: Iterable[dict[str, Any]]) -> Iterable[str]:
    for index, record in enumerate(records):
        prefix = ",\n" if index else ""
        yield prefix + json.dumps(to_json(record), ensure_ascii=False, separators=(",", ":"))


def to_json(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: format_timestamp(value) if isinstance(value, datetime) else value
        for key, value in record.items()
    }


def write_atomically(path: Path, pieces: Iterable[str]) -> None:
    """Write `path` whole or not at all (OSError: nothing written)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.writelines(pieces)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:  # `path` is a directory, say
        Path(temporary).unlink(missing_ok=True)
        raise
