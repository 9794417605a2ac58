"""Ingest progress in files and passages: snapshots from real ingests of the bundled samples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vectorstore.embeddings import load_embedder
from vectorstore.progress import IngestProgress, format_seconds
from vectorstore.store import PassageStore
from vectorstore.sync import rebuild, sync


@pytest.fixture
def folder(tmp_path: Path, samples_dir: Path) -> Path:
    target = tmp_path / "subs"
    shutil.copytree(samples_dir, target)
    return target


def _ingest(store: PassageStore, folder: Path) -> list[IngestProgress]:
    seen: list[IngestProgress] = []
    sync(store, [folder], on_progress=seen.append)
    return seen


def test_progress_counts_files_and_passages_up_to_the_end(tmp_path: Path, folder: Path) -> None:
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    seen = _ingest(store, folder)
    last = seen[-1]
    files = len(list(folder.glob("*.docx")))
    assert last.finished
    assert last.fraction == 1.0
    assert last.seconds_left == 0.0
    assert (last.files_done, last.files_total) == (files, files)
    assert last.passages_done == last.passages_total == store.count() > 0
    done = [s.passages_done for s in seen]
    assert done == sorted(done), "passages done never go back"
    assert any(0 < s.files_done < files for s in seen), "intermediate snapshots are reported"
    assert all(s.fraction < 1 for s in seen if s.passages_done == 0 and not s.finished)
    assert "passages/s" in seen[-2].describe()
    assert f"{files}/{files} files" in last.describe()


def test_an_unchanged_run_finishes_at_once_with_no_passages(tmp_path: Path, folder: Path) -> None:
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    _ingest(store, folder)
    last = _ingest(store, folder)[-1]
    assert last.finished
    assert last.passages_done == 0
    assert last.fraction == 1.0
    assert last.files_skipped == last.files_total


def test_rebuild_reports_progress_too(tmp_path: Path, folder: Path) -> None:
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    sync(store, [folder])
    seen: list[IngestProgress] = []
    rebuild(store, on_progress=seen.append)
    assert seen[-1].finished
    assert seen[-1].passages_done == store.count()


def test_estimate_of_the_total_before_every_file_is_read() -> None:
    state = IngestProgress(files_total=10, files_read=2, passages_read=40, passages_done=20)
    assert state.passages_total == 200  # 40 read + 8 files left x 20 per file
    state = IngestProgress(
        files_total=4, files_read=2, passages_read=10, passages_done=10, elapsed_s=5.0
    )
    assert state.rate == 2.0
    assert state.seconds_left == pytest.approx(5.0)  # 10 more expected at 2 passages/s
    assert "~20 passages" in state.describe()


def test_seconds_are_written_for_people() -> None:
    assert format_seconds(42.4) == "42 s"
    assert format_seconds(185) == "3 min 5 s"
    assert format_seconds(3720) == "1 h 2 min"
