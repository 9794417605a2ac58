"""App start-up and answer latency, written to the "## App" section of docs/benchmarks.md.

Measures, over the bundled sample index:
- time from process start (`submissions serve`) to the first HTTP 200 on "/";
- time from sending a question (gradio_client, /ask) to the first streamed answer text.

Usage: .venv/bin/python benchmarks/app.py [--embedder e5] [--runs 3] [--questions 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ui.context import example_questions, load_call  # noqa: E402

BENCHMARKS = ROOT / "docs" / "benchmarks.md"
SECTION = "## App"
PLACEHOLDER = "Searching the submissions"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_index(index: Path, embedder: str) -> float:
    """Index the bundled samples into ``index``; return the seconds it took."""
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    started = time.perf_counter()
    report = sync(PassageStore(index, load_embedder(embedder)), [ROOT / "examples" / "submissions"])
    assert report.ok, report.failed
    return time.perf_counter() - started


def start_server(index: Path, embedder: str, port: int) -> tuple[subprocess.Popen, float]:
    """Start the server; return (process, seconds from spawn to the first HTTP 200)."""
    env = {
        **os.environ,
        "SUBMISSIONS_INDEX": str(index),
        "SUBMISSIONS_EMBEDDER": embedder,
        "SUBMISSIONS_PORT": str(port),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    while True:
        if process.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return process, time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)


def first_text_s(client, question: str) -> tuple[float, float]:
    """Return (seconds to the first update, seconds to the first answer text) for a question."""
    started = time.perf_counter()
    first_update = first_text = None
    job = client.submit(question, [], api_name="/ask")
    for chat, _sources, _stored, _box in job:
        now = time.perf_counter() - started
        first_update = first_update if first_update is not None else now
        content = chat[-1]["content"] if chat else ""
        if content and PLACEHOLDER not in str(content):
            first_text = now
            break
    for _ in job:  # let the answer finish before the next question
        pass
    return first_update or 0.0, first_text or 0.0


def write_section(text: str) -> None:
    """Replace (or append) the "## App" section of docs/benchmarks.md."""
    old = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text.strip() + "\n"
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        new = "\n".join([*lines[:start], text.strip(), "", *lines[end:]]).rstrip("\n") + "\n"
    BENCHMARKS.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", default="e5")
    parser.add_argument("--runs", type=int, default=3, help="server starts")
    parser.add_argument("--questions", type=int, default=5, help="questions per start")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--index", type=Path, help="reuse this sample index (built there when it is empty)"
    )
    args = parser.parse_args()

    from gradio_client import Client

    questions = example_questions(load_call())[: args.questions]
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        index = args.index or Path(tmp) / "index"
        reused = index.is_dir() and any(index.iterdir())
        index_s = 0.0 if reused else build_index(index, args.embedder)
        starts, updates, texts, cold = [], [], [], []
        for run in range(args.runs):
            port = free_port()
            process, start_s = start_server(index, args.embedder, port)
            starts.append(start_s)
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                for i, question in enumerate(questions):
                    update_s, text_s = first_text_s(client, question)
                    updates.append(update_s)
                    (cold if i == 0 else texts).append(text_s)
            finally:
                process.terminate()
                process.wait(timeout=20)
            print(f"run {run + 1}: start {start_s:.2f} s", flush=True)

    def med(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} s"

    command = (
        f".venv/bin/python benchmarks/app.py --embedder {args.embedder} --runs {args.runs} "
        f"--questions {len(questions)}"
    )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"

    def row(label: str, values: list[float], target: str) -> str:
        return f"| {label} | {med(values)} | {min(values):.2f} s | {max(values):.2f} s | {target} |"

    section = "\n".join(
        [
            SECTION,
            "",
            f"Measured with `{command}` ({machine}) over the 8 bundled samples indexed with "
            f"`{args.embedder}`{f' (in {index_s:.0f} s)' if index_s else ''}. Medians over "
            f"{args.runs} server starts; after each start the call's {len(questions)} example "
            "questions are sent through gradio_client to the `/ask` endpoint. The first "
            "question after a start also loads the embedding model, so it is shown apart.",
            "",
            "| measure | median | min | max | target |",
            "|---|---|---|---|---|",
            row("process start → first HTTP 200 on `/`", starts, "≤ 6 s"),
            row("question sent → first update (“Searching the submissions…”)", updates, ""),
            row("question sent → first streamed answer text (warm)", texts, "≤ 1 s"),
            row("same, first question after a start (loads the model)", cold, ""),
        ]
    )
    print(section)
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
