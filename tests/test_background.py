"""The app's background indexer: answers while an ingest runs, progress up to 100 % (fast)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import docx
import pytest

from assistant.answering.judged import judge_query
from assistant.background import BackgroundIndexer
from assistant.config import Settings
from assistant.engine import Engine
from assistant.ui import indexing, library
from assistant.ui.context import AppContext
from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import sync

FIRST = "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
QUESTION = "What did the investigation find about vehicle stops in Ferguson?"
COPIES = 3  # copies of each sample: enough work for questions to land during the ingest


def _copies(samples: Path, target: Path) -> Path:
    """Write unique copies of the samples (one added paragraph each) into ``target``."""
    target.mkdir()
    for n in range(COPIES):
        for path in sorted(samples.glob("*.docx")):
            if path.name == FIRST:
                continue
            document = docx.Document(str(path))
            document.add_paragraph(f"Copy {n} of this submission, for the background test.")
            document.save(str(target / f"{path.stem}_copy{n}.docx"))
    return target


@pytest.fixture
def started(tmp_path: Path, samples_dir: Path) -> tuple[Engine, BackgroundIndexer, Path]:
    """A store holding one sample, an engine over it and a folder of more files to index."""
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy2(samples_dir / FIRST, first / FIRST)
    assert sync(store, [first]).ok
    engine = Engine(store)
    return engine, BackgroundIndexer(store), _copies(samples_dir, tmp_path / "more")


def test_questions_are_answered_while_the_background_ingest_runs(started) -> None:
    engine, indexer, folder = started
    job_id = indexer.ingest([folder])
    answered_during = 0
    while True:
        before = indexer.status(job_id)
        answer = engine.ask(QUESTION)
        after = indexer.status(job_id)
        assert answer.answered, "answers come from what is already indexed"
        assert any(hit.passage.submission_key == FIRST for hit in answer.sources)
        if before.state == "running" and after.running and before.progress.files_read > 0:
            answered_during += 1
        if not after.running:
            break
    assert answered_during >= 1, "at least one question was answered mid-ingest"
    job = indexer.wait(job_id, timeout_s=120)
    assert job.state == "done", job.error
    assert job.report.ok
    progress = job.progress
    assert progress.finished
    assert progress.fraction == 1.0
    assert progress.files_done == progress.files_total == len(list(folder.glob("*.docx")))
    assert progress.passages_done == engine.store.count() - len(engine.store.passages_of(FIRST))
    assert 'data-fraction="1.000"' in indexing.banner_html(job, indexed=0)
    keys = {s.key for s in engine.store.submissions()}
    assert len(keys) == 1 + progress.files_total, "the new submissions are searchable"


def test_a_question_is_judged_against_the_index_as_it_stood_when_it_was_analysed(started) -> None:
    """A writer committing between two steps of one question cannot shift the rows under it."""
    engine, _indexer, folder = started
    query = engine.analyse(QUESTION)
    probe = engine.probe(query)
    before = probe.snapshot.size
    one = folder / "one"
    one.mkdir()
    shutil.copy2(next(folder.glob("*.docx")), one)
    assert sync(engine.store, [one]).ok
    assert engine.judge.snapshot().size > before, "the index changed"
    judged = judge_query(engine.judge, query, probe, engine.sources.submissions())
    assert len(engine.judge.corpus(probe)) == before
    assert {p.submission_key for p in judged.passages} == {FIRST}
    assert engine.judge.probe(query).snapshot.size > before, "the next question sees the change"


def test_banner_describes_a_running_ingest_and_says_indexing_continues(started) -> None:
    engine, indexer, folder = started
    job_id = indexer.ingest([folder])
    seen = []
    for job in indexer.watch(job_id, interval_s=0.05):
        if job.state == "running" and job.progress.files_read:
            seen.append(indexing.banner_html(job, indexed=len(engine.store.submissions())))
    assert seen, "a running job was observed"
    assert "indexing continues" in seen[0]
    assert "passages" in seen[0]
    assert 'data-state="running"' in seen[0]
    done = indexer.status(job_id)
    assert "finished" in indexing.banner_html(done, 0, now=done.finished_at + 1)
    assert indexing.banner_html(done, 0, now=done.finished_at + 3600) == ""
    record = indexing.status_record(indexer)
    assert (record["state"], record["fraction"]) == ("done", 1.0)


def test_upload_in_the_library_streams_per_file_progress(started, tmp_path: Path) -> None:
    engine, indexer, folder = started
    ctx = AppContext.create(engine, Settings(index_dir=engine.store.index_dir, embedder="fast"))
    ctx.indexer = indexer
    files = sorted(folder.glob("*.docx"))[:3]
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    updates = list(library.upload_stream(ctx, [str(f) for f in files] + [str(bad)]))
    report, rows = updates[-1]
    assert report.count("added") >= 3
    assert "broken.docx" in report
    assert "not indexed" in report
    assert {f.name for f in files} <= {row[library.COLUMNS.index("Key")] for row in rows}
    job = indexer.latest()
    assert [f.key for f in job.files] == [f.name for f in files] + ["broken.docx"]
    assert [f.action for f in job.files] == ["added", "added", "added", "failed"]


def test_a_failing_job_is_reported_and_the_indexer_keeps_working(started, tmp_path) -> None:
    engine, indexer, folder = started
    from vectorstore.sync import writer_lock

    with writer_lock(engine.store.index_dir):  # another writer holds the index
        failed = indexer.wait(indexer.ingest([folder]), timeout_s=60)
    assert failed.state == "failed"
    assert failed.error
    assert "stopped" in indexing.banner_html(failed, 0, now=time.monotonic())
    again = indexer.wait(indexer.ingest([folder]), timeout_s=120)
    assert again.state == "done", again.error
