"""`mockjobs record`: the jobs of any server of the API, and their batches, as a fixture.

It pages through `GET /api/v2/jobs` (the real service or another mockjobs) with the standard
library's HTTP client, and returns the job and batch records that, loaded as a fixture, serve
back the same pages. What the list does not show is recovered where the API tells it:

- `origin`, by paging the selection once per origin (`origin=` is a filter of the list): as
  many requests as one pass, plus a page or so per origin;
- `user_id`, from the job's batch record (the jobs of a batch share it);
- the other jobs of each batch the selection touches (unless `only_matching`), so that the
  batch's status and counts, which always follow from its jobs, are the source's;
- `sequence` (one request a job) and each batch's `sequence_builder`, and `result` (two),
  when asked for.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .contract.errors import RequestValidationError
from .contract.query import parse_query
from .data.fixtures import FixtureError, parse_fixture
from .domain.batches import batch_status
from .vocabulary import BATCH_RECORD_FIELDS, ORIGINS, RESPONSE_FIELDS, STATUSES

JOBS, BATCHES = "/api/v2/jobs", "/api/v1/batches"
PAGE = 100  # the list's largest page (0 < limit < 101)
CHUNK = 50  # ids a query names at most: about 2 KB of URL
ORDER = (("order_by", "created_at"), ("order_by_direction", "ASC"))  # new jobs come last
ATTEMPTS = 5  # tries of a request answered 429 or 5xx (or cut off, once the server answered)
BACKOFF = 0.5  # seconds before the first retry, doubled each time, at most MAX_BACKOFF
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 120.0  # a longer Retry-After ends the recording rather than stall it
RETRIED = frozenset({429, 500, 502, 503, 504})
PROGRESS_EVERY = 2.0  # seconds between progress lines

# The job list's filters, in the API document's order: (parameter, repeated, metavar, help).
FILTERS = (
    ("id", True, "ID", "A job id (repeatable)."),
    ("id__starts_with", False, "TEXT", "Jobs whose id starts with TEXT."),
    ("batch_id", True, "ID", "A batch id (repeatable)."),
    ("project_id", True, "ID", "A project id (repeatable)."),
    ("user_id", True, "ID", "A user id (repeatable)."),
    ("status", True, "STATUS", "A job status (repeatable): PENDING, RUNNING, DONE, ..."),
    ("min_runs", False, "N", "Jobs of at least N runs."),
    ("max_runs", False, "N", "Jobs of at most N runs."),
    ("errors", False, "BOOL", "true: jobs with error messages; false: without."),
    ("origin", True, "ORIGIN", "An origin (repeatable): CLIENT AZURE OVH UNKNOWN."),
    ("start_date", False, "INSTANT", "Jobs started at or after the instant (ISO 8601 or Unix)."),
    ("end_date", False, "INSTANT", "Jobs ended at or before the instant."),
)


class BadOption(ValueError):
    """An option the command refuses before sending anything (exit status 2)."""


class RecordError(Exception):
    """The server could not be recorded; the message names the URL (exit status 1)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def option_name(parameter: str) -> str:
    """The command-line option of a query parameter: `id__starts_with` is --id-starts-with."""
    return "--" + parameter.replace("__", "_").replace("_", "-")


class Args:
    """Query pairs as parse_query reads them."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = pairs

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self.pairs)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key for key, _ in self.pairs))

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]


def job_query(filters: dict[str, Any]) -> list[tuple[str, str]]:
    """The job list's query of the filter options given, checked as the API checks it.

    Values are passed on as given; one the API would refuse is a BadOption naming the option.
    """
    pairs: list[tuple[str, str]] = []
    for parameter, repeated, _, _ in FILTERS:
        value = filters.get(parameter)
        values = list(value or ()) if repeated else ([] if value is None else [value])
        pairs.extend((parameter, text) for text in values)
    try:
        parse_query(Args(pairs))
    except RequestValidationError as error:
        raise BadOption(
            "; ".join(
                f"{option_name(e['loc'][1])} {e['input']!r}: {e['msg']}" for e in error.detail
            )
        ) from None
    return pairs


class KeepTokenOnItsHost(urllib.request.HTTPRedirectHandler):
    """Redirects, the token dropped when they lead to another host."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:  # fmt: skip
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and origin_of(newurl) != origin_of(req.full_url):
            new.remove_header("Authorization")
        return new


def origin_of(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc.lower()


@dataclass
class Client:
    """GET requests to one server, JSON answers, 429s and 5xx retried with backoff."""

    base: str
    token: str | None = None
    timeout: float = 30.0
    reached: bool = False  # once the server has answered, a cut connection is retried too
    opener: Any = field(default_factory=lambda: urllib.request.build_opener(KeepTokenOnItsHost))
    user_agent: str = "mockjobs-record"

    def url(self, path: str, query: Iterable[tuple[str, str]] = ()) -> str:
        text = urllib.parse.urlencode(list(query))
        return f"{self.base}{path}" + (f"?{text}" if text else "")

    def get(self, path: str, query: Iterable[tuple[str, str]] = ()) -> Any:
        """The JSON answer of GET base+path?query."""
        return self.get_url(self.url(path, query))

    def get_url(self, url: str) -> Any:
        """The JSON answer of GET url; the token is sent to the server's own origin only."""
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept": "application/json"})  # fmt: skip
        if self.token and origin_of(url) == origin_of(self.base):
            request.add_header("Authorization", f"Bearer {self.token}")
        body = self.fetch(request)
        try:
            return json.loads(body)
        except ValueError:
            raise RecordError(f"{url}: the answer is not JSON ({body[:60]!r})") from None

    def fetch(self, request: urllib.request.Request) -> bytes:
        url = request.full_url
        for attempt in range(1, ATTEMPTS + 1):
            last = attempt == ATTEMPTS
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    body = response.read()
                self.reached = True
                return body
            except urllib.error.HTTPError as error:
                with error:
                    status, headers, body = error.code, error.headers, error.read()
                self.reached = True
                if status not in RETRIED or last:
                    raise RecordError(http_failure(url, status, body, self.token), status) from None
                wait = retry_after(headers.get("Retry-After"))
                if wait is not None and wait > MAX_RETRY_AFTER:
                    raise RecordError(
                        f"{url}: HTTP {status}, and the server asks to retry after {wait:.0f} s"
                    ) from None
                time.sleep(backoff(attempt) if wait is None else wait)
            except urllib.error.URLError as error:
                reason = error.reason
                transient = isinstance(reason, TimeoutError | ConnectionResetError)
                if not (self.reached and transient) or last:
                    raise RecordError(f"cannot reach {url}: {describe(reason)}") from None
                time.sleep(backoff(attempt))
            except (http.client.HTTPException, OSError) as error:  # cut off, timed out
                if not self.reached or last:
                    raise RecordError(f"{url}: {describe(error)}") from None
                time.sleep(backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(self, path: str, query: Sequence[tuple[str, str]]) -> Iterator[tuple[list[Any], int]]:
        """Each page's items and the total, paging with `offset = end` until `end >= total`."""
        offset = 0
        while True:
            url = self.url(path, [*query, ("limit", str(PAGE)), ("offset", str(offset))])
            items, pagination = page_of(url, self.get_url(url))
            yield items, pagination["total"]
            if pagination["end"] >= pagination["total"] or not items:
                return
            if pagination["end"] <= offset:
                raise RecordError(f"{url}: the page ends at {pagination['end']}, not after it")
            offset = pagination["end"]


def page_of(url: str, body: Any) -> tuple[list[Any], dict[str, int]]:
    """A page's items and pagination, or a RecordError saying it is not a page of the API."""
    items = body.get("data") if isinstance(body, dict) else None
    pagination = body.get("pagination") if isinstance(body, dict) else None
    if (
        isinstance(items, list)
        and all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in items)
        and isinstance(pagination, dict)
        and all(isinstance(pagination.get(key), int) for key in ("total", "start", "end"))
    ):
        return items, pagination
    raise RecordError(f"{url}: not a page of the API (no 'data' list of records and 'pagination')")


def data_of(url: str, body: Any) -> Any:
    """The `data` of a JSend success."""
    if not isinstance(body, dict) or "data" not in body:
        raise RecordError(f"{url}: not a JSend answer (no 'data')")
    return body["data"]


def backoff(attempt: int) -> float:
    return min(BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF)


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date), None without one."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def http_failure(url: str, status: int, body: bytes, token: str | None) -> str:
    """One line for an error answer: the URL, the status and what the server said."""
    said = ""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        detail = answer.get("message") or answer.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            detail = f"{detail[0].get('loc')}: {detail[0].get('msg')}"
        if detail:
            said = f": {str(detail)[:200]}"
    line = f"{url}: HTTP {status} {http.client.responses.get(status, '')}".rstrip() + said
    if status in (401, 403):
        line += " (check --token)" if token else " (give --token)"
    return line


def describe(reason: Any) -> str:
    return getattr(reason, "strerror", None) or str(reason) or type(reason).__name__


class Progress:
    """Lines on stderr, at most every PROGRESS_EVERY seconds: `recorded 300 of 1,234 jobs`."""

    def __init__(self, say: Callable[[str], None] | None, total: int = 0) -> None:
        self.say, self.total, self.done = say, total, 0
        self.what = "recorded {done} of {total} jobs"
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def phase(self, what: str, total: int, done: int = 0) -> None:
        self.what, self.total, self.done = what, total, done

    def advance(self, count: int = 1) -> None:
        with self.lock:
            self.done += count
            self.total = max(self.total, self.done)
            now = time.monotonic()
            if self.say is not None and now - self.last >= PROGRESS_EVERY:
                self.last = now
                self.say("mockjobs: " + self.line())

    def line(self) -> str:
        return self.what.format(done=f"{self.done:,}", total=f"{self.total:,}")


@dataclass
class Recording:
    """What a recording holds: job records, batch records, and what the user should know."""

    jobs: list[dict[str, Any]]
    batches: list[dict[str, Any]]
    warnings: list[str]


class Recorder:
    """One recording: the jobs of a selection, then their batches, sequences and results."""

    def __init__(
        self, client: Client, query: Sequence[tuple[str, str]], *, whole_batches: bool = True,
        sequences: bool = False, results: bool = False, concurrency: int = 4,
        say: Callable[[str], None] | None = None,
    ) -> None:  # fmt: skip
        self.client, self.query = client, list(query)
        self.whole_batches, self.sequences, self.results = whole_batches, sequences, results
        self.concurrency = concurrency
        self.progress = Progress(say)
        self.say = say
        self.jobs: dict[str, dict[str, Any]] = {}  # by id, in the order recorded
        self.origins: dict[str, str] = {}  # job id -> origin, where the API told it
        self.warnings: list[str] = []

    def run(self) -> Recording:
        url = self.client.url(JOBS, [*self.query, ("limit", "1")])  # first: is it there, how many
        total = page_of(url, self.client.get_url(url))[1]["total"]
        if self.say is not None:
            self.say(f"mockjobs: recording {total:,} jobs from {self.client.base}")
        self.progress.phase("recorded {done} of {total} jobs", total)
        chosen = [value for key, value in self.query if key == "origin"]
        others = [pair for pair in self.query if pair[0] != "origin"]
        self.collect(others, list(dict.fromkeys(chosen)) or list(ORIGINS), total)
        batches = self.fetch_batches(list(dict.fromkeys(j["batch_id"] for j in self.jobs.values() if "batch_id" in j)))  # fmt: skip
        if self.whole_batches:
            self.complete(batches)
        if self.sequences or self.results:
            self.fetch_details()
        return Recording(self.job_records(batches), self.batch_records(batches), self.warnings)

    # -- the jobs ------------------------------------------------------------------------------

    def collect(self, query: list[tuple[str, str]], origins: list[str], expected: int) -> None:
        """The jobs of `query`, paged once per origin, each told its origin; then, if fewer
        than `expected` came (jobs of another origin, or the data changed), once without."""
        seen: set[str] = set()
        for origin in origins:
            for items, _ in self.client.pages(JOBS, [*query, ("origin", origin), *ORDER]):
                for item in items:
                    self.origins.setdefault(item["id"], origin)
                    seen.add(item["id"])
                    self.add(item)
        if len(seen) < expected:
            before = len(self.jobs)
            for items, _ in self.client.pages(JOBS, [*query, *ORDER]):
                for item in items:
                    self.add(item)
            unknown = len(self.jobs) - before
            if unknown:
                self.warnings.append(
                    f"{unknown:,} jobs matched no origin filter ({', '.join(ORIGINS)}): "
                    "their origin is left out, for the loader to fill in"
                )

    def add(self, item: dict[str, Any]) -> None:
        if item["id"] not in self.jobs:
            self.jobs[item["id"]] = item
            self.progress.advance()

    def complete(self, batches: dict[str, dict[str, Any]]) -> None:
        """The jobs of each recorded batch that the selection left out."""
        recorded: dict[str, int] = {}
        for job in self.jobs.values():
            recorded[job.get("batch_id", "")] = recorded.get(job.get("batch_id", ""), 0) + 1
        short = [
            batch_id for batch_id, batch in batches.items()
            if isinstance(batch.get("jobs_count"), int) and recorded.get(batch_id, 0) < batch["jobs_count"]
        ]  # fmt: skip
        missing = sum(batches[b]["jobs_count"] - recorded.get(b, 0) for b in short)
        self.progress.total = len(self.jobs) + missing
        for chunk in chunks(short):
            expected = sum(batches[b]["jobs_count"] for b in chunk)
            self.collect([("batch_id", b) for b in chunk], list(ORIGINS), expected)

    # -- the batches ---------------------------------------------------------------------------

    def fetch_batches(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The batch records of `ids`, by id: from the batch list, a page for CHUNK batches,
        or, for their sequence builders (which the list leaves out), one request a batch."""
        found: dict[str, dict[str, Any]] = {}
        if not self.sequences:
            for chunk in chunks(ids):
                for items, _ in self.client.pages(BATCHES, [("id", b) for b in chunk]):
                    found.update((item["id"], item) for item in items if item["id"] in chunk)
        lost = []
        for batch_id, batch in zip(
            (b for b in ids if b not in found),
            self.each([b for b in ids if b not in found], self.one_batch),
            strict=True,
        ):
            if batch is None:
                lost.append(batch_id)
            else:
                found[batch_id] = batch
        if lost:
            self.warnings.append(
                f"{len(lost):,} batches not found (the first: {lost[0]}): made from their jobs"
                " by the loader, their jobs' user_id left out"
            )
        return {batch_id: found[batch_id] for batch_id in ids if batch_id in found}

    def one_batch(self, batch_id: str) -> dict[str, Any] | None:
        path = f"/api/v2/batches/{urllib.parse.quote(batch_id, safe='')}"
        try:
            batch = data_of(self.client.url(path), self.client.get(path))
        except RecordError as error:
            if error.status == 404:
                return None
            raise
        if not isinstance(batch, dict) or batch.get("id") != batch_id:
            raise RecordError(f"{self.client.url(path)}: not batch {batch_id}")
        return batch

    # -- sequences and results -----------------------------------------------------------------

    def fetch_details(self) -> None:
        """Each job's sequence (GET /api/v2/jobs/{id}) and result (its results link)."""
        what = " and ".join(w for w, on in (("sequences", self.sequences), ("results", self.results)) if on)  # fmt: skip
        self.progress.phase(f"fetched the {what} of {{done}} of {{total}} jobs", len(self.jobs))
        ids = list(self.jobs)
        for job_id, details in zip(ids, self.each(ids, self.details), strict=True):
            self.jobs[job_id] = {**self.jobs[job_id], **details}

    def details(self, job_id: str) -> dict[str, Any]:
        quoted = urllib.parse.quote(job_id, safe="")
        found: dict[str, Any] = {}
        if self.sequences:
            path = f"/api/v2/jobs/{quoted}"
            job = data_of(self.client.url(path), self.client.get(path))
            if isinstance(job, dict) and "sequence" in job:
                found["sequence"] = job["sequence"]
        if self.results:
            path = f"/api/v1/jobs/{quoted}/results_link"
            data = data_of(self.client.url(path), self.client.get(path))
            link = data.get("results_link") if isinstance(data, dict) else None
            found["result"] = None
            if isinstance(link, str) and link:
                result = self.client.get_url(urllib.parse.urljoin(self.client.base + "/", link))
                if not isinstance(result, dict):
                    raise RecordError(f"{link}: the result of job {job_id} is not a JSON object")
                found["result"] = result
        self.progress.advance()
        return found

    def each(self, items: list[str], fetch: Callable[[str], Any]) -> Iterator[Any]:
        """fetch(item) for each item, `concurrency` at a time, in order."""
        if not items:
            return iter(())
        executor = ThreadPoolExecutor(max_workers=self.concurrency)
        try:
            return iter(list(executor.map(fetch, items)))
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    # -- the records ---------------------------------------------------------------------------

    def job_records(self, batches: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """The jobs as fixture records: the list's 16 keys, user_id from the batch, origin."""
        records = []
        for job_id, item in self.jobs.items():
            record = {key: item[key] for key in RESPONSE_FIELDS if key in item}
            batch = batches.get(item.get("batch_id", ""))
            if batch is not None and "user_id" in batch:
                record["user_id"] = batch["user_id"]
            if job_id in self.origins:
                record["origin"] = self.origins[job_id]
            for key in ("sequence", "result"):
                if key in item:
                    record[key] = item[key]
            records.append(record)
        return records

    def batch_records(self, batches: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """The batches as fixture records; a status or count that the recorded jobs do not make
        (a batch only partly recorded, or changed while recording) left out, for the loader to
        derive from them."""
        counts: dict[str, dict[str, int]] = {b: dict.fromkeys(STATUSES, 0) for b in batches}
        for job in self.jobs.values():
            if job.get("batch_id") in counts and job.get("status") in STATUSES:
                counts[job["batch_id"]][job["status"]] += 1
        records, derived = [], 0
        for batch_id, batch in batches.items():
            record = {key: batch[key] for key in BATCH_RECORD_FIELDS if key in batch}
            own = counts[batch_id]
            made = {
                "jobs_count": sum(own.values()),
                "jobs_count_per_status": own,
                "status": batch_status(own, bool(batch.get("open")), str(batch.get("status"))),
            }
            if any(key in record and record[key] != value for key, value in made.items()):
                derived += 1
                for key, value in made.items():
                    if record.get(key) != value:
                        record.pop(key, None)
            records.append(record)
        if derived and self.whole_batches:
            self.warnings.append(
                f"{derived:,} batches changed while recording (or their jobs could not all be"
                " listed): their status and counts follow the recorded jobs"
            )
        return records


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def check_loads(recording: Recording, source: str) -> None:
    """A RecordError unless the recording loads as a fixture (what `serve --fixtures` does)."""
    try:
        parse_fixture({"jobs": recording.jobs, "batches": recording.batches})
    except FixtureError as error:
        raise RecordError(f"what {source} answered does not load as a fixture: {error}") from None


def record(client: Client, query: Sequence[tuple[str, str]], **options: Any) -> Recording:
    """Record the jobs of `query` (job_query's pairs) from the server of `client`."""
    recording = Recorder(client, query, **options).run()
    check_loads(recording, client.base)
    return recording
