"""MockControl: what a test does to a mock, the same in process and over HTTP.

MockJobsServer (mockjobs.server) controls the mock it serves; MockJobsClient
(mockjobs.client) controls a mockjobs running anywhere through its control API (/_mock).
Both check a call's arguments here, with the control API's own schemas, so that a bad one is
the same InvalidInput, naming the field, before anything is sent or changed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .contract.bodies import load_arguments
from .contract.control import CLOCK, FATE, FAULT_RULE, RESET
from .errors import InvalidInput
from .mock.journal import RecordedRequest, assert_request_made

Record = dict[str, Any]


class MockControl(ABC):
    """The control of one mock: its data set, its faults, its clock and its journal."""

    url: str  # the base URL its API answers on: http://HOST:PORT

    # -- the data --------------------------------------------------------------------------

    def reset(
        self,
        *,
        seed: int | None = None,
        random_seed: int | None = None,
        fixtures: Sequence[str | Path] | None = None,
    ) -> None:
        """Back to the configured data set, or to another one given here (which then stays).

        The journal, the fault rules, the fates and the clock start afresh. Fixture files are
        read where the mock runs.
        """
        given = {"seed": seed, "random_seed": random_seed}
        if fixtures is not None:
            if isinstance(fixtures, str | Path):  # one path, not its characters
                raise InvalidInput([("fixtures", "Not a valid list.")], "reset")
            given["fixtures"] = [str(path) for path in fixtures]
        body = {name: value for name, value in given.items() if value is not None}
        self._reset(load_arguments(RESET, body, "reset"))

    @abstractmethod
    def add_jobs(self, records: Sequence[Record] | Record) -> list[Record]:
        """Insert job records (a list, or `{"jobs": [...], "batches": [...]}`), partial ones
        completed as in a fixture file; the complete job records. All or nothing."""

    # -- faults and fates ------------------------------------------------------------------

    def arm_fault(self, path: str = "/api/v2/jobs", **rule: Any) -> Record:
        """Arm a fault rule (the fields of POST /_mock/faults: method, query, status, times,
        delay_ms, retry_after, drop); the rule with its id."""
        body = {"path": path, **rule}
        load_arguments(FAULT_RULE, body, "arm_fault")
        return self._arm_fault(body)

    @property
    @abstractmethod
    def faults(self) -> list[Record]:
        """The fault rules armed, in the order they were armed (used-up ones at `times` 0)."""

    @abstractmethod
    def clear_faults(self) -> None: ...

    def decide_fates(
        self, status: str = "ERROR", count: int = 1, errors: Sequence[str] = ()
    ) -> list[Record]:
        """The next `count` submitted jobs end `status` (the fields of POST /_mock/fates);
        every fate pending, in the order the next submitted jobs take them."""
        body = {"status": status, "count": count, "errors": list(errors)}
        load_arguments(FATE, body, "decide_fates")
        return self._decide_fates(body)

    @property
    @abstractmethod
    def fates(self) -> list[Record]:
        """The fates pending, in the order the next submitted jobs take them."""

    @abstractmethod
    def clear_fates(self) -> None: ...

    # -- the clock -------------------------------------------------------------------------

    @property
    @abstractmethod
    def now(self) -> datetime:
        """The mock's clock (UTC)."""

    def advance_clock(self, seconds: float) -> datetime:
        """Move the mock's clock forward; the live jobs move with it. The new time."""
        try:
            load_arguments(CLOCK, {"advance": seconds}, "advance_clock")
        except InvalidInput as error:  # the Python argument's name, not the body's
            raise InvalidInput([("seconds", message) for _, message in error.problems],
                               "advance_clock") from None  # fmt: skip
        return self._advance_clock(seconds)

    # -- the journal -----------------------------------------------------------------------

    @property
    @abstractmethod
    def requests(self) -> list[RecordedRequest]:
        """The requests received (not those to /_mock), oldest first (the latest
        `journal_size`)."""

    @abstractmethod
    def clear_requests(self) -> None: ...

    def assert_request_made(
        self,
        path: str,
        query: dict[str, Any] | None = None,
        *,
        method: str = "GET",
        count: int | None = None,
        exact: bool = False,
    ) -> list[RecordedRequest]:
        """The matching requests; an AssertionError listing the closest ones when there are none.

        See `mockjobs.mock.journal.assert_request_made`.
        """
        return assert_request_made(
            self.requests, path, query, method=method, count=count, exact=exact
        )

    # -- what each kind of control does with arguments checked -----------------------------

    @abstractmethod
    def _reset(self, body: dict[str, Any]) -> None: ...

    @abstractmethod
    def _arm_fault(self, body: Record) -> Record: ...

    @abstractmethod
    def _decide_fates(self, body: Record) -> list[Record]: ...

    @abstractmethod
    def _advance_clock(self, seconds: float) -> datetime: ...
