"""The index commands through `assistant.cli.main([...])`, in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest

from assistant.cli import main
from vectorstore.store import PassageStore
from vectorstore.sync import writer_lock

FERGUSON = "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
FLOYD = "State_UnitedStates_WhiteHouse-Statements-George-Floyd.docx"


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the fast embedder for plumbing tests (the CLI reads settings from the environment)."""
    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, object]:
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.usefixtures("fast")
def test_real_corpus_ingests_then_reports_unchanged_then_one_updated(
    real_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "real"
    shutil.copytree(real_corpus, corpus)
    index = str(tmp_path / "index")
    code, first = _json(capsys, ["ingest", str(corpus), "--index", index, "--json"])
    assert code == 0
    assert first["added"] == 15
    assert first["failed"] == 0
    code, second = _json(capsys, ["ingest", str(corpus), "--index", index, "--json"])
    assert (code, second["unchanged"], second["added"]) == (0, 15, 0)
    changed = corpus / FLOYD
    changed.chmod(0o644)
    document = docx.Document(str(changed))
    document.add_paragraph("An added paragraph.")
    document.save(str(changed))
    code, third = _json(capsys, ["ingest", str(corpus), "--index", index, "--json"])
    assert (third["updated"], third["unchanged"]) == (1, 14)
    assert [f["key"] for f in third["files"] if f["action"] == "updated"] == [FLOYD]


@pytest.mark.usefixtures("fast")
def test_ingest_prints_a_table_and_exits_1_when_a_file_failed(
    tmp_path: Path, samples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy2(samples_dir / FLOYD, folder / FLOYD)
    (folder / "notes.docx").write_bytes(b"%PDF-1.4 renamed pdf")
    code = main(["ingest", str(folder), "--index", str(tmp_path / "index")])
    out = capsys.readouterr().out
    assert code == 1
    assert "notes.docx" in out
    assert "failed" in out
    assert FLOYD in out
    assert PassageStore(tmp_path / "index").passages_of(FLOYD)


@pytest.mark.usefixtures("fast")
def test_sync_flag_removes_deleted_files_and_remove_command_works(
    tmp_path: Path, samples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in (FLOYD, FERGUSON):
        shutil.copy2(samples_dir / name, folder / name)
    index = str(tmp_path / "index")
    main(["ingest", str(folder), "--index", index, "--json"])
    (folder / FLOYD).unlink()
    capsys.readouterr()
    code, report = _json(capsys, ["ingest", str(folder), "--sync", "--index", index, "--json"])
    assert (code, report["removed"]) == (0, 1)
    assert main(["remove", FERGUSON, "--index", index]) == 0
    assert main(["remove", FERGUSON, "--index", index]) == 1
    capsys.readouterr()
    code, status = _json(capsys, ["status", "--index", index, "--json"])
    assert status["submission_count"] == 0
    assert (folder / FERGUSON).exists()


def test_status_lists_counts_embedder_size_and_submissions(
    fast_index: PassageStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, status = _json(capsys, ["status", "--index", str(fast_index.index_dir), "--json"])
    assert code == 0
    assert status["embedder"] == "fast"
    assert status["embedding_dim"] == 256
    assert status["submission_count"] == 8
    assert status["passage_count"] == fast_index.count()
    assert status["size_bytes"] > 0
    assert status["last_ingest"]["added"] == 8
    ferguson = next(s for s in status["submissions"] if s["key"] == FERGUSON)
    assert ferguson["submitter_type"] == "State"
    assert ferguson["country"]
    assert main(["status", "--index", str(fast_index.index_dir)]) == 0
    assert "8 submissions" in capsys.readouterr().out


def test_search_json_finds_the_ferguson_stop_statistics_for_a_paraphrase(
    e5_index: PassageStore, capsys: pytest.CaptureFixture[str]
) -> None:
    question = "share of traffic stops involving Black drivers in Ferguson"
    code, rows = _json(
        capsys, ["search", question, "--index", str(e5_index.index_dir), "--k", "5", "--json"]
    )
    assert code == 0
    assert any("85% of vehicle stops" in row["text"] for row in rows)
    row = rows[0]
    assert set(row) >= {
        "rank", "score", "passage_id", "submission_key", "file", "title", "submitter",
        "submitter_type", "country", "language", "heading_path", "paragraphs", "locator",
        "footnotes", "char_start", "char_end", "text",
    }  # fmt: skip
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    text = e5_index.document(row["submission_key"]).text
    assert text[row["char_start"] : row["char_end"]] == row["text"]


def test_search_filters_and_bm25_mode(
    e5_index: PassageStore, capsys: pytest.CaptureFixture[str]
) -> None:
    index = str(e5_index.index_dir)
    argv = ["search", "use of force", "--index", index, "--json", "--filter", "country=Peru"]
    code, rows = _json(capsys, argv)
    assert code == 0
    assert rows
    assert {r["country"] for r in rows} == {"Peru"}
    argv[1] = "uso de la fuerza"
    code, rows = _json(capsys, [*argv, "--mode", "bm25"])
    assert rows
    assert {r["country"] for r in rows} == {"Peru"}
    assert main(["search", "force", "--index", index, "--filter", "colour=red"]) == 1
    assert "bad filter" in capsys.readouterr().err


def test_search_with_another_embedder_says_to_rebuild(
    fast_index: PassageStore, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "e5")
    assert main(["search", "police", "--index", str(fast_index.index_dir)]) == 1
    assert "submissions rebuild" in capsys.readouterr().err


@pytest.mark.usefixtures("fast")
def test_ingest_while_another_writer_holds_the_lock_fails_at_once(
    tmp_path: Path, samples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    with writer_lock(index):
        code = main(["ingest", str(samples_dir / FLOYD), "--index", str(index)])
    assert code == 1
    assert "another process is writing to" in capsys.readouterr().err


@pytest.mark.usefixtures("fast")
def test_rebuild_command_re_ingests_from_the_stored_originals(
    tmp_path: Path, samples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = str(tmp_path / "index")
    main(["ingest", str(samples_dir / FLOYD), "--index", index, "--json"])
    capsys.readouterr()
    code, report = _json(capsys, ["rebuild", "--index", index, "--json"])
    assert (code, report["updated"], report["failed"]) == (0, 1, 0)
    assert report["embedded"] == 0  # same embedder: every vector comes from the cache


@pytest.mark.parametrize(
    "argv",
    [["status"], ["search", "police"], ["remove", "x.docx"], ["ask", "Who oversees the police?"]],
)
def test_a_reading_command_on_a_missing_index_says_so_and_creates_nothing(
    tmp_path, capsys, argv: list[str]
) -> None:
    index = tmp_path / "nowhere"
    assert main([*argv, "--index", str(index)]) != 0
    err = capsys.readouterr().err
    assert f"no index in {index}" in err
    assert "submissions ingest" in err
    assert not index.exists()
