"""Tagging: score every passage against every theme, incrementally after each ingest.

Only passages with no stored score (new or changed text) are scored, from their stored vectors:
no passage is embedded again. A new call profile or new weights change the scorer's fingerprint,
and then every passage is re-scored (``submissions retag`` forces it). Staff corrections of
coverage cells live apart and are never touched here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import ConfigError
from assistant.themes.profile import CallProfile, load_profile
from assistant.themes.scorer import FEATURES, SeedScorer, ThemeScorer, weights_for
from vectorstore.tags import ThemeTags

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True, slots=True)
class TagReport:
    """What one tagging run did."""

    tagged: int
    total: int
    seconds: float
    full: bool  # True when every passage was re-scored (profile or weights changed)


def parse_weights(raw: str, embedder: str = "e5") -> tuple[float, ...]:
    """Return the theme_weights setting as floats (empty: the weights fitted for the embedder)."""
    if not raw.strip():
        return weights_for(embedder)
    try:
        values = tuple(float(x) for x in raw.split(","))
    except ValueError as exc:
        raise ConfigError(f"theme_weights {raw!r}: give {len(FEATURES)} numbers") from exc
    if len(values) != len(FEATURES):
        raise ConfigError(
            f"theme_weights {raw!r}: give {len(FEATURES)} comma-separated numbers "
            f"({', '.join(FEATURES)})"
        )
    return values


def scorer_for(store: Any, settings: Any, profile: CallProfile | None = None) -> ThemeScorer:
    """Return the theme scorer the settings choose, over ``store``'s embedder."""
    profile = profile or load_profile(getattr(settings, "call_file", ""))
    embedder = getattr(getattr(store, "embedder", None), "name", "e5")
    weights = parse_weights(getattr(settings, "theme_weights", ""), embedder)
    return SeedScorer.for_store(store, profile, weights=weights)


def tag(store: Any, scorer: ThemeScorer, *, force: bool = False) -> TagReport:
    """Score the passages that need it; every passage when ``force`` or the scorer changed."""
    started = time.perf_counter()
    refresh = getattr(store, "refresh", None)
    if refresh is not None:
        refresh()  # a rebuild may have switched the live generation
    tags = ThemeTags(store.registry)
    full = force or (tags.tagged_with() not in ("", scorer.fingerprint))
    if full:
        ids = [r[0] for r in store.registry.query("SELECT id FROM passages ORDER BY key, ordinal")]
    else:
        ids = tags.untagged()
    themes = [t.id for t in scorer.profile.themes]  # type: ignore[attr-defined]
    for start in range(0, len(ids), BATCH):
        _tag_batch(store, scorer, tags, ids[start : start + BATCH], themes)
    if full and not ids:
        tags.clear()
    report = TagReport(len(ids), store.count(), time.perf_counter() - started, full)
    if ids:
        logger.info("tagged %d passage(s) in %.2f s", len(ids), report.seconds)
    return report


def _tag_batch(
    store: Any, scorer: ThemeScorer, tags: ThemeTags, ids: Sequence[str], themes: list[str]
) -> None:
    found = store.get_passages(ids)
    ids = [p.id for p in found]
    if not ids:
        return
    scores = scorer.score(found, store.vectors(ids))
    tags.put_scores(ids, themes, scores, scorer.fingerprint)


def tag_after_sync(store: Any, settings: Any) -> TagReport | None:
    """Tag what an ingest added; a bad call file is logged, never fails the ingest."""
    if store.count() == 0:
        return None
    try:
        return tag(store, scorer_for(store, settings))
    except ConfigError as exc:
        logger.error("theme tags not updated: %s", exc)
        return None
