"""Where the journal is kept (store/journal.py): in memory, in files beside an SQLite file, or
in a PostgreSQL table, each keeps the latest entries with the same answers (the files
themselves: test_journal_files.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockjobs.app import create_app
from mockjobs.store import open_store
from mockjobs.store.journal import JournalStorage, MemoryJournal, newest
from mockjobs.store.journal_files import FileJournal
from mockjobs.store.sqlite import JOURNAL_FOLDER, SqliteStore

from .postgres import fresh_schema

KINDS = ["memory", "file", "file's table", "table"]


@pytest.fixture(params=KINDS)
def kind(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Any]]:
    """A store's URL of each kind of journal storage ("file's table": an SQLite file where
    there is no flock or posix_fallocate, as on macOS and Windows)."""
    if request.param == "memory":
        yield request.param, ":memory:"
    elif request.param.startswith("file"):
        if request.param == "file's table":
            monkeypatch.setattr(SqliteStore, "files_journal", False)
        yield request.param, str(tmp_path / "mock.db")
    else:
        with fresh_schema(request.getfixturevalue("postgres_server")) as url:
            yield request.param, url


def storage(url: str, size: int) -> Iterator[JournalStorage]:
    store = open_store(url)
    try:
        yield store.journal(size)
    finally:
        store.close()


def entry(number: int) -> dict[str, Any]:
    return {"n": number, "query": {"limit": [str(number)]}, "body": None, "text": 'é\n"x"'}


@pytest.mark.parametrize("size", [0, 1, 5])
def test_each_storage_keeps_the_latest_entries_with_the_same_answers(
    kind: tuple[str, Any], size: int
) -> None:
    name, url = kind
    for journal in storage(url, size):
        assert type(journal).__name__ == {"memory": "MemoryJournal", "file": "FileJournal",
                                          "file's table": "JournalTable", "table": "JournalTable"}[name]  # fmt: skip
        assert (journal.entries(), journal.count()) == ([], 0)
        numbers = list(range(1, 13))  # more than twice the size: a file journal's files turn
        for number in numbers:
            journal.append(entry(number))
        kept = numbers[-size:] if size else []
        assert [e["n"] for e in journal.entries()] == kept
        assert journal.entries()[-1:] == [entry(12)][:size]  # JSON both ways, text intact
        assert journal.count() == len(kept)
        for limit in (None, 0, 1, 2, 7):
            for offset in (0, 1, 4, 5, 9):
                got = [e["n"] for e in journal.entries(limit, offset)]
                assert got == newest(kept, size, limit, offset), (limit, offset)
        journal.clear()
        assert (journal.entries(), journal.count()) == ([], 0)
        journal.append(entry(13))
        assert [e["n"] for e in journal.entries()] == [13][:size]


def test_newest_counts_from_the_newest_entry() -> None:
    kept = list(range(10))
    assert newest(kept, 5, None, 0) == [5, 6, 7, 8, 9]
    assert newest(kept, 5, 2, 1) == [7, 8]
    assert newest(kept, 5, None, 3) == [5, 6]
    assert newest(kept, 5, 3, 5) == [] == newest(kept, 5, 0, 0)
    assert newest(kept, 20, 2, 0) == [8, 9]


def test_an_entry_returned_is_a_copy_of_its_own() -> None:
    journal = MemoryJournal(3)
    journal.append(entry(1))
    journal.entries()[0]["query"]["limit"].append("changed")
    assert journal.entries() == [entry(1)]


def test_a_closed_stores_journal_files_are_taken_by_the_next(tmp_path: Path) -> None:
    url = str(tmp_path / "mock.db")
    for number in (1, 2):
        for journal in storage(url, 5):
            journal.append(entry(number))
    folder = Path(JOURNAL_FOLDER.format(url))
    assert len(list(folder.iterdir())) == 2
    assert [e["n"] for e in FileJournal(folder, 5).entries()] == [1, 2]


def test_an_sqlite_file_keeps_its_journal_beside_it_and_no_journal_table(tmp_path: Path) -> None:
    url = str(tmp_path / "mock.db")
    for journal in storage(url, 5):
        journal.append(entry(1))
    assert Path(JOURNAL_FOLDER.format(url)).is_dir()
    store = open_store(url)
    try:
        assert not store.database.table_exists("mockjobs_journal")
    finally:
        store.close()


@pytest.mark.parametrize("files", [True, False])
def test_a_files_journal_is_served_and_cleared_where_it_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: bool
) -> None:
    """GET and DELETE /_mock/requests, and a reset's clearing, in files or in the file's
    table (SPEC section 10)."""
    monkeypatch.setattr(SqliteStore, "files_journal", files)
    app = create_app({"DB": str(tmp_path / "mock.db"), "SEED": 5, "RESET": True})
    api = app.test_client()
    for limit in (1, 2, 3):
        api.get(f"/api/v2/jobs?limit={limit}")
    page = api.get("/_mock/requests?limit=2&offset=1").get_json()
    assert ([e["query"]["limit"] for e in page["data"]], page["total"]) == ([["1"], ["2"]], 3)
    assert api.post("/_mock/reset", json={}).status_code == 200
    assert api.get("/_mock/requests").get_json() == {"data": [], "total": 0}
    api.get("/api/v2/jobs")
    assert api.delete("/_mock/requests").get_json() == {"data": []}
    assert api.get("/_mock/requests").get_json()["total"] == 0
    assert Path(JOURNAL_FOLDER.format(tmp_path / "mock.db")).exists() == files
    app.extensions["mockjobs"].store.close()
