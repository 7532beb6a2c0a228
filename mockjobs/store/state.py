"""The mock's shared state in the store: the fault rules, named values (the journal: journal.py).

In the database, so that every process sharing it shares them too: a fault armed through
one process fires on any, exactly its `times`. None of these tables is data: writing them
changes no data version. They are read on every request, so their statements are written out
once, not built per call, and each process keeps their rows until the state version says that
some process changed them: a request reads it in the one statement that reads the versions
(`Store.stamp`).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from .base import Store
from .tables import dump_json


class Table:
    """One state table of a store, with its statements in the backend's parameter style."""

    def __init__(self, store: Store, model: Any) -> None:
        self.store, self.model = store, model
        self.name = model._meta.table_name

    def sql(self, text: str) -> str:
        """`text` with `{t}` the table and `?` the backend's placeholder."""
        return text.replace("{t}", f'"{self.name}"').replace("?", self.store.database.param)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows a statement gives, every one read before the session ends: a cursor read
        later would step beside another thread's statement on a shared connection (SQLite's),
        holding a read snapshot under which a write of this process fails at once."""
        with self.store.session():
            return self.store.database.execute_sql(sql, params).fetchall()

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """How many rows a statement changed."""
        with self.store.session():
            return self.store.database.execute_sql(sql, params).rowcount

    def clear(self) -> None:
        self.write(self.sql("DELETE FROM {t}"))


class Kept(Table):
    """A state table whose rows each process keeps, read again when the state version moves."""

    def __init__(self, store: Store, model: Any, select: str) -> None:
        super().__init__(store, model)
        self._select = self.sql(select)
        self._kept: tuple[int, list[tuple[Any, ...]]] = (-1, [])
        self._lock = threading.Lock()

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """How many rows a statement changed; the moment this thread is in looks again, as
        the state version has moved."""
        changed = super().write(sql, params)
        self.store.look_again()
        return changed

    def rows(self) -> list[tuple[Any, ...]]:
        """The rows as of the state version now (the version read before the rows)."""
        version = self.store.state_version()
        kept = self._kept
        if kept[0] == version:
            return kept[1]
        rows = self.execute(self._select)
        with self._lock:
            if version >= self._kept[0]:
                self._kept = (version, rows)
        return rows


RULE_COLUMNS = ("id", "method", "path", "query", "status", "times", "delay_ms", "retry_after", "drop")  # fmt: skip


class FaultTable(Kept):
    """Armed fault rules, in the order they were armed."""

    def __init__(self, store: Store) -> None:
        columns = ", ".join(f'"{c}"' for c in RULE_COLUMNS)
        super().__init__(store, store.FaultRule, f"SELECT {columns} FROM {{t}} ORDER BY id")
        self._use = self.sql("UPDATE {t} SET times = times - 1 WHERE id = ? AND times > 0")

    def arm(self, rule: dict[str, Any]) -> dict[str, Any]:
        with self.store.session():
            rule_id = self.model.insert(**rule).execute()
        self.store.look_again()
        return {"id": rule_id, **rule}

    def rules(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The rules (those for `method` and `path`, when given, and not used up)."""
        rows = self.rows()
        if method is not None:  # (id, method, path, query, status, times, ...)
            rows = [r for r in rows if r[1:3] == (method, path) and (r[5] is None or r[5] > 0)]
        rules = [dict(zip(RULE_COLUMNS, row, strict=True)) for row in rows]
        for rule in rules:
            rule["query"], rule["drop"] = json.loads(rule["query"]), bool(rule["drop"])
        return rules

    def use(self, rule: dict[str, Any]) -> bool:
        """Use up one of the rule's `times`, atomically over every process; False if none left."""
        return rule["times"] is None or self.write(self._use, (rule["id"],)) == 1


class Values(Kept):
    """Named JSON values shared by every process: the clock, the configured data set."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, store.Setting, "SELECT key, value FROM {t}")
        self._set = self.sql(
            "INSERT INTO {t} (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )

    def get(self, key: str, default: Any = None) -> Any:
        """The value under `key`, a copy of its own (`default` when there is none)."""
        for name, value in self.rows():
            if name == key:
                return json.loads(value)
        return default

    def set(self, key: str, value: Any) -> None:
        """Keep `value` (any JSON, null included) under `key`."""
        self.write(self._set, (key, dump_json(value)))
