"""Caches of the job list, valid for one version of the data.

The data of a mock changes rarely (the control API, a cancel, the lifecycle), and every
write bumps the store's version, so answers can be kept until the next write:

- the ordered row ids of each filter set and order: any page of it, deep offsets included,
  is a slice, and its total is the slice's length;
- the JSON of each job, as the list shows it;
- the whole answer to each query string, for clients that ask the same thing again.

Each cache is bounded, and all are dropped together when the version changes, so a write is
seen by the very next request.
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
from .queries import job_query
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
        with self._lock:
            self._check_version()
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def answer(self, key: Any, params: dict[str, Any]) -> Answer:
        """The answer to validated `params`, kept under `key` (the raw query)."""
        with self.store.lock:  # one version of the data throughout
            with self._lock:
                self._check_version()
            rowids = self._ordered(params)
            start = min(params["offset"], len(rowids))
            page = rowids[start : start + params["limit"]]
            jobs = self._fragments(page)
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
            self._answers[key] = answer
            if len(self._answers) > MAX_ANSWERS:
                self._answers.popitem(last=False)
        return answer

    def _check_version(self) -> None:
        if self._version != self.store.version:
            self._orders.clear()
            self._jobs.clear()
            self._answers.clear()
            self._ids_kept = 0
            self._version = self.store.version

    def _ordered(self, params: dict[str, Any]) -> array:
        """The row ids of the jobs matching `params`, in the query's order."""
        key = order_key(params)
        with self._lock:
            rowids = self._orders.get(key)
            if rowids is not None:
                self._orders.move_to_end(key)
                return rowids
        query = job_query(self.store.Job, params).select(peewee.SQL("rowid"))
        sql, values = query.sql()
        rowids = array("q", (row[0] for row in self.store.database.execute_sql(sql, values)))
        with self._lock:
            self._orders[key] = rowids
            self._ids_kept += len(rowids)
            while self._ids_kept > MAX_IDS and len(self._orders) > 1:
                self._ids_kept -= len(self._orders.popitem(last=False)[1])
        return rowids

    def _fragments(self, rowids: array) -> list[bytes]:
        """The JSON of each job, as the list shows it."""
        with self._lock:
            found = {rowid: self._jobs[rowid] for rowid in rowids if rowid in self._jobs}
        missing = [rowid for rowid in rowids if rowid not in found]
        if missing:
            Job = self.store.Job
            query = Job.select(peewee.SQL("rowid").alias("_rowid"), *Job._meta.sorted_fields)
            made = {job._rowid: dump(job) for job in query.where(peewee.SQL("rowid").in_(missing))}
            found.update(made)
            with self._lock:
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
