"""The scale-out path: the same store over a real Chroma server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import sync

pytestmark = pytest.mark.integration

CHROMA = Path(sys.executable).parent / "chroma"
FERGUSON = "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
FLOYD = "State_UnitedStates_WhiteHouse-Statements-George-Floyd.docx"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `chroma run` on a free loopback port; stop it afterwards."""
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is absent: the chromadb package ships the server command")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    command = [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma server did not start: {server.stderr.read()[-2000:]!r}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_ingest_and_search_through_a_chroma_server(
    chroma_url: str, tmp_path: Path, samples_dir: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples_dir / FERGUSON, folder)
    store = PassageStore(tmp_path / "index", load_embedder("fast"), chroma_url=chroma_url)
    report = sync(store, [folder])
    assert report.counts()["added"] == 1
    hits = store.dense_search("vehicle stops citations arrests of African Americans", 3)
    assert hits
    assert hits[0].passage.submission_key == FERGUSON
    assert not (tmp_path / "index" / "chroma").exists()  # vectors live on the server
    assert sync(store, [folder]).counts()["unchanged"] == 1


def test_update_remove_rebuild_and_repair_through_a_chroma_server(
    chroma_url: str, tmp_path: Path, samples_dir: Path
) -> None:
    import docx
    from index_checks import go, problems, start_worker

    from vectorstore import generations
    from vectorstore.sync import rebuild, remove, remove_generation

    folder = tmp_path / "in"
    folder.mkdir()
    for name in (FERGUSON, FLOYD):
        shutil.copy(samples_dir / name, folder)
    index = tmp_path / "index"
    store = PassageStore(index, load_embedder("fast"), chroma_url=chroma_url, collection="upd")
    assert sync(store, [folder]).ok
    document = docx.Document(str(folder / FLOYD))
    document.add_paragraph("A closing paragraph on independent prosecutors.")
    document.save(str(folder / FLOYD))
    assert sync(store, [folder]).counts()["updated"] == 1
    assert problems(store) == []
    # a writer killed after its Chroma write leaves orphans on the server; the next one repairs
    document.add_paragraph("Another paragraph, on civilian review boards.")
    document.save(str(folder / FLOYD))
    store.close()
    worker = start_worker(
        index, "ingest", folder, "--crash", "after:chroma_upsert:1", "--chroma-url", chroma_url
    )
    go(worker)
    worker.wait(timeout=120)
    assert worker.returncode == -9
    store = PassageStore(index, load_embedder("fast"), chroma_url=chroma_url, collection="upd")
    assert remove(store, [FERGUSON]).ok
    assert store.registry.meta("last_repair")
    assert problems(store) == []
    report = rebuild(store, keep_generations=2)
    assert report.ok, report.notes
    assert store.generation == 1
    assert store.collection_name == "upd-g1"
    assert problems(store) == []
    remove_generation(store, 0)
    names = {c.name for c in store._chroma().list_collections()}
    assert "upd-g1" in names
    assert "upd" not in names
    assert [g.state for g in generations.listing(index)] == ["live"]
