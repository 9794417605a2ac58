"""The refusal's question-level judgement with and without each refusal feature (issue 8).

Usage: PYTHONPATH=. .venv/bin/python benchmarks/refusal.py [--index DIR] [--embedder e5]
       [--no-write]

For 4, 5, 6 and 8 folds of questions, benchmarks/tune.py's models are refitted on the other
folds (the shipped passage features; the refusal features as shipped, without one of them, or
with one that tune.py dropped), and the held-out questions scored. Reported: the out-of-fold
AUC of P(answerable) (how well it ranks answerable above no-answer questions, whatever the
threshold), the refusal of no-answer questions at the pooled point where 5 % of answerable
ones are refused, and the refusal with the threshold fitted inside each training fold, as
shipped. With 39 no-answer questions a
fitted threshold moves by a question or two between fold counts, so read the AUC first.

Writes "## Refusal features (issue 8)" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))


def _sibling(name: str):
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


tune = _sibling("tune")

SETS = "dev,extra,heldout,who,noanswer,factual"
FOLDS = (4, 5, 6, 8)


def figures(items, passage: tuple[str, ...], question: tuple[str, ...], k: int) -> dict:
    out = tune.crossval(items, passage, question, k)
    y = np.array([it.question.answerable for it in items], dtype=float)
    a = np.array(out.answer)
    yes = np.sort(a[y == 1])
    pooled = yes[int(0.05 * len(yes))]
    m = tune.metrics(items, out)
    return {
        "auc": tune.auc(y, a),
        "pooled": float((a[y == 0] < pooled).mean()),
        "refusal": m["refusal"],
        "wrongly": m["wrongly_refused"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=Path("/tmp/relevance/real-e5"))
    parser.add_argument("--embedder", default="e5")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    from assistant.answering.relevance import MODEL_FILE

    bundled = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["embedders"][args.embedder]
    passage = tuple(bundled["passage"]["features"])
    engine, judge = tune.open_judge(args.index, args.embedder)
    items = tune.build_items(engine, judge, tune.load_sets(SETS.split(",")))
    shipped = tuple(bundled["question"]["features"])
    variants = [("as shipped", shipped)]
    variants += [(f"without {n}", tuple(m for m in shipped if m != n)) for n in shipped[1:]]
    variants += [(f"with {n}", (*shipped, n)) for n in tune.QUESTION_SET if n not in shipped]
    lines = [
        f"Command: `PYTHONPATH=. .venv/bin/python benchmarks/refusal.py --embedder "
        f"{args.embedder}` ({time.strftime('%Y-%m-%d')}; {len(items)} labelled questions, "
        f"{sum(not it.question.answerable for it in items)} of them no-answer; the passage "
        f"features of the bundled {args.embedder} model). Out-of-sample: every model and "
        "threshold is fitted on the other folds. Per cell: AUC of P(answerable) / refusal at "
        "a pooled 5 % of answerable questions refused / refusal with the fitted threshold "
        "(answerable refused).",
        "",
        "| refusal features | " + " | ".join(f"{k} folds" for k in FOLDS) + " |",
        "|---|" + "---|" * len(FOLDS),
    ]
    for label, names in variants:
        cells = []
        for k in FOLDS:
            f = figures(items, passage, names, k)
            cells.append(
                f"{f['auc']:.3f} / {f['pooled']:.2f} / {f['refusal']:.2f} ({f['wrongly']:.2f})"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    lines += [
        "",
        "Features: `top` the log-odds of the best passage in scope; `unseen` the share of the "
        "question's words found nowhere in the index; `unseen_names` its names and years found "
        'nowhere; `quantity_missing` a question asking for a quantity ("How many …", '
        '"Combien …", "¿Cuántos …") whose quoted passages state none about what it counts '
        "(assistant/answering/quantities.py). The rules telling a quantity from an article "
        "number, a date or a list marker were written while reading these questions' passages: "
        "the feature's weight is fitted out-of-sample, its rules are not.",
    ]
    if not args.no_write:
        _sibling("_sections").replace_section("Refusal features (issue 8)", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
