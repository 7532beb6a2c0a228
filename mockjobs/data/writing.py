"""A fixture file written: `{"jobs": [...], "batches": [...]}`, a record a line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
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
