"""The mock's shared state in the store: the journal, the fault rules, named values.

In the database, so that every process sharing it shares them too: a fault armed through
one process fires on any, exactly its `times`; any journal shows every process's requests.
None of these tables is data: writing them changes no data version.
"""

from __future__ import annotations

from typing import Any

from .base import Store


class JournalTable:
    """Requests received, oldest first, the most recent `size` of them kept."""

    def __init__(self, store: Store, size: int) -> None:
        self.store, self.model, self.size = store, store.JournalEntry, size

    def append(self, entry: dict[str, Any]) -> None:
        model = self.model
        with self.store.session(), self.store.database.atomic():
            seq = model.insert(entry=entry).execute()
            if seq % 64 == 0 or seq <= self.size + 1:  # trimmed now and then: cheap on average
                model.delete().where(model.seq <= seq - self.size).execute()

    def entries(self) -> list[dict[str, Any]]:
        model = self.model
        with self.store.session():
            newest = (
                model.select(model.seq, model.entry).order_by(model.seq.desc()).limit(self.size)
            )
            return [entry for _, entry in reversed(list(newest.tuples()))]

    def clear(self) -> None:
        with self.store.session():
            self.model.delete().execute()


class FaultTable:
    """Armed fault rules, in the order they were armed."""

    def __init__(self, store: Store) -> None:
        self.store, self.model = store, store.FaultRule

    def arm(self, rule: dict[str, Any]) -> dict[str, Any]:
        with self.store.session():
            rule_id = self.model.insert(**rule).execute()
        return {"id": rule_id, **rule}

    def rules(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The rules (those for `method` and `path`, when given), not used up ones among them."""
        model = self.model
        query = model.select().order_by(model.id)
        if method is not None:
            if not self.store.holds_text(path or ""):  # no rule's path holds it, then
                return []
            query = query.where(
                model.method == method,
                model.path == path,
                model.times.is_null() | (model.times > 0),
            )
        with self.store.session():
            return list(query.dicts())

    def use(self, rule_id: int) -> bool:
        """Use up one of the rule's `times`, atomically over every process; False if none left."""
        model = self.model
        with self.store.session():
            if model.select().where(model.id == rule_id, model.times.is_null()).exists():
                return True
            query = model.update(times=model.times - 1).where(model.id == rule_id, model.times > 0)
            return query.execute() == 1

    def clear(self) -> None:
        with self.store.session():
            self.model.delete().execute()


class Values:
    """Named JSON values shared by every process: the clock, the configured data set."""

    def __init__(self, store: Store) -> None:
        self.store, self.model = store, store.Setting

    def get(self, key: str, default: Any = None) -> Any:
        with self.store.session():
            row = self.model.get_or_none(self.model.key == key)
        return default if row is None else row.value

    def set(self, key: str, value: Any) -> None:
        with self.store.session():
            self.model.insert(key=key, value=value).on_conflict(
                conflict_target=[self.model.key], update={self.model.value: value}
            ).execute()

    def delete(self, key: str) -> None:
        with self.store.session():
            self.model.delete().where(self.model.key == key).execute()
