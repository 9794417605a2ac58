"""Fuzzing and hostile inputs: 500+ seeded mutations of the real corpus, and zip bombs.

    nice python benchmarks/fuzz.py [--cases 500] [--seed 7] [--corpus DIR] [--no-write]

1. Every mutation is read by ``prepare`` in a worker process (fresh every 50 cases) with a hang
   guard; each must be a clean read or an IngestError with a reason. A worker that dies or
   hangs counts as a failure of the case it was on.
2. All mutations are then ingested (fast embedder) into an index already holding the real
   corpus: nothing indexed may be lost and the index must stay consistent.
3. Zip bombs, each in a fresh process with its peak RSS: with today's caps, and the first with
   every cap lifted (the baseline the issue measured), beside a clean ingest of the source file.

Writes the "Fuzzing and hostile inputs" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import fuzzing  # noqa: E402
import zip_bombs  # noqa: E402
from _sections import replace_section  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "real"
HANG_S = 60
BOMB_GUARD_S = 600  # the bombs and big files are timed, not guarded: how long do they take?
SOURCE = "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
PER_WORKER = 50

_WORKER = r"""
import json, resource, signal, sys, time
from pathlib import Path
from ingest.errors import IngestError
from ingest.filecheck import Limits
from ingest.prepare import prepare
limits = Limits(**json.loads(sys.argv[1]))
guard = int(sys.argv[2])
def alarm(s, f):
    raise TimeoutError("hang")
def status(field):
    try:
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # resets VmHWM, the peak RSS, to the current RSS
    except OSError:
        pass
signal.signal(signal.SIGALRM, alarm)
for line in sys.stdin:
    path = Path(line.strip())
    reset_peak()
    before = status("VmRSS:")
    start = time.perf_counter()
    signal.alarm(guard)
    try:
        prepared = prepare(path, path.name, limits=limits)
        kind, detail = "read", str(len(prepared.passages))
    except IngestError as exc:
        kind, detail = "refused", exc.reason[:160]
    except TimeoutError:
        kind, detail = "hang", ""
    except BaseException as exc:
        kind, detail = "traceback", f"{type(exc).__name__}: {exc}"[:300]
    finally:
        signal.alarm(0)
    rss = status("VmHWM:")
    print(json.dumps({"kind": kind, "detail": detail, "s": time.perf_counter() - start,
                      "rss_mb": rss, "before_mb": before}), flush=True)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def run_cases(paths: list[Path], limits: dict[str, int], guard: int = HANG_S) -> list[dict]:
    """Prepare every path in worker processes; return one result per path."""
    results: list[dict] = []
    pending = list(paths)
    while pending:
        batch, pending = pending[:PER_WORKER], pending[PER_WORKER:]
        worker = subprocess.Popen(
            [sys.executable, "-c", _WORKER, json.dumps(limits), str(guard)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for i, path in enumerate(batch):
            worker.stdin.write(f"{path}\n")
            worker.stdin.flush()
            line = worker.stdout.readline()
            if not line:  # the worker died on this case
                results.append({"name": path.name, "kind": "crash", "detail": "worker died"})
                pending = batch[i + 1 :] + pending
                break
            results.append({"name": path.name, **json.loads(line)})
        worker.stdin.close()
        worker.wait(timeout=guard + 60)
    return results


def peak_rss(path: Path, limits: dict[str, int]) -> dict:
    """Prepare one file in a fresh process; return its outcome and peak RSS."""
    [result] = run_cases([path], limits, BOMB_GUARD_S)
    return result


def ingest_check(folder: Path, corpus: Path) -> dict:
    """Ingest the corpus, then every mutation; return counts and whether anything was lost."""
    from index_checks import problems

    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    with tempfile.TemporaryDirectory() as tmp:
        store = PassageStore(Path(tmp) / "index", load_embedder("fast"))
        assert sync(store, [corpus], workers=1).ok
        before = {s.key: s.passages for s in store.submissions()}
        started = time.perf_counter()
        report = sync(store, [folder], workers=1)
        seconds = time.perf_counter() - started
        after = {s.key: s.passages for s in store.submissions()}
        lost = [k for k, n in before.items() if after.get(k) != n]
        unexpected = [o.key for o in report.failed if "unexpected error" in o.detail]
        return {
            "counts": {k: v for k, v in report.counts().items() if v},
            "lost": lost,
            "unexpected": unexpected,
            "problems": problems(store),
            "seconds": seconds,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", type=Path, default=REAL)
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--bombs-only", action="store_true", help="only the zip bombs section")
    args = parser.parse_args()
    corpus = args.corpus if args.corpus.is_dir() else ROOT / "examples" / "submissions"
    sources = sorted(corpus.glob("*.docx"))
    defaults: dict[str, int] = {}
    if args.bombs_only:
        body = bombs_section()
        print(body)
        if not args.no_write:
            replace_section("Zip bombs and big files", body)
        return 0
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp) / "cases"
        folder.mkdir()
        started = time.perf_counter()
        for name, data in fuzzing.cases(sources, args.cases, args.seed):
            (folder / name).write_bytes(data)
        paths = sorted(folder.glob("*.docx"))
        results = run_cases(paths, defaults)
        fuzz_s = time.perf_counter() - started
        by_kind = Counter(r["kind"] for r in results)
        by_mutation = Counter((r["name"].split("_")[1], r["kind"]) for r in results)
        bad = [r for r in results if r["kind"] not in ("read", "refused")]
        slowest = max(results, key=lambda r: r.get("s", 0))
        ingest = ingest_check(folder, corpus)

    shown = corpus.relative_to(ROOT.parent) if corpus.is_relative_to(ROOT.parent) else corpus
    verdict = "Every case was a clean read or a per-file error."
    if bad:
        verdict = f"**{len(bad)} bad cases**: {bad[:5]}"
    lines = [
        f"`nice python benchmarks/fuzz.py --cases {args.cases} --seed {args.seed}` on "
        f"{len(sources)} files of `{shown}`; "
        f"{time.strftime('%Y-%m-%d')}, 2 shared cores.",
        "",
        f"**{args.cases} seeded mutations** (bit flips, truncation, XML edits of one part, "
        "swapped, duplicated, dropped and renamed zip entries, oversized parts), each read by "
        "`prepare` "
        f"with a {HANG_S} s hang guard: "
        + ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items()))
        + f"; slowest case {slowest.get('s', 0):.1f} s; {fuzz_s:.0f} s in all. "
        + verdict,
        "",
        "| mutation | read | refused | other |",
        "|---|---:|---:|---:|",
    ]
    for mutation in fuzzing.WEIGHTS:
        read = by_mutation[(mutation, "read")]
        refused = by_mutation[(mutation, "refused")]
        other = sum(
            n for (m, k), n in by_mutation.items() if m == mutation and k not in ("read", "refused")
        )
        lines.append(f"| {mutation} | {read} | {refused} | {other} |")
    lines += [
        "",
        f"Then all {args.cases} were ingested (fast) into an index already holding the corpus: "
        + ", ".join(f"{n} {k}" for k, n in ingest["counts"].items())
        + f" in {ingest['seconds']:.0f} s; submissions lost: {len(ingest['lost'])}; "
        f'"unexpected error" lines: {len(ingest["unexpected"])}; index problems: '
        f"{ingest['problems'] or 'none'}.",
        "",
        "Zip bombs and big files: see the next section (`--bombs-only`).",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        replace_section("Fuzzing and hostile inputs", body)
    return 0 if not bad and not ingest["lost"] and not ingest["problems"] else 1


def bombs_section() -> str:
    """Prepare each bomb and big file in a fresh process; return the section's Markdown."""
    defaults: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bombs-") as tmp:
        bombs = Path(tmp) / "bombs"
        bombs.mkdir()
        source = (
            ROOT
            / "examples"
            / "submissions"
            / "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx"
        )
        shutil.copy2(source, bombs / "clean.docx")
        rows = [("clean source file (baseline)", bombs / "clean.docx", defaults)]
        b100 = zip_bombs.bomb(source, bombs / "bomb100.docx", 100)
        b30 = zip_bombs.bomb(source, bombs / "bomb30.docx", 30)
        b10 = zip_bombs.bomb(source, bombs / "bomb10.docx", 10)
        big = zip_bombs.varied(source, bombs / "varied60.docx", 60, words=(300, 1200))
        dense = zip_bombs.varied(source, bombs / "varied4.docx", 4)
        b990 = zip_bombs.bomb(source, bombs / "bomb990.docx", 990)
        patched = zip_bombs.patch_declared_size(
            zip_bombs.bomb(source, bombs / "patched.docx", 100), "word/document.xml", 2**20
        )
        under = zip_bombs.patch_declared_size(
            zip_bombs.bomb(source, bombs / "under.docx", 100), "word/document.xml", 40 * 2**20
        )
        lifted = {"max_unpacked_mb": 10**6, "max_compression_ratio": 10**9}
        lifted |= {"max_paragraphs": 10**9, "max_passages": 10**9}
        rows += [
            ("10 MB bomb, caps lifted (baseline: what the old code let in)", b10, lifted),
            ("4 MB of varied text, not a bomb (under every cap)", dense, defaults),
            ("60 MB of varied text, not a bomb (passage cap)", big, defaults),
            ("30 MB bomb (107 KB packed)", b30, defaults),
            ("100 MB bomb (384 KB packed)", b100, defaults),
            ("100 MB bomb declaring 40 MB", under, defaults),
            ("100 MB bomb declaring 1 MB", patched, defaults),
            ("990 MB bomb", b990, defaults),
        ]
        measured = [(label, path.stat().st_size, peak_rss(path, lim)) for label, path, lim in rows]
    lines = [
        f"`nice python benchmarks/fuzz.py --bombs-only` ({time.strftime('%Y-%m-%d')}, 2 shared "
        f"cores). Each file is prepared in a fresh process with the default caps unless said; "
        "peak RSS is that process's high-water mark during the file (reset just before it, "
        "Linux VmHWM), beside its RSS before the file (parsing libraries load during the file, "
        "so the clean file's peak is their cost); a case is stopped after "
        f"{BOMB_GUARD_S} s.",
        "",
        "| file | size | outcome | seconds | RSS before | peak RSS |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for label, size, r in measured:
        if r["kind"] == "read":
            outcome = f"read ({r['detail']} passages)"
        else:
            outcome = f"{r['kind']}: {r['detail'][:90]}"
        seconds, rss, before = r.get("s", 0), r.get("rss_mb", 0), r.get("before_mb", 0)
        lines.append(
            f"| {label} | {size / 1024:.0f} KB | {outcome} | {seconds:.2f} | {before:.0f} MB | "
            f"{rss:.0f} MB |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
