"""Caches of the job list, valid for one version of the data.

The data of a mock changes rarely (the control API, a cancel, the lifecycle), and every
write bumps the store's version, so answers can be kept until the next write:

- the ordered row ids of each filter set and order: any page of it, deep offsets included,
  is a slice, and its total is the slice's length;
- the JSON of each job, as the list shows it;
- the whole answer to each query string, for clients that ask the same thing again.

Each cache is bounded, and all are dropped together when a newer version is seen, so a write
is seen by the very next request. Each answer is computed from one version of the data and
kept only while that version is current.
"""

from __future__ import annotations

import json
import threading
from array import array
from collections import OrderedDict
from typing import Any

import peewee

from .db import Store
from .models import RESPONSE_FIELDS
from .schemas import JobSchema

JOB = JobSchema(only=RESPONSE_FIELDS)
MAX_IDS = 20_000_000  # row ids kept over all cached orders (8 bytes each)
MAX_JOBS = 200_000  # job JSON fragments kept
MAX_ANSWERS = 4096  # whole answers kept


class Answer:
    """A ready answer to a list query: its body and Content-Range."""

    __slots__ = ("body", "content_range")

    def __init__(self, body: bytes, content_range: str) -> None:
        self.body, self.content_range = body, content_range


class ListCache:
    """The list endpoint's answers for `store`, computed once per version of its data."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._version = -1
        self._orders: OrderedDict[tuple, array] = OrderedDict()
        self._ids_kept = 0
        self._jobs: OrderedDict[int, bytes] = OrderedDict()
        self._answers: OrderedDict[Any, Answer] = OrderedDict()

    def answer_for(self, key: Any) -> Answer | None:
        """The answer kept for a raw query, if the data has not changed since."""
        version = self.store.current_version()
        with self._lock:
            if not self._holds(version):
                return None
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def answer(self, key: Any, params: dict[str, Any]) -> Answer:
        """The answer to validated `params`, kept under `key` (the raw query)."""
        with self.store.reading() as version:  # one version of the data throughout
            rowids = self._ordered(params, version)
            start = min(params["offset"], len(rowids))
            page = rowids[start : start + params["limit"]]
            jobs = self._fragments(page, version)
        offset, total = params["offset"], len(rowids)
        end = offset + len(page)
        body = b"".join(
            [
                b'{"status":"success","message":"OK.","code":"200","data":[',
                b",".join(jobs),
                b'],"pagination":{"total":%d,"start":%d,"end":%d}}' % (total, offset, end),
            ]
        )
        answer = Answer(body, f"{offset + 1}-{end}/{total}" if page else f"*/{total}")
        with self._lock:
            if self._holds(version):
                self._answers[key] = answer
                if len(self._answers) > MAX_ANSWERS:
                    self._answers.popitem(last=False)
        return answer

    def _holds(self, version: int) -> bool:
        """Whether the caches are those of `version`; a newer version empties them. Under _lock."""
        if version > self._version:
            self._orders.clear()
            self._jobs.clear()
            self._answers.clear()
            self._ids_kept = 0
            self._version = version
        return version == self._version

    def _ordered(self, params: dict[str, Any], version: int) -> array:
        """The row ids of the jobs matching `params`, in the query's order."""
        key = order_key(params)
        with self._lock:
            rowids = self._orders.get(key) if self._holds(version) else None
            if rowids is not None:
                self._orders.move_to_end(key)
                return rowids
        query = self.store.query(params)
        rowids = array("q")
        if query is not None:
            sql, values = query.select(peewee.SQL("rowid")).sql()
            rowids.extend(row[0] for row in self.store.database.execute_sql(sql, values))
        with self._lock:
            if self._holds(version):
                self._orders[key] = rowids
                self._ids_kept += len(rowids)
                while self._ids_kept > MAX_IDS and len(self._orders) > 1:
                    self._ids_kept -= len(self._orders.popitem(last=False)[1])
        return rowids

    def _fragments(self, rowids: array, version: int) -> list[bytes]:
        """The JSON of each job, as the list shows it."""
        with self._lock:
            kept = self._jobs if self._holds(version) else {}
            found = {rowid: kept[rowid] for rowid in rowids if rowid in kept}
        missing = [rowid for rowid in rowids if rowid not in found]
        if missing:
            Job = self.store.Job
            query = Job.select(peewee.SQL("rowid").alias("_rowid"), *Job._meta.sorted_fields)
            made = {job._rowid: dump(job) for job in query.where(peewee.SQL("rowid").in_(missing))}
            found.update(made)
            with self._lock:
                if self._holds(version):
                    self._jobs.update(made)
                    while len(self._jobs) > MAX_JOBS:
                        self._jobs.popitem(last=False)
        return [found[rowid] for rowid in rowids]


def dump(job: Any) -> bytes:
    """A job's JSON in the list, as Flask would send it: compact, UTF-8, keys in order."""
    return json.dumps(JOB.dump(job), ensure_ascii=False, separators=(",", ":")).encode()


def order_key(params: dict[str, Any]) -> tuple:
    """What decides the ordered ids: every parameter but limit and offset."""
    return tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in params.items()
        if name not in ("limit", "offset")
    )
