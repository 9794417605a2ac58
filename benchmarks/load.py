"""Load: 20 concurrent chat clients on 127.0.0.1 while a CLI ingest and an app upload run.

    nice python benchmarks/load.py [--clients 20] [--seconds 25] [--no-write]

A `submissions serve` (fast embedder) starts over an index of five samples. Three phases run
back to back, each with the same clients asking for ``--seconds`` (bounded: at most 200
questions per client in all): (1) no write (the baseline), (2) `submissions ingest` of two
more samples from the CLI, (3) an upload of one more file through the app. Each request's
latency and outcome is recorded; after each write ends, answers to a question about the new
documents are checked for citations of them. Writes the "Load: questions during re-indexing"
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _sections import replace_section  # noqa: E402

SAMPLES = ROOT / "examples" / "submissions"
FIRST = (
    "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx",
    "State_UnitedStates_WhiteHouse-Statements-George-Floyd.docx",
    "State_France_Code-deontologie-police-gendarmerie.docx",
    "State_Peru_Ley-30714-regimen-disciplinario-PNP.docx",
    "State_Peru_Decreto-Legislativo-1186-uso-de-la-fuerza.docx",
)
CLI_NEW = ("State_UnitedStates_Executive-Order-14074.docx", "NGO_CampaignZero_UnitedStates.docx")
UPLOAD_NEW = "State_UnitedStates_WhiteHouse-FactSheet-EO14074-2024.docx"
# Generic questions (not from any labelled set); the probe asks about the documents added.
QUESTIONS = (
    "How are police officers held accountable for misconduct?",
    "What remedies exist for victims of police violence?",
    "Which bodies oversee the use of force by the police?",
    "What data on police stops is collected?",
)
PROBE = "What does the executive order require of federal law enforcement agencies?"
MAX_PER_CLIENT = 200


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(index: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SUBMISSIONS_INDEX": str(index),
        "SUBMISSIONS_EMBEDDER": "fast",
        "SUBMISSIONS_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "OMP_NUM_THREADS": "1",
    }


class Clients:
    """Chat clients asking in threads; every request is recorded with its phase."""

    def __init__(self, url: str, count: int) -> None:
        from gradio_client import Client

        self.url = url
        self.clients = [Client(url, verbose=False) for _ in range(count)]
        self.records: list[dict] = []
        self.lock = threading.Lock()
        self.phase = ""
        self.stop = threading.Event()
        self.asked = [0] * count

    def _loop(self, n: int) -> None:
        client = self.clients[n]
        i = n
        while not self.stop.is_set() and self.asked[n] < MAX_PER_CLIENT:
            question = PROBE if i % 5 == 0 else QUESTIONS[i % len(QUESTIONS)]
            phase, started = self.phase, time.perf_counter()
            record = {"phase": phase, "question": question, "start": time.time()}
            try:
                _chat, _sources, stored, _box = client.predict(question, [], api_name="/ask")
                record["keys"] = sorted({c["submission_key"] for c in stored[-1]["citations"]})
                record["ok"] = True
            except Exception as exc:
                record["ok"] = False
                record["error"] = repr(exc)[:200]
            record["seconds"] = time.perf_counter() - started
            record["end"] = time.time()
            with self.lock:
                self.records.append(record)
            self.asked[n] += 1
            i += 1

    def run(self, phases: list[tuple[str, object]], seconds: float) -> None:
        threads = [threading.Thread(target=self._loop, args=(n,)) for n in range(len(self.clients))]
        self.phase = phases[0][0]
        for thread in threads:
            thread.start()
        try:
            for name, write in phases:
                self.phase = name
                started = time.monotonic()
                if write is not None:
                    write()
                time.sleep(max(0.0, seconds - (time.monotonic() - started)))
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=300)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from gradio_client import Client, handle_file

    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        root = Path(tmp)
        first, later = root / "first", root / "later"
        first.mkdir()
        later.mkdir()
        for name in FIRST:
            shutil.copy2(SAMPLES / name, first / name)
        for name in CLI_NEW:
            shutil.copy2(SAMPLES / name, later / name)
        index = root / "index"
        store = PassageStore(index, load_embedder("fast"))
        assert sync(store, [first]).ok
        store.close()
        port = _port()
        env = _env(index, port)
        server = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = f"http://127.0.0.1:{port}/"
        times: dict[str, tuple[float, float]] = {}
        exit_codes: dict[str, int] = {}
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.5)

            def cli_ingest() -> None:
                started = time.time()
                done = subprocess.run(
                    [sys.executable, "-m", "assistant", "ingest", str(later)],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                exit_codes["cli ingest"] = done.returncode
                times["cli ingest"] = (started, time.time())

            def upload() -> None:
                started = time.time()
                Client(url, verbose=False).predict(
                    [handle_file(str(SAMPLES / UPLOAD_NEW))], api_name="/upload"
                )
                times["app upload"] = (started, time.time())

            clients = Clients(url, args.clients)
            clients.run(
                [("no write (baseline)", None), ("cli ingest", cli_ingest), ("app upload", upload)],
                args.seconds,
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        records = clients.records

    lines = [
        f"`nice python benchmarks/load.py --clients {args.clients} --seconds {args.seconds:g}` "
        f"({time.strftime('%Y-%m-%d')}, 2 shared cores, fast embedder, embedded Chroma, "
        "`serve` with default settings). Each phase lasts at least the given seconds; the "
        "write phases last until their write ends. Latency is one whole answer (gradio_client "
        "`predict`), queueing included.",
        "",
        "| phase | questions | failed | p50 | p95 | write took |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for phase in ("no write (baseline)", "cli ingest", "app upload"):
        rows = [r for r in records if r["phase"] == phase]
        if not rows:
            continue
        seconds = [r["seconds"] for r in rows if r["ok"]]
        failed = sum(not r["ok"] for r in rows)
        p50 = np.percentile(seconds, 50) if seconds else float("nan")
        p95 = np.percentile(seconds, 95) if seconds else float("nan")
        took = times.get(phase)
        took_s = f"{took[1] - took[0]:.1f} s" if took else "-"
        lines.append(f"| {phase} | {len(rows)} | {failed} | {p50:.2f} s | {p95:.2f} s | {took_s} |")
    for name, new in (("cli ingest", set(CLI_NEW)), ("app upload", {UPLOAD_NEW})):
        if name not in times:
            continue
        after = [
            r for r in records if r["ok"] and r["question"] == PROBE and r["start"] > times[name][1]
        ]
        citing = sum(bool(new & set(r["keys"])) for r in after)
        first_cites = bool(after) and bool(new & set(min(after, key=lambda r: r["start"])["keys"]))
        lines.append(
            f"\nAfter the {name} ended: {citing} of {len(after)} answers to the probe question "
            f"cite the new documents; the first one {'does' if first_cites else 'does not'}."
        )
    lines.append(
        f"\nCLI ingest exit code while `serve` ran: {exit_codes.get('cli ingest', 'not run')}. "
        f"Errors: {sorted({r.get('error', '') for r in records if not r['ok']}) or 'none'}."
    )
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        replace_section("Load: questions during re-indexing", body)
    failed = sum(not r["ok"] for r in records)
    return 0 if failed == 0 and exit_codes.get("cli ingest") == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
