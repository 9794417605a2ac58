"""Theme benchmark: writes the "## Themes: coverage agreement, tagging, coverage time" section.

    PYTHONPATH=$PWD python benchmarks/themes.py --e5-index /tmp/themes/real-e5 [--ingest-e5]

1. Agreement of the coverage matrix with tests/data/coverage-labels.jsonl (15 real submissions x
   T1-T7, read by hand): on the 0/2 cells (addressed <=> 2) and on all cells (addressed <=> >= 1),
   in-sample with the shipped weights and out-of-sample (leave one submission out, refitted on
   the 14 others), beside a cosine-only baseline (one fitted threshold on the best seed cosine).
2. Tagging share of ingest time with e5: a fresh ingest of the 15 real documents, then tagging
   (seed phrases embedded on the first run, stored passage vectors only).
3. ``coverage`` at 150 submissions (the scaled corpus of benchmarks/ingest.py, fast embedder):
   tagging all passages, building the matrix, and the CLI end to end; medians of 3.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _sibling(name: str):
    """Import benchmarks/<name>.py by path (a site-packages "benchmarks" may shadow ours)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        f"_bench_{name}", ROOT / "benchmarks" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


replace_section = _sibling("_sections").replace_section
_fit = _sibling("fit_themes")
agreement, fit, load_cells, predict = _fit.agreement, _fit.fit, _fit.load_cells, _fit.predict

REAL = ROOT.parent / "shared" / "corpus" / "real"
LABELS = ROOT / "tests" / "data" / "coverage-labels.jsonl"
TITLE = "Themes: coverage agreement, tagging share, coverage time"


def agreement_figures(index: Path) -> dict:
    from assistant.themes.profile import load_profile
    from assistant.themes.scorer import SeedScorer, weights_for
    from vectorstore.store import PassageStore

    store = PassageStore(index)
    scorer = SeedScorer.for_store(store, load_profile())
    cells = load_cells(store, scorer, LABELS)
    shipped = np.asarray(weights_for(store.embedder.name), dtype=np.float64)
    out = {"shipped_in_sample": agreement(cells, [predict(c, shipped) for c in cells])}
    files = sorted({c["file"] for c in cells})
    oos, base = [0] * len(cells), [0] * len(cells)
    for f in files:
        train = [c for c in cells if c["file"] != f]
        w = fit(train)
        threshold = _cosine_threshold(train)
        for i, c in enumerate(cells):
            if c["file"] == f:
                oos[i] = predict(c, w)
                base[i] = int((c["x"][:, 0] >= threshold).sum())
    out["out_of_sample"] = agreement(cells, oos)
    out["cosine_only_out_of_sample"] = agreement(cells, base)
    out["per_theme_out_of_sample"] = {
        t: agreement(
            [c for c in cells if c["theme"] == t],
            [n for c, n in zip(cells, oos, strict=True) if c["theme"] == t],
        )
        for t in sorted({c["theme"] for c in cells})
    }
    return out


def _cosine_threshold(cells: list[dict]) -> float:
    """Return the best-seed-cosine threshold that maximises 0/2 agreement on ``cells``."""
    best = max((c["x"][:, 0].max(), c) for c in cells)[0]
    grid = np.linspace(0.75, best, 200)
    strict = [c for c in cells if c["label"] != 1]

    def score(t: float) -> float:
        return float(np.mean([(c["label"] == 2) == (c["x"][:, 0].max() >= t) for c in strict]))

    return float(max(grid, key=score))


def tagging_share(work: Path, real: Path) -> dict:
    """Fresh e5 ingest of the 15 real documents, then tagging; return the times."""
    from assistant.config import Settings
    from assistant.themes.tagger import scorer_for, tag
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    index = work / "e5-fresh"
    store = PassageStore(index, load_embedder("e5"))
    started = time.perf_counter()
    sync(store, [real])
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    report = tag(store, scorer_for(store, Settings(index_dir=index)))
    tag_s = time.perf_counter() - started
    return {
        "passages": store.count(),
        "ingest_s": ingest_s,
        "tag_s": tag_s,
        "tagged": report.tagged,
    }


def coverage_at_150(work: Path, real: Path) -> dict:
    scaled = _sibling("ingest")
    scaled.REAL = real  # scale the real corpus (the module's default is beside /work/main)
    corpus = scaled.corpus

    from assistant.analyses.coverage import build_coverage
    from assistant.config import Settings
    from assistant.themes.profile import load_profile
    from assistant.themes.tagger import scorer_for, tag
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    folder = corpus(150)
    index = work / "fast-150"
    store = PassageStore(index, load_embedder("fast"))
    sync(store, [folder])
    profile = load_profile()
    scorer = scorer_for(store, Settings(index_dir=index, embedder="fast"), profile)
    tag(store, scorer)
    tag_times, build_times, cli_times = [], [], []
    for _ in range(3):
        started = time.perf_counter()
        tag(store, scorer, force=True)
        tag_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        coverage = build_coverage(store, profile)
        build_times.append(time.perf_counter() - started)
    env = {"SUBMISSIONS_EMBEDDER": "fast", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assistant", "coverage", "--index", str(index), "--json"],
            check=True,
            capture_output=True,
            env=env,
        )
        cli_times.append(time.perf_counter() - started)
    return {
        "submissions": len(coverage.rows),
        "passages": store.count(),
        "tag_all_s": statistics.median(tag_times),
        "build_s": statistics.median(build_times),
        "cli_s": statistics.median(cli_times),
    }


def _row(name: str, a: dict) -> str:
    strict = f"{a['agree_02']:.3f} ({a['cells_02']})"
    loose = f"{a['agree_all']:.3f} ({a['cells_all']})"
    return f"| {name} | {strict} | {loose} |"


def earlier_share() -> str:
    """Return the tagging-share paragraph of the current section (a run without --ingest-e5)."""
    doc = _sibling("_sections").DOC.read_text(encoding="utf-8")
    start = doc.find(f"## {TITLE}\n")
    found = doc.find("Tagging share of ingest time", start) if start != -1 else -1
    if found == -1:
        return ""
    line = doc[found : doc.find("\n", found)].removesuffix(" (not re-measured in this run)")
    return line + " (not re-measured in this run)"


def render(agree: dict, share: dict | None, scale: dict, command: str) -> str:
    lines = [
        f"Command: `{command}` (one run; e5 figures on the 15 real documents of "
        "../shared/corpus/real).",
        "",
        "Coverage agreement with tests/data/coverage-labels.jsonl (labelled by reading each "
        "document; a cell is addressed when at least one passage scores >= 0.5):",
        "",
        "| scorer | 0/2 cells: addressed <=> 2 | all cells: addressed <=> >= 1 |",
        "|---|---|---|",
        _row(
            "seed scorer, shipped weights (in-sample: fitted on all 15)", agree["shipped_in_sample"]
        ),
        _row("seed scorer, leave-one-submission-out (out-of-sample)", agree["out_of_sample"]),
        _row(
            "baseline: best seed cosine, one fitted threshold (out-of-sample)",
            agree["cosine_only_out_of_sample"],
        ),
        "",
        "Per theme, out-of-sample: "
        + "; ".join(
            f"{t} {a['agree_02']:.2f}/{a['agree_all']:.2f}"
            for t, a in agree["per_theme_out_of_sample"].items()
        )
        + " (0/2 cells / all cells).",
        "",
        "Features (assistant/themes/scorer.py): best cosine to the theme's seed phrases, that "
        "cosine above the passage's mean over the themes, the weight of the theme's seed words "
        "in the passage and that weight above its mean over the themes (a passage that lists "
        "every theme, as a call or a mandate does, is about none of them), and the theme's cue "
        "words; the weights are fitted by `benchmarks/fit_themes.py --write` into "
        "assistant/data/themes.json. Out-of-sample is for the weights only: the cue words of "
        "assistant/data/call.json were widened (general vocabulary of each theme in three "
        "languages, not copied from the labels) after reading the errors of the earlier "
        "scorer on all 15 documents, so that choice is in-sample; some of the added words "
        "occur in the labels' quotes (T1 guilty, convicted, conviction, charged, punishment, "
        "accountable, justice, investigate; T3 the plurals victimes/víctimas; T6 effective; "
        "T7 fail); refitted without them (measured once, not by this script) the "
        "leave-one-out figure on the 0/2 cells is 0.833, as it is without the relative "
        "seed-word feature.",
        "",
    ]
    if share:
        pct = 100 * share["tag_s"] / share["ingest_s"]
        lines += [
            "Tagging share of ingest time with e5: ingest of the 15 real documents "
            f"({share['passages']} passages, fresh index) {share['ingest_s']:.1f} s; tagging "
            f"them {share['tag_s']:.2f} s (seed phrases embedded once, then stored passage "
            f"vectors) = **{pct:.1f} %** of ingest time (target <= 20 %).",
            "",
        ]
    elif earlier_share():
        lines += [earlier_share(), ""]
    lines += [
        f"`coverage` at {scale['submissions']} submissions ({scale['passages']} passages, "
        "scaled corpus of benchmarks/ingest.py from the 15 real documents, fast embedder), "
        f"medians of 3: re-tagging every passage {scale['tag_all_s']:.2f} s; building "
        "the matrix (counts, strongest "
        f"quotes, locators) {scale['build_s']:.2f} s; `submissions coverage --json` end to "
        f"end (process start, imports, embedder load) {scale['cli_s']:.2f} s.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--e5-index", type=Path, required=True, help="an e5 index of the real corpus"
    )
    parser.add_argument(
        "--ingest-e5", action="store_true", help="measure the tagging share (fresh e5 ingest)"
    )
    parser.add_argument("--corpus", type=Path, default=REAL, help="the 15 real .docx")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        parser.error(f"{args.corpus} is absent: pass --corpus ../shared/corpus/real")
    work = Path(tempfile.mkdtemp(prefix="themes-bench-"))
    try:
        agree = agreement_figures(args.e5_index)
        share = tagging_share(work, args.corpus) if args.ingest_e5 else None
        scale = coverage_at_150(work, args.corpus)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    command = "PYTHONPATH=$PWD python benchmarks/themes.py --e5-index INDEX" + (
        " --ingest-e5" if args.ingest_e5 else ""
    )
    body = render(agree, share, scale, command)
    print(body)
    print(
        json.dumps({"agreement": agree, "share": share, "scale": scale}, indent=1), file=sys.stderr
    )
    replace_section(TITLE, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
