"""Theme scoring: the probability that a passage addresses each theme of the call.

:class:`SeedScorer` needs no new embedding of passages: it compares the stored passage vectors
with the theme's seed phrases (embedded once, as queries, and cached in the registry) and counts
the theme's distinctive seed words and cue words in the passage. The probability is a logistic
function of five features (FEATURES) whose weights live in ``assistant/data/themes.json``, fitted
by ``benchmarks/fit_themes.py`` on labelled cells with leave-one-submission-out CV (the setting
``theme_weights`` overrides them). Any other judgement can stand in if it follows
:class:`ThemeScorer`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

import numpy as np

from assistant.themes.profile import CallProfile
from ingest.analysis import terms as content_terms
from ingest.types import Passage

FEATURES = ("cosine", "relative", "lexical", "lexical_relative", "cues", "bias")


def _fitted() -> dict[str, tuple[float, ...]]:
    """Return the weights per embedder in assistant/data/themes.json (benchmarks/fit_themes.py).

    The settings field theme_weights overrides them; an embedder with no fitted weights gets
    e5's.
    """
    raw = (resources.files("assistant") / "data" / "themes.json").read_text(encoding="utf-8")
    weights = json.loads(raw)["weights"]
    return {name: tuple(float(w[f]) for f in FEATURES) for name, w in weights.items()}


FITTED_WEIGHTS = _fitted()
DEFAULT_WEIGHTS = FITTED_WEIGHTS["e5"]


def weights_for(embedder: str) -> tuple[float, ...]:
    """Return the fitted weights for an embedder ("e5", "fast", ...; e5's otherwise)."""
    return FITTED_WEIGHTS.get(embedder.split(":")[0], DEFAULT_WEIGHTS)


LEXICAL_CAP = 6.0
CUE_CAP = 4.0


class ThemeScorer(Protocol):
    """Scores passages against the themes of a profile (rows: passages, columns: themes)."""

    fingerprint: str

    def score(self, passages: Sequence[Passage], vectors: np.ndarray) -> np.ndarray: ...


class SeedVectors(Protocol):
    """What the scorer needs from the store: an embedder and a vector cache."""

    def embed_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class ThemeFeatures:
    """The features of every (passage, theme) pair: arrays of shape (passages, themes)."""

    cosine: np.ndarray
    relative: np.ndarray
    lexical: np.ndarray
    cues: np.ndarray

    @property
    def lexical_relative(self) -> np.ndarray:
        """Seed-word weight above the passage's mean over the themes: a passage that lists
        every theme (a call, a mandate) is about none of them in particular."""
        if self.lexical.size == 0:
            return self.lexical
        return self.lexical - self.lexical.mean(axis=1, keepdims=True)

    def stacked(self) -> np.ndarray:
        """Return (passages, themes, len(FEATURES)) with a constant bias column."""
        ones = np.ones_like(self.cosine)
        columns = [self.cosine, self.relative, self.lexical, self.lexical_relative, self.cues]
        return np.stack([*columns, ones], axis=-1)


def seed_stems(profile: CallProfile) -> list[dict[str, float]]:
    """Return per theme {stem: weight}; a stem shared by k themes' seeds weighs 1/k."""
    per_theme: list[set[str]] = []
    for theme in profile.themes:
        stems: set[str] = set()
        for lang, phrases in theme.seeds:
            for phrase in phrases:
                stems.update(content_terms(phrase, lang))
        per_theme.append(stems)
    spread: dict[str, int] = {}
    for stems in per_theme:
        for s in stems:
            spread[s] = spread.get(s, 0) + 1
    return [
        {s: 1.0 / spread[s] for s in stems if spread[s] < len(per_theme)} for stems in per_theme
    ]


def cue_stems(profile: CallProfile) -> list[list[tuple[str, ...]]]:
    """Return per theme its cue phrases as tuples of stems (a cue matches when all are found)."""
    out = []
    for theme in profile.themes:
        cues = {tuple(content_terms(c, lang)) for lang, words in theme.cues for c in words}
        out.append([c for c in cues if c])
    return out


def cue_count(found: set[str], cues: list[tuple[str, ...]]) -> float:
    """Return how many of the theme's cue phrases occur (capped)."""
    return min(CUE_CAP, float(sum(all(s in found for s in cue) for cue in cues)))


def lexical_weight(text: str, language: str, stems: dict[str, float]) -> float:
    """Return the summed weight of the theme's seed stems found in ``text`` (capped)."""
    found = set(content_terms(text, language or "en"))
    return min(LEXICAL_CAP, sum(w for s, w in stems.items() if s in found))


class SeedScorer:
    """Cosine to the theme's seed phrases, relative to the other themes, plus seed words."""

    def __init__(
        self,
        profile: CallProfile,
        seed_vectors: list[np.ndarray],
        *,
        weights: Sequence[float] = DEFAULT_WEIGHTS,
        embedder: str = "",
    ) -> None:
        self.profile = profile
        self.seed_vectors = seed_vectors  # one (seeds, dim) array per theme
        self.weights = np.asarray(weights, dtype=np.float64)
        self.stems = seed_stems(profile)
        self.cues = cue_stems(profile)
        tag = f"{profile.fingerprint()}|{embedder}|{','.join(map(str, weights))}"
        self.fingerprint = hashlib.sha256(tag.encode()).hexdigest()[:16]

    @classmethod
    def for_store(
        cls, store: SeedVectors, profile: CallProfile, weights: Sequence[float] = DEFAULT_WEIGHTS
    ) -> SeedScorer:
        """Embed the seed phrases with the store's embedder (cached in the registry)."""
        embedder_name = getattr(getattr(store, "embedder", None), "name", "")
        registry = getattr(store, "registry", None)
        vectors = []
        for theme in profile.themes:
            phrases = theme.phrases()
            vectors.append(
                np.vstack([_seed_vector(store, registry, embedder_name, p) for p in phrases])
            )
        return cls(profile, vectors, weights=weights, embedder=embedder_name)

    def features(self, passages: Sequence[Passage], vectors: np.ndarray) -> ThemeFeatures:
        """Return the features of every passage against every theme."""
        n, t = len(passages), len(self.seed_vectors)
        if n == 0:
            empty = np.zeros((0, t))
            return ThemeFeatures(empty, empty, empty, empty)
        cosine = np.column_stack([(vectors @ s.T).max(axis=1) for s in self.seed_vectors])
        relative = cosine - cosine.mean(axis=1, keepdims=True)
        lexical = np.zeros((n, t))
        cues = np.zeros((n, t))
        for i, p in enumerate(passages):
            found = set(content_terms(p.text, p.language or "en"))
            for j in range(t):
                stems = self.stems[j]
                lexical[i, j] = min(LEXICAL_CAP, sum(stems[s] for s in found & stems.keys()))
                cues[i, j] = cue_count(found, self.cues[j])
        return ThemeFeatures(cosine.astype(np.float64), relative.astype(np.float64), lexical, cues)

    def score(self, passages: Sequence[Passage], vectors: np.ndarray) -> np.ndarray:
        """Return the probabilities, shape (passages, themes)."""
        if len(passages) == 0:
            return np.zeros((0, len(self.seed_vectors)))
        return probabilities(self.features(passages, vectors).stacked(), self.weights)


def probabilities(stacked: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return the logistic of ``stacked @ weights``."""
    z = np.clip(stacked @ weights, -30, 30)
    return 1.0 / (1.0 + np.exp(-z))


def _seed_vector(store: SeedVectors, registry, embedder: str, phrase: str) -> np.ndarray:
    """Return a seed phrase's query vector, from the registry cache when it is there."""
    name = f"{embedder}|query"
    sha = hashlib.sha256(phrase.encode("utf-8")).hexdigest()
    if registry is not None and embedder:
        cached = registry.cached_vectors(name, [sha])
        if sha in cached:
            return cached[sha]
    vector = np.asarray(store.embed_query(phrase), dtype=np.float32)
    if registry is not None and embedder:
        registry.cache_vectors(name, [sha], vector[None, :])
    return vector


def logit(p: float) -> float:
    """Return log(p / (1 - p)), clipped away from 0 and 1."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))
