"""Fault rules, the WireMock way: answer matching requests with an error, late, or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..store.state import FaultTable

Rule = dict[str, Any]  # the fields of POST /_mock/faults, and its "id"


class Faults:
    """The armed rules, checked in the order they were armed, shared by every process."""

    def __init__(self, table: FaultTable) -> None:
        self.table = table

    def arm(self, spec: Rule) -> Rule:
        return self.table.arm(spec)

    def take(
        self, method: str, path: str, query: Callable[[], dict[str, list[str]]]
    ) -> Rule | None:
        """The first rule matching the request, one of its `times` used up. `query` gives the
        request's query, asked only if a rule names the method and path."""
        rules = self.table.rules(method, path)
        given = query() if rules else {}
        for rule in rules:
            wanted = rule["query"].items()
            if all(value in given.get(key, []) for key, value in wanted) and self.table.use(rule):
                return rule
        return None

    def rules(self) -> list[Rule]:
        return self.table.rules()

    def clear(self) -> None:
        self.table.clear()
