"""The engine's figures from two source trees on one index, in one run: before/after a change.

Usage: .venv/bin/python benchmarks/before_after.py --before DIR --index INDEX [--write TITLE]

DIR is another checkout of the project (``git archive <sha> | tar -x -C DIR``); this tree is
"after". Each tree runs in its own process over its own copy of INDEX (an e5 index of
../shared/corpus/real), with the default Settings, on the dev questions, tests/data/questions-
extra.jsonl and tests/data/questions-heldout.jsonl. With ``--write TITLE`` the table goes to
docs/benchmarks.md under "## TITLE".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SUBMISSIONS_SHARED") or ROOT.parent / "shared")
METRICS = ("recall@10", "mrr", "citation_precision", "citation_recall", "refusal_accuracy",
           "wrongly_refused")  # fmt: skip

_WORKER = """
import json, sys
from pathlib import Path
root, index, dev = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, str(root))
try:
    from assistant.evaluation.runner import by_kind, load_questions, run_engine
except ImportError:
    from assistant.evaluation import by_kind, load_questions, run_engine
from assistant.engine import Engine
from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
engine = Engine(PassageStore(index, load_embedder("e5")))
engine.ask("warm up the embedder")
sets = {"dev": dev, "extra": root / "tests/data/questions-extra.jsonl",
        "second set": root / "tests/data/questions-heldout.jsonl"}
print(json.dumps({name: by_kind(run_engine(engine, load_questions(path)))["overall"]
                  for name, path in sets.items()}))
"""


def run(tree: Path, index: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "index"
        shutil.copytree(index, copy)
        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
        env["PYTHONPATH"] = str(tree)
        dev = str(SHARED / "corpus" / "dev-questions.jsonl")
        out = subprocess.run(
            [sys.executable, "-c", _WORKER, str(tree), str(copy), dev],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=tmp,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def cell(value: object) -> str:
    return "–" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--write", metavar="TITLE", default="")
    args = parser.parse_args()
    results = {"before": run(args.before, args.index), "after": run(ROOT, args.index)}
    lines = [
        "| tree | set | n | " + " | ".join(METRICS) + " |",
        "|---|---|---" + "|---" * len(METRICS) + "|",
    ]
    for tree, sets in results.items():
        for name, metrics in sets.items():
            cells = " | ".join(cell(metrics.get(m)) for m in METRICS)
            lines.append(f"| {tree} | {name} | {metrics['questions']} | {cells} |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        sys.path.insert(0, str(ROOT))
        from benchmarks._sections import replace_section

        command = (
            "`.venv/bin/python benchmarks/before_after.py --before DIR --index INDEX "
            f"--write '{args.write}'`"
        )
        replace_section(args.write, f"Run: {command}, default Settings, e5, k = 10.\n\n{table}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
