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

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .data.fixtures import FixtureError, parse_fixture
from .domain.batches import batch_status
from .progress import Progress
from .remote import Client, RecordError, data_of, page_of
from .vocabulary import BATCH_RECORD_FIELDS, ORIGINS, RESPONSE_FIELDS, STATUSES

JOBS, BATCHES = "/api/v2/jobs", "/api/v1/batches"
CHUNK = 50  # ids a query names at most: about 2 KB of URL
ORDER = (("order_by", "created_at"), ("order_by_direction", "ASC"))  # new jobs come last


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
