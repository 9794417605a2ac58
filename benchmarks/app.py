"""App start-up and first answers, this tree against a baseline tree and a bare Gradio app.

Written to the "## App" section of docs/benchmarks.md. For each tree, over the 8 bundled
samples indexed by that tree's own code:

- seconds from process start (`submissions serve`) to the first HTTP 200 on "/";
- seconds from sending a question (gradio_client, /ask) to the first streamed answer text:
  the first question of a start, sent the moment "/" answers (the worst case) and, on a second
  start, sent a few seconds later (a person opening the page and typing); then warm questions.

The floor is a bare Gradio app in the same venv (one Blocks with a textbox and a button):
what any Gradio app pays here before our code runs.

Usage: .venv/bin/python benchmarks/app.py [--base TREE] [--embedder e5] [--runs 3]
       [--questions 5] [--delay 3] [--note "..."]
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
MEASURES = ("starts", "updates", "warm", "now", "later")  # seconds, listed per tree
BUILD = """
import sys
from pathlib import Path
from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import sync
report = sync(PassageStore(Path(sys.argv[1]), load_embedder(sys.argv[2])), [Path(sys.argv[3])])
assert report.ok, report.failed
"""
BARE = """
import os
import gradio as gr
with gr.Blocks() as demo:
    box = gr.Textbox()
    gr.Button("Ask").click(lambda t: t, box, box)
demo.launch(server_name="127.0.0.1", server_port=int(os.environ["PORT"]))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_index(tree: Path, index: Path, embedder: str) -> float:
    """Index the bundled samples into ``index`` with ``tree``'s code; return the seconds."""
    started = time.perf_counter()
    samples = tree / "examples" / "submissions"
    command = [sys.executable, "-c", BUILD, str(index), embedder, str(samples)]
    subprocess.run(command, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True)
    return time.perf_counter() - started


def wait_200(process: subprocess.Popen, port: int, started: float) -> float:
    url = f"http://127.0.0.1:{port}/"
    while True:
        if process.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)


def start_server(
    tree: Path, index: Path, embedder: str, port: int
) -> tuple[subprocess.Popen, float]:
    """Start ``tree``'s server; return (process, seconds from spawn to the first HTTP 200)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "SUBMISSIONS_INDEX": str(index),
        "SUBMISSIONS_EMBEDDER": embedder,
        "SUBMISSIONS_PORT": str(port),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, wait_200(process, port, started)


def bare_start() -> float:
    """Seconds from spawn to the first HTTP 200 of a bare Gradio app."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", BARE],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return wait_200(process, port, started)
    finally:
        process.terminate()
        process.wait(timeout=20)


def first_text_s(client, question: str) -> tuple[float, float]:
    """Return (seconds to the first update, seconds to the first answer text) for a question."""
    started = time.perf_counter()
    first_update = first_text = None
    job = client.submit(question, [], api_name="/ask")
    for chat, *_ in job:
        now = time.perf_counter() - started
        first_update = first_update if first_update is not None else now
        content = chat[-1]["content"] if chat else ""
        if content and PLACEHOLDER not in str(content):
            first_text = now
            break
    for _ in job:  # let the answer finish before the next question
        pass
    return first_update or 0.0, first_text or 0.0


def measure_tree(tree: Path, index: Path, args: argparse.Namespace, questions: list[str]) -> dict:
    """Two starts per run: the first question at once, then after ``delay`` seconds."""
    from gradio_client import Client

    out: dict[str, list[float]] = {key: [] for key in MEASURES}
    for delay in (0.0, args.delay):
        port = free_port()
        process, start_s = start_server(tree, index, args.embedder, port)
        out["starts"].append(start_s)
        try:
            if delay:
                time.sleep(delay)
            client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            for i, question in enumerate(questions):
                update_s, text_s = first_text_s(client, question)
                out["updates"].append(update_s)
                if i == 0:
                    out["later" if delay else "now"].append(text_s)
                else:
                    out["warm"].append(text_s)
        finally:
            process.terminate()
            process.wait(timeout=20)
    return out


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


def med(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s" if values else "–"


def render(results: dict[str, dict], bare: list[float], args: argparse.Namespace, n: int) -> str:
    base = " --base TREE" if args.base else ""
    command = (
        f".venv/bin/python benchmarks/app.py{base} --embedder {args.embedder} --runs {args.runs} "
        f"--questions {n} --delay {args.delay:g}"
    )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    note = f" {args.note.rstrip('. ')}." if args.note else ""
    lines = [
        SECTION,
        "",
        f"Measured with `{command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{machine}, load average {os.getloadavg()[0]:.1f} at the end).{note} Each tree serves "
        f"the 8 bundled samples indexed with `{args.embedder}` by its own code. Per run, two "
        "server starts: on the first, the call's example questions are sent through "
        "gradio_client to `/ask` the moment `/` answers; on the second, the first question "
        f"waits {args.delay:g} s (a person opening the page and typing). The trees and the bare "
        "Gradio app (one Blocks, a textbox and a button, same venv) alternate; medians "
        "(min–max).",
        "",
        "| measure | " + " | ".join(results) + " | bare Gradio | target |",
        "|---|" + "---|" * (len(results) + 2),
    ]

    def cells(key: str) -> str:
        return " | ".join(
            f"{med(r[key])} ({min(r[key]):.2f}–{max(r[key]):.2f})" if r[key] else "–"
            for r in results.values()
        )

    bare_cell = f"{med(bare)} ({min(bare):.2f}–{max(bare):.2f})"
    lines += [
        f"| start → first HTTP 200 on `/` | {cells('starts')} | {bare_cell} | ≤ 3 s |",
        f"| first question, sent at once → first answer text | {cells('now')} | – | ≤ 1 s |",
        f"| first question, sent {args.delay:g} s later → first answer text | {cells('later')} "
        "| – | ≤ 1 s |",
        f"| later questions → first answer text | {cells('warm')} | – | ≤ 1 s |",
        f"| question sent → first update | {cells('updates')} | – |  |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", type=Path, help="a checkout to compare with (git worktree)")
    parser.add_argument("--embedder", default="e5")
    parser.add_argument("--runs", type=int, default=3, help="runs (two server starts each)")
    parser.add_argument("--questions", type=int, default=5, help="questions per start")
    parser.add_argument("--delay", type=float, default=3.0, help="seconds before the question")
    parser.add_argument("--note", default="", help="what else ran (shown as is)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    questions = example_questions(load_call())[: args.questions]
    trees = {"today": ROOT}
    if args.base:
        trees = {"ee5999c (before)": args.base.resolve(), **trees}
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        indexes = {}
        for name, tree in trees.items():
            indexes[name] = Path(tmp) / f"index-{len(indexes)}"
            seconds = build_index(tree, indexes[name], args.embedder)
            print(f"{name}: samples indexed in {seconds:.0f} s")
        results = {name: {key: [] for key in MEASURES} for name in trees}
        bare: list[float] = []
        for run in range(args.runs):
            bare.append(bare_start())
            for name, tree in trees.items():
                for key, values in measure_tree(tree, indexes[name], args, questions).items():
                    results[name][key].extend(values)
                print(f"run {run + 1} {name}: starts {results[name]['starts'][-2:]}", flush=True)
    section = render(results, bare, args, len(questions))
    print(section)
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
