"""Refusal: decide whether the retrieved passages answer the question at all.

A top-1 score alone does not separate answerable from unanswerable questions (measured in
docs/benchmarks.md), so several signals are combined:

- ``cosine``: the best exact cosine between the question and a passage, put on the scale of the
  embedder that made the index (``Settings.refusal.cosine_scale``);
- ``coverage``: the share of the question's content words found in the top passages
  (stems in en/fr/es, so shared stems count across languages);
- ``agreement``: whether the dense and the lexical retrievers put the same passage near the top;
- ``missing``: the question's names and numbers (``Query.names``: capitalised words, acronyms,
  years) found in no retrieved passage and no submission's metadata: "Brazilian", "UK", "2023".

The evidence score is a weighted sum, compared with a threshold; the weights, the penalty, the
threshold and the scales are ``Settings.refusal`` (fitted values load from
``assistant/data/fitted.json`` when present). The question is read from its ``Query``: its
content words, language and names are analysed once, in ``assistant/query/``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.config import RefusalSettings
from assistant.query.names import aliases_of, country_of
from assistant.query.question import Query
from assistant.query.terms import text_stems
from assistant.retrieval.fusion import Scored
from assistant.retrieval.retriever import Retrieval
from ingest.analysis import fold
from ingest.types import Submission


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


def missing_names(names: Sequence[str], retrieval: Retrieval) -> tuple[str, ...]:
    """Return the ``names`` (of a question) found in no candidate passage nor any metadata."""
    haystack_parts = [fold(s.passage.text) for s in retrieval.pool]
    for sub in retrieval.submitters.values():
        haystack_parts.append(fold(_metadata_text(sub)))
    haystack = " ".join(haystack_parts)
    missing = []
    for name in names:
        key = fold(name)
        country = country_of(key)
        candidates = {key, *aliases_of(country)} if country else {key}
        if any(re.search(rf"(?<!\w){re.escape(c)}", haystack) for c in candidates if c):
            continue
        missing.append(name)
    return tuple(missing)


def assess(
    query: Query,
    retrieval: Retrieval,
    *,
    settings: RefusalSettings | None = None,
    embedder: str = "e5",
) -> Evidence:
    """Return the evidence for ``query`` in ``retrieval`` and whether to answer.

    ``embedder`` names the embedder of the index ("e5", "fast", ...): it picks the cosine scale.
    """
    settings = settings or RefusalSettings()
    ranked = retrieval.ranked
    if not ranked:
        return Evidence(0.0, 0.0, 0.0, (), 0.0, False)
    cosine = max(s.cosine for s in ranked)
    terms = query.terms
    top = ranked[: settings.top_passages]
    met = [False] * len(terms.words)
    for s in top:
        language = s.passage.language or "en"
        stems = text_stems(s.passage.text, language)
        sub = retrieval.submitters.get(s.passage.submission_key)
        if sub is not None:  # "Malaysia's IPCMC Bill" is met by the cited Bill's own metadata
            stems |= text_stems(_identifiers(sub), "en")
        covered = terms.covered(stems, language, bridges=False)
        met = [a or b for a, b in zip(met, covered, strict=True)]
    coverage = sum(met) / len(met) if met else 0.0
    agreement = _agreement(retrieval, settings.top_passages)
    missing = missing_names(query.names, retrieval)
    same = same_language_share(query.language, top)
    floor, span = settings.cosine_scale(embedder)
    cos_part = min(max((cosine - floor) / span, 0.0), 1.0)
    # Word overlap and name checks only mean something when question and passages share a
    # language; across languages the (cross-lingual) cosine carries their weight.
    w_cov = settings.coverage_weight * same
    w_cos = settings.cosine_weight + settings.coverage_weight * (1 - same)
    score = (
        w_cos * cos_part
        + w_cov * coverage
        + settings.agreement_weight * agreement
        - settings.missing_penalty * len(missing) * same
    )
    return Evidence(cosine, coverage, agreement, missing, score, score >= settings.threshold)


def same_language_share(language: str, top: list[Scored]) -> float:
    """Return the share of ``top`` passages written in ``language`` (the question's)."""
    if not top:
        return 1.0
    return sum((s.passage.language or "en") == language for s in top) / len(top)


def _agreement(retrieval: Retrieval, top: int) -> float:
    """Return 1.0 when a top-5 dense passage is also top-5 lexical, else 0.5 for the same file."""
    pool = retrieval.pool
    dense = {s.passage.id for s in pool if 0 < s.dense_rank <= top}
    lexical = {s.passage.id for s in pool if 0 < s.lexical_rank <= top}
    if dense & lexical:
        return 1.0
    dense_keys = {s.passage.submission_key for s in pool if s.passage.id in dense}
    lexical_keys = {s.passage.submission_key for s in pool if s.passage.id in lexical}
    return 0.5 if dense_keys & lexical_keys else 0.0
