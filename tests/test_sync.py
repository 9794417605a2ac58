"""Incremental sync over copies of the bundled samples (fast embedder: this is plumbing)."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import docx
import pytest

from vectorstore.embeddings import load_embedder
from vectorstore.errors import IndexLockedError, IndexMismatchError
from vectorstore.store import PassageStore
from vectorstore.sync import file_hash, rebuild, remove, sync, writer_lock

FERGUSON = "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
FLOYD = "State_UnitedStates_WhiteHouse-Statements-George-Floyd.docx"
FACTSHEET = "State_UnitedStates_WhiteHouse-FactSheet-EO14074-2024.docx"


@pytest.fixture
def folder(tmp_path: Path, samples_dir: Path) -> Path:
    """Three sample files copied to tmp_path (the shared files are never modified)."""
    target = tmp_path / "subs"
    target.mkdir()
    for name in (FERGUSON, FLOYD, FACTSHEET):
        shutil.copy2(samples_dir / name, target / name)
    return target


@pytest.fixture
def store(tmp_path: Path) -> PassageStore:
    return PassageStore(tmp_path / "index", load_embedder("fast"))


def _chroma_ids(store: PassageStore, key: str) -> set[str]:
    return set(store.collection.get(where={"submission_key": key}, include=[])["ids"])


def test_first_run_adds_and_second_run_skips_everything(store: PassageStore, folder: Path) -> None:
    first = sync(store, [folder])
    assert first.counts()["added"] == 3
    assert first.ok
    assert store.count() == sum(o.passages for o in first.outcomes) > 0
    second = sync(store, [folder])
    assert second.counts()["unchanged"] == 3
    assert second.embedded == 0
    assert "prepare" not in second.timings or second.timings["prepare"] == 0.0


def test_changed_file_is_replaced_and_only_new_text_is_embedded(
    store: PassageStore, folder: Path
) -> None:
    sync(store, [folder])
    old_ids = {p.id for p in store.passages_of(FLOYD)}
    old_texts = {p.embed_text for p in store.passages_of(FLOYD)}
    document = docx.Document(str(folder / FLOYD))
    document.add_paragraph("A new closing paragraph about accountability for police misconduct.")
    document.save(str(folder / FLOYD))
    report = sync(store, [folder])
    assert [(o.key, o.action) for o in report.of("updated")] == [(FLOYD, "updated")]
    assert report.counts()["unchanged"] == 2
    new_ids = {p.id for p in store.passages_of(FLOYD)}
    assert new_ids != old_ids
    assert _chroma_ids(store, FLOYD) == new_ids  # stale passages are gone from Chroma too
    # the vector cache is keyed by the embedded text: exactly the texts not seen before are new
    fresh = {p.embed_text for p in store.passages_of(FLOYD)} - old_texts
    assert fresh
    assert report.embedded == len(fresh)
    assert report.cached == len(new_ids) - len(fresh)
    assert store.submission(FLOYD).content_hash == file_hash(folder / FLOYD)
    assert any(
        "accountability for police" in h.passage.text
        for h in store.lexical_search("accountability police misconduct closing", 3)
    )


def test_touched_but_identical_file_is_unchanged(store: PassageStore, folder: Path) -> None:
    sync(store, [folder])
    (folder / FERGUSON).touch()
    assert sync(store, [folder]).counts()["unchanged"] == 3


def test_identical_file_under_another_name_is_a_duplicate(
    store: PassageStore, folder: Path
) -> None:
    shutil.copy2(folder / FERGUSON, folder / "copy-of-ferguson.docx")
    report = sync(store, [folder])
    duplicate = report.of("duplicate")
    assert [o.key for o in duplicate] == [FERGUSON] or [o.key for o in duplicate] == [
        "copy-of-ferguson.docx"
    ]
    assert len(store.submissions()) == 3


def test_sync_removes_submissions_gone_from_the_folder(store: PassageStore, folder: Path) -> None:
    sync(store, [folder])
    (folder / FACTSHEET).unlink()
    kept = sync(store, [folder])
    assert kept.counts()["removed"] == 0  # without --sync nothing is removed
    report = sync(store, [folder], sync_removed=True)
    assert [o.key for o in report.of("removed")] == [FACTSHEET]
    assert FACTSHEET not in {s.key for s in store.submissions()}
    assert _chroma_ids(store, FACTSHEET) == set()
    assert all(h.passage.submission_key != FACTSHEET for h in store.lexical_search("grants", 20))


def test_bad_file_is_reported_and_the_others_still_go_in(store: PassageStore, folder: Path) -> None:
    (folder / "broken.docx").write_text("this is not a Word file")
    report = sync(store, [folder])
    failed = report.failed
    assert [o.key for o in failed] == ["broken.docx"]
    assert failed[0].detail
    assert report.counts()["added"] == 3
    assert not report.ok


def test_failed_update_keeps_the_indexed_version(store: PassageStore, folder: Path) -> None:
    sync(store, [folder])
    before = store.count()
    (folder / FLOYD).write_bytes(b"PK\x03\x04 truncated")
    report = sync(store, [folder])
    assert [o.key for o in report.failed] == [FLOYD]
    assert store.count() == before
    assert store.passages_of(FLOYD)


def test_originals_are_never_modified_and_a_copy_is_kept(store: PassageStore, folder: Path) -> None:
    before = {p.name: (file_hash(p), p.stat().st_mtime_ns) for p in folder.iterdir()}
    sync(store, [folder])
    after = {p.name: (file_hash(p), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert before == after
    assert file_hash(store.original_path(FERGUSON)) == before[FERGUSON][0]


def test_second_writer_gets_a_clear_error_at_once(store: PassageStore, folder: Path) -> None:
    with writer_lock(store.index_dir), pytest.raises(IndexLockedError) as error:
        sync(store, [folder])
    assert "another process is writing to" in str(error.value)
    assert "wait for it to finish" in str(error.value)
    assert sync(store, [folder]).ok  # the lock is released afterwards


def test_manifest_only_change_updates_metadata_without_embedding(
    store: PassageStore, folder: Path
) -> None:
    sync(store, [folder])
    (folder / "submissions.csv").write_text(
        f"file,submitter,submitter_type,country\n{FLOYD},The White House,State,United States\n",
        encoding="utf-8",
    )
    report = sync(store, [folder])
    assert [o.key for o in report.of("updated")] == [FLOYD]
    assert report.embedded == 0
    assert store.submission(FLOYD).submitter == "The White House"
    meta = store.collection.get(where={"submission_key": FLOYD}, include=["metadatas"])
    assert {m["submitter"] for m in meta["metadatas"]} == {"The White House"}
    assert sync(store, [folder]).counts()["unchanged"] == 3


def test_removed_then_re_added_file_reuses_the_vector_cache(
    store: PassageStore, folder: Path
) -> None:
    sync(store, [folder])
    assert remove(store, [FERGUSON]).counts()["removed"] == 1
    assert store.passages_of(FERGUSON) == []
    report = sync(store, [folder])
    assert report.counts()["added"] == 1
    assert report.embedded == 0
    assert report.cached > 0


def test_removing_an_unknown_key_fails_cleanly(store: PassageStore) -> None:
    report = remove(store, ["nope.docx"])
    assert [o.key for o in report.failed] == ["nope.docx"]


def test_every_run_appends_a_json_line_to_the_log(store: PassageStore, folder: Path) -> None:
    sync(store, [folder])
    sync(store, [folder])
    lines = (store.index_dir / "ingest.log.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["added"] == 3
    assert json.loads(lines[1])["unchanged"] == 3


class _HashEmbeddings(BaseHTTPRequestHandler):
    """A scripted OpenAI-compatible /v1/embeddings server: 8-d vectors from a text hash."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        data = []
        for i, text in enumerate(body["input"]):
            digest = hashlib.sha256(text.encode()).digest()
            data.append({"index": i, "embedding": [b - 127.5 for b in digest[:8]]})
        payload = json.dumps({"data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hash_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HashEmbeddings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_rebuild_with_another_embedder_re_embeds_from_the_stored_originals(
    tmp_path: Path, samples_dir: Path, hash_endpoint: str
) -> None:
    source = tmp_path / "one"
    source.mkdir()
    shutil.copy2(samples_dir / FLOYD, source / FLOYD)
    index = tmp_path / "index"
    sync(PassageStore(index, load_embedder("fast")), [source])
    shutil.rmtree(source)  # rebuild must not need the user's folder
    endpoint = load_embedder("endpoint", url=hash_endpoint, model="hash-8")
    with pytest.raises(IndexMismatchError, match="submissions rebuild"):
        PassageStore(index, endpoint)
    report = rebuild(PassageStore(index, endpoint, check_embedder=False))
    assert report.ok
    assert report.embedded > 0
    reopened = PassageStore(index, load_embedder("endpoint", url=hash_endpoint, model="hash-8"))
    assert reopened.recorded_embedder() == ("endpoint:hash-8", 8)
    passage = reopened.passages_of(FLOYD)[0]
    hit = reopened.dense_search(passage.embed_text, 1)[0]  # the hash embedder is exact-match only
    assert hit.passage.id == passage.id
    assert hit.score == pytest.approx(1.0, abs=1e-4)
    assert reopened.vectors([passage.id]).shape == (1, 8)


def test_many_files_are_parsed_in_worker_processes_with_the_same_result(tmp_path: Path) -> None:
    from vectorstore.writer import POOL_MIN_FILES

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(POOL_MIN_FILES):
        document = docx.Document()
        document.add_heading(f"Submission {i}", level=1)
        document.add_paragraph(f"Paragraph {i} on police oversight and complaints, number {i}.")
        document.save(str(folder / f"sub_{i:02d}.docx"))
    parallel = PassageStore(tmp_path / "parallel", load_embedder("fast"))
    sequential = PassageStore(tmp_path / "sequential", load_embedder("fast"))
    assert sync(parallel, [folder], workers=2).counts()["added"] == POOL_MIN_FILES
    assert sync(sequential, [folder], workers=1).counts()["added"] == POOL_MIN_FILES
    for i in (0, POOL_MIN_FILES - 1):
        key = f"sub_{i:02d}.docx"
        assert parallel.passages_of(key) == sequential.passages_of(key)


def test_renamed_file_with_sync_is_re_keyed_without_re_embedding(
    store: PassageStore, folder: Path
) -> None:
    sync(store, [folder])
    (folder / FLOYD).rename(folder / "floyd-statements.docx")
    report = sync(store, [folder], sync_removed=True)
    assert [o.key for o in report.of("added")] == ["floyd-statements.docx"]
    assert [o.key for o in report.of("removed")] == [FLOYD]
    assert report.embedded == 0
    assert store.original_path("floyd-statements.docx").is_file()


def test_edited_metadata_survives_a_re_ingest_of_the_changed_file(
    store: PassageStore, folder: Path
) -> None:
    from vectorstore.sync import update_metadata

    sync(store, [folder])
    edited = update_metadata(store, FLOYD, submitter_type="other", country="USA")
    assert (edited.submitter_type, edited.country) == ("other", "USA")
    meta = store.collection.get(where={"submission_key": FLOYD}, include=["metadatas"])
    assert {m["country"] for m in meta["metadatas"]} == {"USA"}
    document = docx.Document(str(folder / FLOYD))
    document.add_paragraph("A later paragraph added by the submitter.")
    document.save(str(folder / FLOYD))
    assert sync(store, [folder]).counts()["updated"] == 1
    again = store.submission(FLOYD)
    assert (again.submitter_type, again.country) == ("other", "USA")
    with pytest.raises(ValueError, match="cannot edit"):
        update_metadata(store, FLOYD, content_hash="x")
