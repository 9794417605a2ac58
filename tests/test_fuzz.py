"""Fuzzing in `make test`: 36 seeded mutations of the real sample files (benchmarks/fuzz.py: 500+).

Every case must be a clean ingest or a clear per-file error: never a traceback (an exception
that is not an IngestError, or the writer's "unexpected error" line), never a hang, never a loss
of what was indexed before.
"""

from __future__ import annotations

import signal
from pathlib import Path

import fuzzing
import pytest
from index_checks import problems

from ingest.errors import IngestError
from ingest.prepare import prepare
from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import sync

SEED = 2024
CASES = 36
HANG_S = 30


def _alarm(signum: int, frame: object) -> None:
    raise TimeoutError(f"a fuzz case ran for more than {HANG_S} s")


@pytest.fixture(scope="module")
def mutated(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    for name, data in fuzzing.cases(sorted(samples_dir.glob("*.docx")), CASES, SEED):
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="the hang guard needs SIGALRM")
def test_every_mutation_is_read_or_refused_with_a_reason(mutated: Path) -> None:
    previous = signal.signal(signal.SIGALRM, _alarm)
    outcomes: dict[str, str] = {}
    try:
        for path in sorted(mutated.glob("*.docx")):
            signal.alarm(HANG_S)
            try:
                prepared = prepare(path, path.name)
                assert prepared.document.blocks
                outcomes[path.name] = "read"
            except IngestError as exc:
                outcomes[path.name] = "refused" if exc.reason and path.name in str(exc) else "mute"
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert len(outcomes) == CASES
    assert "mute" not in outcomes.values()  # every refusal names the file and says why
    assert "read" in outcomes.values()
    assert "refused" in outcomes.values()


def test_ingesting_the_mutations_loses_nothing_already_indexed(
    mutated: Path, tmp_path: Path, samples_dir: Path
) -> None:
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    first = sync(store, [samples_dir])
    assert first.ok
    before = {s.key: s.passages for s in store.submissions()}
    report = sync(store, [mutated], workers=1)
    assert len(report.outcomes) == CASES
    for outcome in report.failed:
        assert outcome.detail, outcome
        assert "unexpected error" not in outcome.detail, outcome
    after = {s.key: s.passages for s in store.submissions()}
    assert {k: after[k] for k in before} == before
    assert problems(store) == []
