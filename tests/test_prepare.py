"""prepare(): parse, describe and chunk real submissions; the offset invariant everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import count_tokens
from ingest.prepare import file_hash, prepare


def _check_invariants(path: Path) -> None:
    prepared = prepare(path, path.name)
    text = prepared.document.text
    assert prepared.passages, f"{path.name}: no passages"
    for passage in prepared.passages:
        assert text[passage.char_start : passage.char_end] == passage.text, passage.id
        assert passage.text.strip() == passage.text
        assert count_tokens(passage.text) <= 250
        assert passage.language
    for block in prepared.document.blocks:
        assert text[block.char_start : block.char_end] == block.text


def test_offsets_hold_on_every_passage_of_the_samples(samples_dir: Path) -> None:
    for path in sorted(samples_dir.glob("*.docx")):
        _check_invariants(path)


def test_offsets_hold_on_every_passage_of_the_real_corpus(real_corpus: Path) -> None:
    for path in sorted(real_corpus.glob("*.docx")):
        _check_invariants(path)


def test_sample_metadata_follows_the_file_name_convention(samples_dir: Path) -> None:
    path = samples_dir / "State_France_Code-deontologie-police-gendarmerie.docx"
    prepared = prepare(path, path.name)
    sub = prepared.submission
    assert (sub.submitter, sub.submitter_type, sub.country) == ("France", "State", "France")
    assert sub.language == "fr"
    assert sub.content_hash == file_hash(path)
    assert any(p.locator.startswith("art. R434") for p in prepared.passages)


def test_spanish_passages_are_labelled_spanish(samples_dir: Path) -> None:
    path = samples_dir / "State_Peru_Decreto-Legislativo-1186-uso-de-la-fuerza.docx"
    prepared = prepare(path, path.name)
    assert prepared.submission.language == "es"
    share = sum(p.language == "es" for p in prepared.passages) / len(prepared.passages)
    assert share > 0.8


@pytest.mark.parametrize("chunk_tokens", [80, 400])
def test_passage_size_follows_the_setting(samples_dir: Path, chunk_tokens: int) -> None:
    path = samples_dir / "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
    prepared = prepare(path, path.name, chunk_tokens=chunk_tokens, overlap_tokens=20)
    assert max(count_tokens(p.text) for p in prepared.passages) <= chunk_tokens
