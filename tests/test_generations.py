"""Versioned rebuild, generations, and readers that notice another process's writes (fast)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from index_checks import go, problems, start_worker

from assistant.cli import main as cli
from vectorstore import generations
from vectorstore.embeddings import load_embedder
from vectorstore.errors import IndexMismatchError
from vectorstore.store import PassageStore
from vectorstore.sync import rebuild, sync

FIRST = ("State_UnitedStates_DOJ-Ferguson-Report-Summary.docx",)
LATER = ("State_UnitedStates_WhiteHouse-FactSheet-EO14074-2024.docx",)


@pytest.fixture
def folders(tmp_path: Path, samples_dir: Path) -> tuple[Path, Path]:
    first, later = tmp_path / "first", tmp_path / "later"
    for folder, names in ((first, FIRST), (later, LATER)):
        folder.mkdir()
        for name in names:
            shutil.copy2(samples_dir / name, folder / name)
    return first, later


def _store(index: Path) -> PassageStore:
    return PassageStore(index, load_embedder("fast"))


def test_rebuild_switches_generations_and_keeps_the_newest(
    tmp_path: Path, folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first, _ = folders
    index = tmp_path / "index"
    store = _store(index)
    sync(store, [first])
    reader = _store(index)  # opened before the rebuild, like a running app
    assert reader.dense_search("police stops", 3)
    assert rebuild(store).ok
    assert store.generation == 1
    assert [g.state for g in generations.listing(index)] == ["old", "live"]
    assert reader.dense_search("police stops", 3)  # follows the switch
    assert reader.generation == 1
    assert rebuild(store).ok
    assert [(g.number, g.state) for g in generations.listing(index)] == [(1, "old"), (2, "live")]
    assert problems(store) == []
    assert cli(["generations", "--json", "--remove", "1", "--index", str(index)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["generation"], r["state"]) for r in rows] == [(2, "live")]
    assert cli(["status", "--json", "--index", str(index)]) == 0
    assert json.loads(capsys.readouterr().out)["submission_count"] == 1


def test_a_rebuild_that_loses_a_file_is_not_switched_to(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    first, later = folders
    index = tmp_path / "index"
    store = _store(index)
    sync(store, [first, later])
    store.original_path(LATER[0]).unlink()  # the stored copy is gone
    report = rebuild(store)
    assert not report.ok
    assert "stays live" in " ".join(report.notes)
    assert store.generation == 0
    assert len(store.submissions()) == 2  # nothing indexed is lost
    assert [g.state for g in generations.listing(index)] == ["live"]


def test_a_change_of_chunking_needs_a_rebuild_into_a_new_generation(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    first, later = folders
    store = _store(tmp_path / "index")
    sync(store, [first])
    with pytest.raises(IndexMismatchError, match="rebuild"):
        sync(store, [later], chunk_tokens=120)
    assert rebuild(store, chunk_tokens=120).ok
    assert store.generation == 1
    assert sync(store, [later], chunk_tokens=120).ok


def test_a_reader_finds_passages_another_process_wrote_without_reopening(
    tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    first, later = folders
    index = tmp_path / "index"
    store = _store(index)
    sync(store, [first])
    assert store.dense_search("police", 3)  # the HNSW graph is now loaded in this process
    worker = start_worker(index, "ingest", later)
    go(worker)
    assert worker.stdout.readline().strip() == "done"
    worker.wait(timeout=60)
    new = store.passages_of(LATER[0])
    assert new
    vectors = store.vectors([p.id for p in new])
    found = sum(
        new[i].id in {h.passage.id for h in store.dense_search(v, 1)} for i, v in enumerate(vectors)
    )
    assert found == len(new)
