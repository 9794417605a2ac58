"""The kill test of issue 10: 20 SIGKILLs at random points of ingest, update and rebuild.

After each kill: the index opens, every submission is complete or absent, a re-run completes,
no orphan vectors remain and the user's files are untouched (sha256). Fast embedder, the eight
bundled samples, small write batches so that a kill often lands inside the protocol; seeded, so
a failure can be replayed. The kill points are timed from the measured length of the same run.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import docx
import pytest
from index_checks import go, incomplete, problems, sha256s, start_worker

from vectorstore import generations
from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import rebuild, sync

SEED = 10
KILLS = {"ingest": 7, "update": 7, "rebuild": 6}
BATCH = 40
CHANGED = 3  # files rewritten between update runs


def _versions(folder: Path, work: Path) -> list[dict[str, Path]]:
    """Two edited versions of the first CHANGED files, to alternate between update runs."""
    names = sorted(p.name for p in folder.glob("*.docx"))[:CHANGED]
    versions = []
    for v in range(2):
        out = work / f"v{v}"
        out.mkdir()
        for name in names:
            document = docx.Document(str(folder / name))
            for i in range(4):
                document.add_paragraph(f"Version {v}, added paragraph {i} on oversight bodies.")
            document.save(str(out / name))
        versions.append({name: out / name for name in names})
    return versions


def _kill_at_random(index: Path, op: str, folder: Path, delay: float) -> str:
    worker = start_worker(index, op, folder, "--batch", str(BATCH))
    go(worker)
    time.sleep(delay)
    worker.kill()
    worker.wait(timeout=30)
    return "killed" if worker.returncode == -9 else "finished first"


def _timed(call) -> float:
    started = time.perf_counter()
    report = call()
    assert report.ok, report.failed
    return time.perf_counter() - started


def test_twenty_random_kills_never_lose_or_half_write(tmp_path: Path, samples_dir: Path) -> None:
    rng = random.Random(SEED)
    embedder = load_embedder("fast")
    folder = tmp_path / "subs"
    shutil.copytree(samples_dir, folder, ignore=shutil.ignore_patterns("*.md", "*.csv"))
    keys = sorted(p.name for p in folder.glob("*.docx"))
    versions = _versions(folder, tmp_path)
    outcomes: list[str] = []

    def check(index: Path, again) -> float:
        store = PassageStore(index, embedder, check_embedder=False)
        try:
            assert incomplete(store) == [], outcomes
            seconds = _timed(lambda: again(store))
            assert problems(store) == [], outcomes
            assert [s.key for s in store.submissions()] == keys
            return seconds
        finally:
            store.close()

    def ingest_again(store: PassageStore):
        return sync(store, [folder], workers=1, batch_passages=BATCH)

    def rebuild_again(store: PassageStore):
        return rebuild(store, workers=1, batch_passages=BATCH)

    # fresh ingests
    duration = check(tmp_path / "calibrate", ingest_again)
    for i in range(KILLS["ingest"]):
        index = tmp_path / f"fresh{i}"
        before = sha256s(folder)
        outcomes.append(_kill_at_random(index, "ingest", folder, rng.uniform(0, duration)))
        assert sha256s(folder) == before
        duration = check(index, ingest_again)
    # updates of three files, alternating between two edited versions
    index = tmp_path / f"fresh{KILLS['ingest'] - 1}"
    for i in range(KILLS["update"]):
        for name, source in versions[i % 2].items():
            shutil.copy2(source, folder / name)
        before = sha256s(folder)
        outcomes.append(_kill_at_random(index, "ingest", folder, rng.uniform(0, duration)))
        assert sha256s(folder) == before
        duration = check(index, ingest_again)
    # rebuilds
    duration = check(index, rebuild_again)
    for _ in range(KILLS["rebuild"]):
        before = sha256s(folder)
        outcomes.append(_kill_at_random(index, "rebuild", folder, rng.uniform(0, duration)))
        assert sha256s(folder) == before
        duration = check(index, rebuild_again)
    assert [g.state for g in generations.listing(index)][-1] == "live"
    assert outcomes.count("killed") >= 15, outcomes  # most kills landed during the write


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
