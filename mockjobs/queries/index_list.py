"""A list's index, following the data version: patched, else built (aside, for a large table),
and given back by a reset.

`ListIndex` holds the index of one table. `refresh()` brings it to the data now: a patch when
one can say the writes since (`index_patch`), else a build (`index_build`), in a thread of its
own for a table over AT_ONCE rows, while the list's queries go to SQL. The index of the data a
snapshot holds is kept, so that restoring the snapshot (a reset) needs no build.
"""

from __future__ import annotations

import copy
import threading

import peewee

from ..store.records import Records
from .index import Index, IndexSpec
from .index_build import build
from .index_patch import patched

AT_ONCE = 20_000  # tables up to this many rows have their index built by the request itself
PATIENCE = 0.5  # seconds a refresh waits for another's patch before leaving the query to SQL


class ListIndex:
    """The index of one table, following the data version.

    `refresh()` (outside any transaction) brings it up to date: at once for a small table,
    in a thread for a large one. `at(version)` is the index of that version, or None: the
    query goes to SQL meanwhile.
    """

    def __init__(self, records: Records, spec: IndexSpec, at_once: int = AT_ONCE) -> None:
        self.records, self.spec, self.at_once = records, spec, at_once
        self._index: Index | None = None
        self._lock = threading.Lock()  # one build at a time
        self._thread: threading.Thread | None = None
        self._snapshot: tuple[str, int, Index | None] | None = None  # name, version, index

    def at(self, version: int) -> Index | None:
        index = self._index
        return index if index is not None and index.version == version else None

    def refresh(self) -> None:
        """Bring the index to the data now: patch it with the rows updated since (quick), or
        else build it afresh, unless it is being built."""
        version = self.records.store.version()
        if self.at(version) is not None or (self._thread and self._thread.is_alive()):
            return
        if self._index is not None:
            # Another request's patch (or a small build) takes milliseconds: wait for it, then
            # patch from what it made. Never a build for a lock held: that waits its turn.
            if not self._lock.acquire(timeout=PATIENCE):
                return  # a build began meanwhile: SQL answers this once
            try:
                current = self._index
                if current is not None and current.version >= version:
                    return
                index = None if current is None else patched(self.records, self.spec, current)
                if index is not None:
                    self._set(index)
                    return
            except peewee.PeeweeException:
                pass
            finally:
                self._lock.release()
        size = len(self._index) if self._index is not None else self.records.count()
        if size <= self.at_once:
            self._build()
        else:
            self._thread = threading.Thread(target=self._build, name="mockjobs-index", daemon=True)
            self._thread.start()

    def remember(self, name: str, version: int) -> None:
        """The data of `version` is that of the snapshot `name`: its index (once there is
        one) is kept, so that a restore of the snapshot needs no build. One snapshot's."""
        self._snapshot = (name, version, self.at(version))

    def restored(self, name: str, version: int) -> None:
        """The snapshot `name` was restored, making `version`: the index kept for it is this
        version's when the table holds the rows under the row ids it had; else the data of
        `version` is remembered as the snapshot's."""
        kept = self._snapshot
        index = None if kept is None or kept[0] != name or kept[2] is None else kept[2]
        reused = None if index is None else self._reused(index, version)
        if reused is None:
            self.remember(name, version)
            return
        with self._lock:
            self._set(reused)

    def _reused(self, index: Index, version: int) -> Index | None:
        """`index` as that of `version`, if the table's row ids are its ids, first to last
        with no gap (so the same rows: restored ones got theirs back)."""
        store, table = self.records.store, self.records.model._meta.table_name
        with store.reading() as now:
            sql = f'SELECT count(*), min(rowid), max(rowid) FROM "{table}"'
            count, low, high = store.database.execute_sql(sql).fetchone()
            log = store.last_change()
        rowids, size = index.rowids, len(index)
        if now != version or count != size:
            return None
        if size and ((low, high) != (rowids[0], rowids[-1]) or rowids[-1] - rowids[0] + 1 != size):
            return None
        reused = copy.copy(index)  # the arrays shared: an index is never changed, only replaced
        reused.version, reused.log = version, log
        return reused

    def drop(self) -> None:
        """Forget the index, once any build has ended: the list goes to SQL until a refresh."""
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._index = None

    def wait(self) -> Index | None:
        """The index of the data now, built if need be (benchmarks and tests)."""
        if self._thread is not None:
            self._thread.join()
        self._build()
        return self.at(self.records.store.version())

    def _build(self) -> None:
        with self._lock:
            if self.at(self.records.store.version()) is not None:
                return
            try:
                index = build(self.records, self.spec)
            except peewee.PeeweeException:  # the store closed meanwhile: nothing to serve
                return
            if index is not None:
                self._set(index)

    def _set(self, index: Index) -> None:
        """Under the lock: `index` is the one, unless a newer one is (and its snapshot's, if
        it is of the version remembered for one)."""
        if self._index is not None and index.version <= self._index.version:
            return
        self._index = index
        kept = self._snapshot
        if kept is not None and kept[2] is None and kept[1] == index.version:
            self._snapshot = (kept[0], kept[1], index)
