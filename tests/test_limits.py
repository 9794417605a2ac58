"""Bounded inputs: zip bombs, patched zip directories, paragraph and passage caps, skipped files.

Each test builds a hostile file from a real sample and checks that the cap refuses it with a
per-file reason naming the setting, while the other files still go in. Memory is measured in
benchmarks/fuzz.py, not here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import zip_bombs

from ingest.errors import CorruptFileError, FileTooLargeError, IngestError
from ingest.filecheck import Limits
from ingest.prepare import prepare
from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import sync

SAMPLE = "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
OTHER = "State_UnitedStates_WhiteHouse-FactSheet-EO14074-2024.docx"


@pytest.fixture
def sample(samples_dir: Path) -> Path:
    return samples_dir / SAMPLE


def test_a_bomb_under_the_declared_size_limit_is_refused_by_what_it_inflates(
    tmp_path: Path, sample: Path
) -> None:
    # 30 MB of XML from ~110 KB: under max_unpacked_mb, so only the ratio cap can stop it.
    path = zip_bombs.bomb(sample, tmp_path / "bomb.docx", 30)
    with pytest.raises(FileTooLargeError, match="max_compression_ratio"):
        prepare(path, "bomb.docx")


def test_the_total_unpacked_cap_counts_bytes_actually_inflated(
    tmp_path: Path, sample: Path
) -> None:
    path = zip_bombs.bomb(sample, tmp_path / "bomb.docx", 12)
    zip_bombs.patch_declared_size(path, "word/document.xml", 12 * 2**20)  # honest size
    limits = Limits(max_unpacked_mb=8, max_compression_ratio=10**6)
    with pytest.raises(FileTooLargeError, match="max_unpacked_mb"):
        prepare(path, "bomb.docx", limits=limits)


def test_a_bomb_whose_declared_size_is_patched_small_is_refused_without_inflating_it(
    tmp_path: Path, sample: Path
) -> None:
    path = zip_bombs.bomb(sample, tmp_path / "bomb.docx", 100)
    zip_bombs.patch_declared_size(path, "word/document.xml", 2**20)
    with pytest.raises(CorruptFileError, match=r"document\.xml"):
        prepare(path, "bomb.docx")


def test_a_declared_size_over_the_cap_is_refused_before_inflating(
    tmp_path: Path, sample: Path
) -> None:
    path = zip_bombs.bomb(sample, tmp_path / "bomb.docx", 100)
    with pytest.raises(FileTooLargeError, match="max_unpacked_mb"):
        prepare(path, "bomb.docx")


def test_paragraph_cap_refuses_before_parsing(tmp_path: Path, sample: Path) -> None:
    path = zip_bombs.paragraphs(sample, tmp_path / "many.docx", 300)
    with pytest.raises(FileTooLargeError, match="max_paragraphs"):
        prepare(path, "many.docx", limits=Limits(max_paragraphs=200))
    assert len(prepare(path, "many.docx", limits=Limits(max_paragraphs=400)).document.blocks) == 300


def test_passage_cap_refuses_a_document_cut_into_too_many_passages(sample: Path) -> None:
    with pytest.raises(FileTooLargeError, match="max_passages"):
        prepare(sample, SAMPLE, limits=Limits(max_passages=3))


def test_defaults_accept_every_sample(samples_dir: Path) -> None:
    for path in sorted(samples_dir.glob("*.docx")):
        assert prepare(path, path.name).passages


def test_a_bomb_in_a_folder_costs_one_file_and_names_the_setting(
    tmp_path: Path, samples_dir: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy2(samples_dir / OTHER, folder / OTHER)
    zip_bombs.bomb(samples_dir / SAMPLE, folder / "NGO_Bomb_Nowhere.docx", 30)
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    report = sync(store, [folder], limits={"max_compression_ratio": 50})
    assert [o.key for o in report.of("added")] == [OTHER]
    [failed] = report.failed
    assert failed.key == "NGO_Bomb_Nowhere.docx"
    assert "max_compression_ratio" in failed.detail


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_skipped_files_get_a_line_saying_why(tmp_path: Path, samples_dir: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy2(samples_dir / OTHER, folder / OTHER)
    shutil.copy2(samples_dir / SAMPLE, folder / "..\\..\\evil.docx")
    shutil.copy2(samples_dir / SAMPLE, folder / ".hidden.docx")
    shutil.copy2(samples_dir / SAMPLE, folder / "~$lock.docx")
    (folder / "broken.docx").symlink_to(tmp_path / "nowhere.docx")
    (folder / "zero.docx").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.docx")
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    report = sync(store, [folder])
    assert [o.key for o in report.of("added")] == [OTHER]
    assert report.ok  # skipping is not failing
    reasons = {o.key: o.detail for o in report.of("skipped")}
    assert "outside the folder" in reasons["..\\..\\evil.docx"]
    assert "hidden" in reasons[".hidden.docx"]
    assert "lock file" in reasons["~$lock.docx"]
    assert "broken link" in reasons["broken.docx"]
    assert "device" in reasons["zero.docx"]
    assert "named pipe" in reasons["pipe.docx"]


def test_a_fifo_given_by_name_is_a_clear_failure(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes need a POSIX system")
    os.mkfifo(tmp_path / "pipe.docx")
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    [outcome] = sync(store, [tmp_path / "pipe.docx"]).outcomes
    assert outcome.action == "failed"
    assert "named pipe" in outcome.detail


def test_every_cap_error_is_an_ingest_error() -> None:
    assert issubclass(FileTooLargeError, IngestError)
