"""Re-indexing under a live app: CLI ingest, remove and rebuild while `serve` runs (fast).

The issue found 60 of 240 questions failing during a CLI ingest, and the app never seeing the
new passages by dense search until restarted. Here questions run in four client threads during
each CLI write; none may fail, and the first question after the write sees its result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_serve import ROOT, free_port, serve, wait_for_http

from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import sync

pytestmark = pytest.mark.integration

FIRST = "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
LATER = (
    "NGO_CampaignZero_UnitedStates.docx",
    "State_UnitedStates_Executive-Order-14074.docx",
    "State_UnitedStates_WhiteHouse-FactSheet-EO14074-2024.docx",
)
QUESTIONS = (
    "What did the investigation find about vehicle stops in Ferguson?",
    "How are police officers held accountable for misconduct?",
    "What do police union contracts say about discipline?",
)
NEW_QUESTION = "What does the executive order require of federal law enforcement agencies?"


@dataclass
class Live:
    url: str
    index: Path
    later: Path
    output: list[str]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("live")
    first, later = root / "first", root / "later"
    first.mkdir()
    later.mkdir()
    shutil.copy2(ROOT / "examples" / "submissions" / FIRST, first / FIRST)
    for name in LATER:
        shutil.copy2(ROOT / "examples" / "submissions" / name, later / name)
    index = root / "index"
    store = PassageStore(index, load_embedder("fast"))
    assert sync(store, [first]).ok
    store.close()
    port = free_port()
    process, output = serve(index, port)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, output)
        yield Live(url, index, later, output)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _cli(index: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SUBMISSIONS_INDEX": str(index), "SUBMISSIONS_EMBEDDER": "fast"}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _ask(client, question: str) -> set[str]:
    _chat, _sources, stored, _box = client.predict(question, [], api_name="/ask")
    return {c["submission_key"] for c in stored[-1]["citations"]}


def _while_asking(url: str, write) -> tuple[int, int, list[str]]:
    """Run ``write`` while four clients keep asking; return (asked, failed, errors)."""
    from gradio_client import Client

    done = threading.Event()
    counts = {"asked": 0, "failed": 0}
    errors: list[str] = []
    lock = threading.Lock()

    def client_loop(n: int) -> None:
        client = Client(url, verbose=False)
        i = n
        while not done.is_set() or i == n:  # at least one question per client
            try:
                _ask(client, QUESTIONS[i % len(QUESTIONS)])
                with lock:
                    counts["asked"] += 1
            except Exception as exc:
                with lock:
                    counts["asked"] += 1
                    counts["failed"] += 1
                    errors.append(repr(exc)[:300])
            i += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        write()
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=120)
    return counts["asked"], counts["failed"], errors


def test_cli_ingest_remove_and_rebuild_while_serving(live: Live) -> None:
    from gradio_client import Client

    results: dict[str, subprocess.CompletedProcess] = {}

    def ingest() -> None:
        results["ingest"] = _cli(live.index, "ingest", str(live.later))

    asked, failed, errors = _while_asking(live.url, ingest)
    assert results["ingest"].returncode == 0, results["ingest"].stdout + results["ingest"].stderr
    assert failed == 0, [*errors, *live.output[-80:]]
    assert asked >= 4
    client = Client(live.url, verbose=False)
    assert set(LATER) & _ask(client, NEW_QUESTION), "the first question after cites new documents"

    def remove() -> None:
        results["remove"] = _cli(live.index, "remove", *LATER[1:])

    asked, failed, errors = _while_asking(live.url, remove)
    assert results["remove"].returncode == 0, results["remove"].stderr
    assert failed == 0, [*errors, *live.output[-80:]]
    assert not set(LATER[1:]) & _ask(client, NEW_QUESTION)

    def rebuild() -> None:
        results["rebuild"] = _cli(live.index, "rebuild")

    asked, failed, errors = _while_asking(live.url, rebuild)
    assert results["rebuild"].returncode == 0, results["rebuild"].stderr
    assert failed == 0, [*errors, *live.output[-80:]]
    assert _ask(client, QUESTIONS[0]) == {FIRST} or FIRST in _ask(client, QUESTIONS[0])
    assert "Traceback" not in "".join(live.output), "".join(live.output)[-3000:]


def test_app_upload_still_works_after_cli_writes(live: Live, tmp_path: Path) -> None:
    import docx
    from gradio_client import Client, handle_file

    document = docx.Document()
    document.add_paragraph("Oversight bodies can compel the police to hand over body camera video.")
    path = tmp_path / "NGO_Oversight-Now_Chile.docx"
    document.save(str(path))
    client = Client(live.url, verbose=False)
    report, table, _files = client.predict([handle_file(str(path))], api_name="/upload")
    assert "added" in report
    assert any("NGO_Oversight-Now_Chile.docx" in row for row in table["data"])
    status = _cli(live.index, "status", "--json")
    assert status.returncode == 0
    assert '"NGO_Oversight-Now_Chile.docx"' in status.stdout


def test_file_routes_refuse_paths_outside_what_the_app_hands_out(live: Live) -> None:
    import urllib.error
    import urllib.request

    originals = sorted((live.index / "originals").glob("*.docx"))
    targets = [
        "/etc/passwd",
        "../../../../etc/passwd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/etc/passwd",
        "....//....//etc/passwd",
        str(live.index / "registry.sqlite"),
        str(live.index / ".lock"),
        str(originals[0]) if originals else str(live.index),
        str(ROOT / "pyproject.toml"),
    ]
    for prefix in ("gradio_api/file=", "file=", "gradio_api/file/"):
        for target in targets:
            url = f"{live.url}{prefix}{target.lstrip('/') if prefix.endswith('/') else target}"
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    status = response.status
                    body = response.read(200)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, b""
            assert status in (400, 403, 404, 405), (url, status, body)
