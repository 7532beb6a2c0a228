"""A file journal (store/journal_files.py): bounded files, whole lines only, shared by processes."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mockjobs.store.journal_files import CHUNK, FileJournal, MappedFile

from .test_journal_storage import entry

ROOT = Path(__file__).parent.parent


def written(path: Path) -> list[bytes]:
    """The lines of a journal file, up to the room not yet written."""
    return path.read_bytes().split(b"\0", 1)[0].splitlines()


def test_a_file_journal_keeps_two_bounded_files_a_process(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "requests", 4)
    for number in range(11):
        journal.append(entry(number))
    files = sorted((tmp_path / "requests").iterdir())
    assert [path.suffix for path in files] == [".0", ".1"]
    lines = sorted(len(written(path)) for path in files)
    assert lines == [3, 4]  # 8 written, emptied, 3 written; the other holds 4 of them
    assert {path.stat().st_size for path in files} == {CHUNK}
    assert all(path.stat().st_blocks * 512 >= CHUNK for path in files)  # reserved, not sparse
    assert [e["n"] for e in journal.entries()] == [7, 8, 9, 10]


def test_a_file_journal_grows_its_room_for_large_entries(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "requests", 10)
    large = [{"n": number, "body": "x" * (CHUNK // 3)} for number in range(5)]
    for item in large:
        journal.append(item)
    assert journal.entries() == large
    assert {path.stat().st_size for path in journal._files_kept()} == {CHUNK, 2 * CHUNK}


def test_a_file_journal_reads_whole_lines_only_in_time_order(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "requests", 10)
    journal.append(entry(1))
    time.sleep(0.01)
    journal.append(entry(3))
    mine = next(path for path in journal._files_kept() if written(path))
    first, third = (int(line.split(b" ")[0]) for line in written(mine))
    other = tmp_path / "requests" / "1-1.0"  # another process's file, one line half written
    between = (first + third) // 2
    text = b'%d {"n": 2}\n%d {"n": 4, "que' % (between, third + 1)
    other.write_bytes(text + bytes(100) + b'%d {"n": 5}\n' % between)  # the room after: unread
    (tmp_path / "requests" / "1-1.1.new").write_bytes(b'1 {"n": 0}\n')  # not yet one of them
    assert [e["n"] for e in journal.entries()] == [1, 2, 3]
    assert journal.count() == 3


APPEND_AND_END = """
import sys
from pathlib import Path
from mockjobs.store.journal_files import FileJournal
FileJournal(Path(sys.argv[1]), 10).append({"n": "ended"})
"""


def test_clearing_empties_live_processes_files_and_removes_ended_ones(tmp_path: Path) -> None:
    folder = tmp_path / "requests"
    journal = FileJournal(folder, 10)
    journal.append(entry(1))
    subprocess.run([sys.executable, "-c", APPEND_AND_END, str(folder)], check=True, cwd=ROOT)
    assert [e["n"] for e in journal.entries()] == [1, "ended"]
    assert len(journal._files_kept()) == 4
    (folder / "9-9.0.new").write_bytes(b"")  # a process killed as it made its files
    journal.clear()
    assert len(journal._files_kept()) == 2  # this process's, emptied; the ended one's gone
    assert not (folder / "9-9.0.new").exists()
    assert journal.entries() == []
    journal.append(entry(2))  # writes on, in the same files
    assert [e["n"] for e in journal.entries()] == [2]
    assert len(journal._files_kept()) == 2


def test_a_clear_by_another_process_hides_what_came_before_and_shortens_no_file(
    tmp_path: Path,
) -> None:
    writer, other = FileJournal(tmp_path / "requests", 10), FileJournal(tmp_path / "requests", 10)
    writer.append(entry(1))
    files = {path: path.stat().st_size for path in writer._files_kept()}
    other.clear()  # the writer lives: its files stay, mapped as they are
    assert {path: path.stat().st_size for path in writer._files_kept()} == files
    assert (other.entries(), writer.count()) == ([], 0)
    writer.append(entry(2))
    assert [e["n"] for e in other.entries()] == [2]


APPEND = """
import sys
from pathlib import Path
from mockjobs.store.journal_files import FileJournal
journal = FileJournal(Path(sys.argv[1]), 3)
for number in sys.argv[2:]:
    journal.append({"n": int(number)})
"""


def test_a_process_takes_the_files_of_one_that_has_ended(tmp_path: Path) -> None:
    folder = tmp_path / "requests"
    for numbers in (["1", "2", "3", "4", "5"], ["6"], ["7", "8"]):  # three servers in turn
        subprocess.run([sys.executable, "-c", APPEND, str(folder), *numbers], check=True, cwd=ROOT)
    assert len(list(folder.iterdir())) == 2  # no pile of files, one a restart
    assert [e["n"] for e in FileJournal(folder, 3).entries()] == [6, 7, 8]
    assert sorted(len(written(path)) for path in folder.iterdir()) == [2, 3]  # 7, 8; 4, 5, 6


def test_a_line_its_process_did_not_finish_is_dropped_not_continued(tmp_path: Path) -> None:
    folder = tmp_path / "requests"
    folder.mkdir()
    (folder / "1-1.0").write_bytes(b'100 {"n": 1}\n200 {"n": 2, "qu')  # killed mid-copy
    (folder / "1-1.1").write_bytes(b"")
    journal = FileJournal(folder, 10)
    journal.append(entry(3))
    assert [e["n"] for e in journal.entries()] == [1, 3]
    assert written(folder / "1-1.0")[0] == b'100 {"n": 1}'
    assert len(written(folder / "1-1.0")) == 2


def test_a_read_meanwhile_a_file_is_emptied_keeps_the_window_whole(tmp_path: Path) -> None:
    """The reader reads the file being written, the writer fills it and empties the other
    (where the window's older entries were), then the reader reads that other."""
    journal = FileJournal(tmp_path / "requests", 4)
    for number in range(1, 11):  # .0: 9, 10 (written); .1: 5 to 8
        journal.append(entry(number))
    read = journal._read

    def read_while_appending(path: Path) -> bytes:
        data = read(path)
        if path.suffix == ".0" and not appended:
            appended.append(True)
            for number in (11, 12, 13):  # .0 full, then .1 emptied for 13
                journal.append(entry(number))
        return data

    appended: list[bool] = []
    journal._read = read_while_appending  # type: ignore[method-assign]
    assert [e["n"] for e in journal.entries()] == [10, 11, 12, 13]


def test_a_file_not_made_lets_go_of_the_one_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = MappedFile.made
    monkeypatch.setattr(
        MappedFile, "made", lambda path: made(path) if path.suffix == ".0" else 1 / 0
    )
    with pytest.raises(ZeroDivisionError):
        FileJournal(tmp_path / "requests", 5).append(entry(1))
    (first,) = (tmp_path / "requests").iterdir()
    with first.open("rb") as file:
        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # no process holds it


def test_a_forked_child_writes_files_of_its_own(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "requests", 10)
    journal.append(entry(1))
    child = os.fork()
    if child == 0:  # the child: the parent's files stay the parent's
        try:
            journal.append(entry(2))
        finally:
            os._exit(0)
    assert os.waitpid(child, 0)[1] == 0
    journal.append(entry(3))
    assert [e["n"] for e in journal.entries()] == [1, 2, 3]
    assert len(journal._files_kept()) == 4
