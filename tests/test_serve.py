"""`submissions serve`: a real server in a subprocess, driven with gradio_client."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from assistant.cli import main
from assistant.errors import ConfigError
from assistant.ui.auth import add_user, authenticator, check_bind, hash_password, verify_password

ROOT = Path(__file__).resolve().parents[1]
USER, PASSWORD = "expert", "correct horse battery"
QUESTION = "What did the investigation find about vehicle stops in Ferguson?"
SAMPLES = (
    "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx",
    "State_France_Code-deontologie-police-gendarmerie.docx",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(
    url: str, process: subprocess.Popen, output: list[str], timeout_s: float = 90
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the server exited early:\n" + "".join(output))
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout_s} s")


def serve(
    index_dir: Path, port: int, *extra: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, list[str]]:
    """Start `submissions serve` on 127.0.0.1:port; return the process and its output lines.

    A thread drains the output so that the server never blocks on a full pipe.
    """
    environ = {
        **os.environ,
        "SUBMISSIONS_INDEX": str(index_dir),
        "SUBMISSIONS_EMBEDDER": "fast",
        "SUBMISSIONS_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", *extra],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    return process, output


@dataclass
class Server:
    url: str
    output: list[str]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with login that indexes two samples into its empty index at start-up."""
    root = tmp_path_factory.mktemp("serve")
    samples = root / "samples"
    samples.mkdir()
    for name in SAMPLES:
        shutil.copy2(ROOT / "examples" / "submissions" / name, samples / name)
    auth_file = root / "users.json"
    add_user(auth_file, USER, PASSWORD)
    port = free_port()
    env = {"SUBMISSIONS_AUTH_FILE": str(auth_file), "SUBMISSIONS_SAMPLE_DIR": str(samples)}
    process, output = serve(root / "index", port, "--ingest-sample", env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, output)
        yield Server(url, output)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for_text(output: list[str], text: str, timeout_s: float = 90) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        joined = "".join(output)
        if text in joined:
            return joined
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not printed within {timeout_s} s:\n" + "".join(output))


@pytest.mark.integration
def test_ingest_sample_fills_an_empty_index_in_the_background(server: Server) -> None:
    text = wait_for_text(server.output, "Samples indexed: 2 added.")
    assert "The index is empty: indexing the samples" in text
    assert "in the background" in text
    assert "samples: 2/2 files" in text
    serving = text.index(f"on {server.url.rstrip('/')} (login required)")
    assert serving < text.index("Samples indexed"), "the app serves before the samples are in"


@pytest.mark.integration
def test_server_reports_indexing_progress_up_to_100_percent(server: Server) -> None:
    from gradio_client import Client

    client = Client(server.url, auth=(USER, PASSWORD), verbose=False)
    deadline = time.monotonic() + 90
    status = client.predict(api_name="/indexing_status")
    while status["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
        status = client.predict(api_name="/indexing_status")
    assert status["state"] == "done"
    assert status["fraction"] == 1.0
    assert status["files_done"] == status["files_total"] == 2


@pytest.mark.integration
def test_server_without_credentials_is_refused(server: Server) -> None:
    from gradio_client import Client

    with pytest.raises(Exception, match=r"(?i)login|auth|401|credentials"):
        Client(server.url, verbose=False)


@pytest.mark.integration
def test_server_streams_an_answer_and_exports_it_to_word(server: Server) -> None:
    from gradio_client import Client

    client = Client(server.url, auth=(USER, PASSWORD), verbose=False, download_files=True)
    job = client.submit(QUESTION, [], api_name="/ask")
    updates = list(job)
    assert len(updates) >= 3, "the answer streams in several updates"
    chat, sources, stored, box = job.outputs()[-1]
    assert chat[-1]["role"] == "assistant"
    assert "sa-card-0-1" in sources
    assert stored[0]["citations"], "the answer cites the sample submissions"
    assert box == ""

    result = client.predict(stored, api_name="/export_conversation_docx")
    path = result["value"] if isinstance(result, dict) else result  # a visibility update
    document = docx.Document(path)
    rels = [r for r in document.part.rels.values() if r.reltype.endswith("/footnotes")]
    assert rels
    assert "Submission of" in rels[0].target_part.blob.decode("utf-8")


@pytest.mark.integration
def test_server_upload_adds_a_submission(server: Server, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file

    document = docx.Document()
    document.add_paragraph("Oversight bodies can compel the police to hand over evidence.")
    path = tmp_path / "NGO_Oversight-Now_Chile.docx"
    document.save(str(path))
    client = Client(server.url, auth=(USER, PASSWORD), verbose=False)
    report, table, _files = client.predict([handle_file(str(path))], api_name="/upload")
    assert "NGO_Oversight-Now_Chile.docx" in report
    assert "added" in report
    assert any("NGO_Oversight-Now_Chile.docx" in row for row in table["data"])


def test_serve_refuses_a_network_interface_without_login(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["serve", "--host", "0.0.0.0", "--index", str(tmp_path / "index")])
    assert code == 1
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0 without a login" in err
    assert "--add-user" in err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_need_no_login(host: str) -> None:
    check_bind(host, "")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_other_hosts_need_a_login(host: str) -> None:
    with pytest.raises(ConfigError, match="without a login"):
        check_bind(host, "")
    check_bind(host, "users.json")


def test_add_user_stores_only_a_salted_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    auth_file = tmp_path / "users.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["serve", "--add-user", USER, "--auth-file", str(auth_file)]) == 0
    saved = json.loads(auth_file.read_text())["users"][USER]
    assert PASSWORD not in auth_file.read_text()
    assert saved.startswith("scrypt$")
    assert verify_password(PASSWORD, saved)
    assert oct(auth_file.stat().st_mode & 0o777) == "0o600"
    check = authenticator(auth_file)
    assert check(USER, PASSWORD)
    assert not check(USER, "wrong password")
    assert not check("nobody", PASSWORD)


def test_same_password_hashes_differently_each_time() -> None:
    assert hash_password("secret-words") != hash_password("secret-words")
    assert not verify_password("x", "md5$abc")


def test_short_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="too short"):
        add_user(tmp_path / "u.json", "alice", "short")


def test_importing_the_ui_package_launches_nothing() -> None:
    code = (
        "import sys, assistant.ui as ui; "
        "assert callable(ui.build_app); "
        "print('gradio' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
