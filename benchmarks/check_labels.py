"""Check the labelled question sets under tests/data against the real corpus.

Every quote in a labelled set must be an exact substring of the canonical text that our
parser gives for the file it names (``read_docx(file).text``), and every file name must be
one of the corpus files. The script also checks ids, kinds, splits and groups, and prints
counts per file and split.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/check_labels.py [--corpus DIR]

Exit status 1 when anything is wrong; each problem is printed with the set, id and reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/ingest.py would shadow the ingest package: put the repository first instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from ingest.docx import read_docx  # noqa: E402

DATA = ROOT / "tests" / "data"
DEFAULT_CORPUS = next(
    (
        base / "shared" / "corpus" / "real"
        for base in (ROOT.parent, ROOT.parent.parent)
        if (base / "shared" / "corpus" / "real").is_dir()
    ),
    ROOT.parent / "shared" / "corpus" / "real",
)
SPLITS = {"tune", "test"}
GROUP_KEYS = {"submitter_type", "country", "language"}
SUBMITTER_TYPES = {
    "State",
    "NHRI",
    "NGO/civil society",
    "UN/intergovernmental",
    "academic",
    "individual",
    "other",
}
SETS = {
    "questions-who.jsonl": "which-submitters",
    "questions-noanswer.jsonl": "no-answer",
    "questions-factual.jsonl": None,
}
RELEVANCE = "relevance-labels.jsonl"


def load_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path.name}:{number}: not JSON ({exc})") from exc
    return rows


class Checker:
    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.texts: dict[str, str] = {}
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def text(self, file: str) -> str | None:
        if file not in self.texts:
            path = self.corpus / file
            if not path.is_file() or path.suffix.lower() != ".docx":
                return None
            self.texts[file] = read_docx(path).text
        return self.texts[file]

    def quote(self, where: str, file: str, quote: str) -> None:
        text = self.text(file)
        if text is None:
            self.problems.append(f"{where}: unknown file {file!r}")
        elif not isinstance(quote, str) or len(quote.strip()) < 8:
            self.problems.append(f"{where}: quote too short or not text: {quote!r}")
        elif quote not in text:
            self.problems.append(f"{where}: quote not in {file}: {quote[:90]!r}")
        elif text.count(quote) > 1:
            self.warnings.append(f"{where}: quote occurs {text.count(quote)} times in {file}")

    def question(self, name: str, row: dict, kind: str | None) -> None:
        qid = row.get("id", "?")
        where = f"{name} {qid}"
        if not str(row.get("question", "")).strip():
            self.problems.append(f"{where}: empty question")
        if kind and row.get("kind") != kind:
            self.problems.append(f"{where}: kind {row.get('kind')!r}, expected {kind!r}")
        if row.get("split") not in SPLITS:
            self.problems.append(f"{where}: split {row.get('split')!r} not in {sorted(SPLITS)}")
        group = row.get("group")
        if group is not None:
            if not isinstance(group, dict) or not group or set(group) - GROUP_KEYS:
                self.problems.append(f"{where}: bad group {group!r}")
            elif "submitter_type" in group and group["submitter_type"] not in SUBMITTER_TYPES:
                self.problems.append(f"{where}: unknown submitter_type {group['submitter_type']!r}")
        if kind == "which-submitters":
            files = [g.get("file") for g in row.get("gold", [])]
            if len(files) != len(set(files)):
                self.problems.append(f"{where}: a file appears twice in gold")
            for entry in row.get("gold", []):
                if not entry.get("quotes"):
                    self.problems.append(f"{where}: no quotes for {entry.get('file')}")
                for quote in entry.get("quotes", []):
                    self.quote(where, entry.get("file", ""), quote)
        elif kind == "no-answer":
            if row.get("gold") or row.get("sources"):
                self.problems.append(f"{where}: a no-answer question has gold")
            if not str(row.get("near", "")).strip():
                self.problems.append(f"{where}: no 'near' topic")
        else:
            if not row.get("sources"):
                self.problems.append(f"{where}: no sources")
            for source in row.get("sources", []):
                self.quote(where, source.get("file", ""), source.get("quote", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus folder not found: {args.corpus} (pass --corpus DIR)")
        return 1
    checker = Checker(args.corpus)
    seen_ids: Counter[str] = Counter()
    for name, kind in SETS.items():
        path = DATA / name
        if not path.exists():
            print(f"{name}: absent (skipped)")
            continue
        rows = load_jsonl(path)
        for row in rows:
            seen_ids[row.get("id", "?")] += 1
            checker.question(name, row, kind)
        splits = Counter(row.get("split") for row in rows)
        extra = ""
        if kind == "which-submitters":
            sizes = [len(row.get("gold", [])) for row in rows]
            grouped = sum(1 for row in rows if row.get("group"))
            extra = f", gold sizes {min(sizes)}-{max(sizes)}, {grouped} with a group"
        print(f"{name}: {len(rows)} questions ({dict(splits)}){extra}")
    relevance = DATA / RELEVANCE
    if relevance.exists():
        rows = load_jsonl(relevance)
        for number, row in enumerate(rows, 1):
            where = f"{RELEVANCE}:{number} {row.get('question_id', '?')}"
            checker.quote(where, row.get("file", ""), row.get("quote", ""))
        print(f"{RELEVANCE}: {len(rows)} labelled passages")
    for qid, count in seen_ids.items():
        if count > 1:
            checker.problems.append(f"id {qid!r} used {count} times")
    for warning in checker.warnings:
        print("warning", warning)
    for problem in checker.problems:
        print("PROBLEM", problem)
    print("ok" if not checker.problems else f"{len(checker.problems)} problem(s)")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
