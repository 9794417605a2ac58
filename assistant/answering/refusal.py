"""Refusal: decide whether the retrieved passages answer the question at all.

A top-1 score alone does not separate answerable from unanswerable questions (measured in
docs/benchmarks.md), so several signals are combined:

- ``cosine``: the best exact cosine between the question and a passage (e5 scale);
- ``coverage``: the share of the question's content words found in the top passages
  (stems in en/fr/es, so shared stems count across languages);
- ``agreement``: whether the dense and the lexical retrievers put the same passage near the top;
- ``missing``: names and numbers of the question (capitalised words, acronyms, years) found in
  no retrieved passage and no submission's metadata: "Brazilian", "UK", "2023".

The evidence score is a weighted sum, compared with a threshold calibrated on the dev and extra
questions (benchmarks/eval.py reports accuracy and the share of answerable questions refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.query.followup import DEMONYMS
from assistant.query.terms import QuestionTerms
from assistant.retrieval.retriever import Retrieval
from assistant.text import content_terms, fold
from ingest.types import Submission

# Calibrated on dev-questions.jsonl + tests/data/questions-extra.jsonl (see docs/benchmarks.md).
# (floor, span) of the best cosine per embedder: e5 cosines sit in a narrow band (0.80 is
# "unrelated", 0.90 "close"); WordLlama's spread wider.
COSINE_SCALE = {"e5": (0.78, 0.06), "fast": (0.35, 0.35)}
WEIGHTS = {"cosine": 0.30, "coverage": 0.60, "agreement": 0.10}
MISSING_PENALTY = 0.25
THRESHOLD = 0.63
TOP_PASSAGES = 5

_NAME = re.compile(r"(?<![\w’'])([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*|\d{4})")
_GENERIC = {
    "what",
    "which",
    "who",
    "how",
    "when",
    "where",
    "why",
    "does",
    "do",
    "did",
    "is",
    "are",
    "according",
    "under",
    "in",
    "for",
    "and",
    "the",
    "compare",
    "list",
    "name",
    "give",
    "describe",
    "sur",
    "quels",
    "quelles",
    "que",
    "qué",
    "cuáles",
    "cómo",
    "quién",
    "le",
    "la",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """The refusal signals of one retrieval, its combined score and the verdict."""

    cosine: float
    coverage: float
    agreement: float
    missing: tuple[str, ...]
    score: float
    answered: bool

    def as_dict(self) -> dict[str, object]:
        """Return the signals as a JSON-ready dict."""
        return {
            "cosine": round(self.cosine, 4),
            "coverage": round(self.coverage, 4),
            "agreement": self.agreement,
            "missing": list(self.missing),
            "score": round(self.score, 4),
            "answered": self.answered,
        }


def names_in(question: str) -> list[str]:
    """Return the capitalised words, acronyms and years of ``question`` (not its first word)."""
    out = []
    for i, match in enumerate(_NAME.finditer(question)):
        for word in match.group(1).split():
            w = re.sub(r"[’']s$", "", word).strip(".’'-")
            if not w or fold(w) in _GENERIC:
                continue
            if i == 0 and match.start() == 0 and word == match.group(1).split()[0]:
                continue  # the question's first word is capitalised anyway
            out.append(w)
    return list(dict.fromkeys(out))


def _metadata_text(sub: Submission) -> str:
    """Return the words that name a submission: submitter, country, title, file name."""
    meta = f"{sub.submitter} {sub.country} {sub.title} {sub.file}"
    return meta.replace("_", " ").replace("-", " ")


def _identifiers(sub: Submission) -> str:
    """Return the words that single a submission out: acronyms, years, country, submitter.

    Only these count toward a question's coverage, not every title word: the title of one
    commission's Bill must not make a question about another country's commission look met.
    """
    meta = _metadata_text(sub)
    marks = re.findall(r"\b(?:[A-Z]{3,}|\d{4,})\b", meta)
    return " ".join([*marks, sub.country, sub.submitter])


def missing_names(question: str, retrieval: Retrieval) -> tuple[str, ...]:
    """Return the names of ``question`` that occur in no candidate passage nor any metadata."""
    haystack_parts = [fold(s.passage.text) for s in retrieval.pool]
    for sub in retrieval.submitters.values():
        haystack_parts.append(fold(_metadata_text(sub)))
    haystack = " ".join(haystack_parts)
    missing = []
    for name in names_in(question):
        key = fold(name)
        country = DEMONYMS.get(key)
        candidates = {key, fold(country)} if country else {key}
        if any(re.search(rf"(?<!\w){re.escape(c)}", haystack) for c in candidates if c):
            continue
        missing.append(name)
    return tuple(missing)


def assess(
    question: str,
    retrieval: Retrieval,
    *,
    threshold: float = THRESHOLD,
    embedder: str = "e5",
) -> Evidence:
    """Return the evidence for ``question`` in ``retrieval`` and whether to answer."""
    ranked = retrieval.ranked
    if not ranked:
        return Evidence(0.0, 0.0, 0.0, (), 0.0, False)
    cosine = max(s.cosine for s in ranked)
    terms = QuestionTerms(question)
    top = ranked[:TOP_PASSAGES]
    met = [False] * len(terms.groups)
    for s in top:
        language = s.passage.language or "en"
        stems = set(content_terms(s.passage.text, language))
        sub = retrieval.submitters.get(s.passage.submission_key)
        if sub is not None:  # "Malaysia's IPCMC Bill" is met by the cited Bill's own metadata
            stems.update(content_terms(_identifiers(sub), "en"))
        met = [a or b for a, b in zip(met, terms.covered(stems, language), strict=True)]
    coverage = sum(met) / len(met) if met else 0.0
    agreement = _agreement(retrieval)
    missing = missing_names(question, retrieval)
    same = same_language_share(question, top)
    floor, span = COSINE_SCALE.get(embedder, COSINE_SCALE["e5"])
    cos_part = min(max((cosine - floor) / span, 0.0), 1.0)
    # Word overlap and name checks only mean something when question and passages share a
    # language; across languages the (cross-lingual) cosine carries their weight.
    w_cov = WEIGHTS["coverage"] * same
    w_cos = WEIGHTS["cosine"] + WEIGHTS["coverage"] * (1 - same)
    score = (
        w_cos * cos_part
        + w_cov * coverage
        + WEIGHTS["agreement"] * agreement
        - MISSING_PENALTY * len(missing) * same
    )
    return Evidence(cosine, coverage, agreement, missing, score, score >= threshold)


def same_language_share(question: str, top: list) -> float:
    """Return the share of ``top`` passages written in the question's language."""
    from ingest.metadata import detect_language

    if not top:
        return 1.0
    language = detect_language(question, default="en")
    return sum((s.passage.language or "en") == language for s in top) / len(top)


def _agreement(retrieval: Retrieval) -> float:
    """Return 1.0 when a top-5 dense passage is also top-5 lexical, else 0.5 for the same file."""
    pool = retrieval.pool
    dense = {s.passage.id for s in pool if 0 < s.dense_rank <= TOP_PASSAGES}
    lexical = {s.passage.id for s in pool if 0 < s.lexical_rank <= TOP_PASSAGES}
    if dense & lexical:
        return 1.0
    dense_keys = {s.passage.submission_key for s in pool if s.passage.id in dense}
    lexical_keys = {s.passage.submission_key for s in pool if s.passage.id in lexical}
    return 0.5 if dense_keys & lexical_keys else 0.0
