"""Shared fixtures: the network blocker, corpus locations and the shared indexes."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "examples" / "submissions"
# ../shared, or SUBMISSIONS_SHARED when the checkout is not beside it (a git worktree)
SHARED = Path(os.environ.get("SUBMISSIONS_SHARED") or ROOT.parent / "shared")
REAL = SHARED / "corpus" / "real"
ODD = SHARED / "corpus" / "odd-docx"
PDF = SHARED / "corpus" / "pdf"
ODD_PDF = SHARED / "corpus" / "odd-pdf"
DEV_QUESTIONS = SHARED / "corpus" / "dev-questions.jsonl"

_LOOPBACK_PREFIXES = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else str(address)
    if self.family == getattr(socket, "AF_UNIX", None) or str(host).startswith(_LOOPBACK_PREFIXES):
        return _real_connect(self, address)
    raise ConnectionRefusedError(f"tests run offline: connection to {host!r} blocked")


@pytest.fixture(autouse=True)
def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection outside 127.0.0.1 (the tests, like the tool, run offline)."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The bundled sample submissions (always present in the repo)."""
    return SAMPLES


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    """../shared/corpus/real, or skip with the reason."""
    if not REAL.is_dir():
        pytest.skip(f"{REAL} is absent: the shared evaluation corpus is only in CI and dev")
    return REAL


@pytest.fixture(scope="session")
def odd_corpus() -> Path:
    """../shared/corpus/odd-docx, or skip with the reason."""
    if not ODD.is_dir():
        pytest.skip(f"{ODD} is absent: the shared odd-docx corpus is only in CI and dev")
    return ODD


@pytest.fixture(scope="session")
def pdf_corpus() -> Path:
    """../shared/corpus/pdf, or skip with the reason."""
    if not PDF.is_dir():
        pytest.skip(f"{PDF} is absent: the shared PDF corpus is only in CI and dev")
    return PDF


@pytest.fixture(scope="session")
def odd_pdf_corpus() -> Path:
    """../shared/corpus/odd-pdf, or skip with the reason."""
    if not ODD_PDF.is_dir():
        pytest.skip(f"{ODD_PDF} is absent: the shared odd-pdf corpus is only in CI and dev")
    return ODD_PDF


@pytest.fixture(scope="session")
def dev_questions() -> Path:
    """../shared/corpus/dev-questions.jsonl, or skip with the reason."""
    if not DEV_QUESTIONS.is_file():
        pytest.skip(f"{DEV_QUESTIONS} is absent: the dev questions are only in CI and dev")
    return DEV_QUESTIONS


# Shared indexes (session scoped: tests must only read them; copy to tmp_path to modify).
E5_SUBSET = (
    "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx",
    "State_France_Code-deontologie-police-gendarmerie.docx",
    "State_Peru_Decreto-Legislativo-1186-uso-de-la-fuerza.docx",
)


@pytest.fixture(scope="session")
def fast_index(tmp_path_factory: pytest.TempPathFactory):  # -> vectorstore.store.PassageStore
    """A PassageStore of the bundled samples embedded with `fast` (read-only for tests)."""
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    store = PassageStore(tmp_path_factory.mktemp("fast_index") / "index", load_embedder("fast"))
    report = sync(store, [SAMPLES])
    assert report.ok, report.failed
    return store


@pytest.fixture(scope="session")
def e5_index(tmp_path_factory: pytest.TempPathFactory):  # -> vectorstore.store.PassageStore
    """A PassageStore of 3 samples (Ferguson, French code, Peru decree) embedded with e5."""
    import shutil

    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    folder = tmp_path_factory.mktemp("e5_subset")
    for name in E5_SUBSET:
        shutil.copy2(SAMPLES / name, folder / name)
    index_dir = tmp_path_factory.mktemp("e5_index") / "index"
    store = PassageStore(index_dir, load_embedder("e5"))
    report = sync(store, [folder])
    assert report.ok, report.failed
    return store


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the e5 embedder's index as ``integration`` (see pyproject)."""
    for item in items:
        if "e5_index" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
