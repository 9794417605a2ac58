"""A writer killed at exact points of the commit protocol (SIGKILL, fast embedder).

Each test lets tests/crash_worker.py run the real code and kill itself at one point, then checks
what the issue found broken: orphan vectors left behind, a rebuild that empties the index, and a
`status` that must report without locking or repairing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
from index_checks import go, incomplete, problems, sha256s, start_worker

from assistant.cli import main as cli
from vectorstore import generations
from vectorstore.embeddings import load_embedder
from vectorstore.locking import writer_lock
from vectorstore.store import PassageStore
from vectorstore.sync import sync

FIRST = (
    "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx",
    "State_UnitedStates_WhiteHouse-Statements-George-Floyd.docx",
)
SECOND = ("State_UnitedStates_WhiteHouse-FactSheet-EO14074-2024.docx",)


@pytest.fixture
def folders(tmp_path: Path, samples_dir: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, names in ((first, FIRST), (second, SECOND)):
        folder.mkdir()
        for name in names:
            shutil.copy2(samples_dir / name, folder / name)
    return first, second


def _crash(index: Path, op: str, folder: Path, spec: str) -> None:
    worker = start_worker(index, op, folder, "--crash", spec, "--batch", "40")
    go(worker)
    worker.wait(timeout=120)
    assert worker.returncode == -9, worker.stderr.read()[-2000:]


def _store(index: Path) -> PassageStore:
    return PassageStore(index, load_embedder("fast"))


def test_kill_after_chroma_write_of_a_fresh_ingest_leaves_no_orphans(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    first, second = folders
    index = tmp_path / "index"
    _crash(index, "ingest", first, "after:chroma_upsert:1")
    store = _store(index)
    assert incomplete(store) == []  # nothing half-indexed
    report = sync(store, [second])  # another writer, other files: it must repair first
    assert report.ok
    assert report.repaired["orphans_removed"] > 0
    assert problems(store) == []
    assert [s.key for s in store.submissions()] == list(SECOND)


def test_kill_after_chroma_write_of_an_update_leaves_the_old_version_and_no_orphans(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    first, second = folders
    index = tmp_path / "index"
    store = _store(index)
    sync(store, [first])
    before = {s.key: s.passages for s in store.submissions()}
    store.close()
    for name in FIRST:
        document = docx.Document(str(first / name))
        document.add_paragraph("A late addition on remedies for victims of police violence.")
        document.save(str(first / name))
    _crash(index, "ingest", first, "after:chroma_upsert:1")
    store = _store(index)
    assert incomplete(store) == []
    assert {s.key: s.passages for s in store.submissions()} == before  # the old version, whole
    sync(store, [second])
    assert problems(store) == []


def test_kill_between_registry_commit_and_stale_delete_is_finished(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    first, second = folders
    index = tmp_path / "index"
    store = _store(index)
    sync(store, [first])
    store.close()
    document = docx.Document(str(first / FIRST[0]))
    document.paragraphs[3].text = "This paragraph was rewritten to make its old passage stale."
    document.save(str(first / FIRST[0]))
    _crash(index, "ingest", first, "before:chroma_delete:1")
    store = _store(index)
    assert incomplete(store) == []
    sync(store, [second])
    assert problems(store) == []
    assert any("rewritten to make" in p.text for p in store.passages_of(FIRST[0]))


def test_kill_during_rebuild_keeps_the_old_generation_live_and_whole(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    first, _ = folders
    index = tmp_path / "index"
    store = _store(index)
    sync(store, [first])
    before = {s.key: s.passages for s in store.submissions()}
    vector = store.vectors([store.passages_of(FIRST[0])[0].id])[0]
    store.close()
    _crash(index, "rebuild", first, "after:chroma_upsert:1")
    store = _store(index)
    assert {s.key: s.passages for s in store.submissions()} == before
    assert incomplete(store) == []
    assert store.dense_search(vector, 3)  # the live generation still answers
    report = sync(store, [first])  # an ordinary ingest: unchanged, and the index is whole
    assert report.counts()["unchanged"] == len(FIRST)
    assert report.repaired["abandoned_generations"]
    assert problems(store) == []
    assert [g.state for g in generations.listing(index)] == ["live"]


def test_status_reports_an_interrupted_write_without_locking_or_repairing(
    tmp_path: Path, folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = folders
    index = tmp_path / "index"
    store = _store(index)
    sync(store, [second])
    store.close()
    _crash(index, "ingest", first, "after:chroma_upsert:1")
    with writer_lock(index):  # status must not need the lock
        assert cli(["status", "--json", "--index", str(index)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["submission_count"] == 1  # only complete submissions
    assert record["write_in_progress"]["running"] is False
    assert record["write_in_progress"]["journalled_ids"] > 0
    assert cli(["status", "--json", "--index", str(index)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["write_in_progress"] is not None  # status did not repair
    store = _store(index)
    sync(store, [second])
    assert cli(["status", "--json", "--index", str(index)]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["write_in_progress"] is None
    assert after["last_repair"]["orphans_removed"] > 0


def test_originals_are_never_modified_by_a_killed_writer(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    first, _ = folders
    before = sha256s(first)
    _crash(tmp_path / "index", "ingest", first, "after:chroma_upsert:1")
    assert sha256s(first) == before
