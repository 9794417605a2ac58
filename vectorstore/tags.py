"""Theme tags of passages and staff corrections of coverage cells, in the registry file.

Two tables of their own (created on first use, so older indexes gain them without a schema
change): ``passage_themes`` holds the judged probability that a passage addresses a theme, keyed
by passage id and the sha of its text (a changed passage is untagged again); ``theme_corrections``
holds cells that staff corrected, keyed by submission and theme, which re-tagging never touches.
The assistant layer computes the scores; this module only stores and reads them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from vectorstore.registry import Registry

_TABLES = (
    "CREATE TABLE IF NOT EXISTS passage_themes ("
    " passage_id TEXT NOT NULL, theme TEXT NOT NULL, text_sha TEXT NOT NULL,"
    " score REAL NOT NULL, PRIMARY KEY (passage_id, theme)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS passage_themes_theme ON passage_themes (theme, score)",
    "CREATE TABLE IF NOT EXISTS theme_corrections ("
    " key TEXT NOT NULL, theme TEXT NOT NULL, data TEXT NOT NULL,"
    " PRIMARY KEY (key, theme)) WITHOUT ROWID",
)
TAGGED_WITH = "themes_tagged_with"  # meta: the profile + scorer fingerprint of the stored tags
TAG_THRESHOLD = 0.5  # a passage "addresses" a theme at this probability


@dataclass(frozen=True, slots=True)
class Correction:
    """A staff correction of one coverage cell: the passage count they set, and a note."""

    key: str
    theme: str
    passages: int
    note: str = ""
    by: str = ""
    at: float = 0.0


def ensure_tables(registry: Registry) -> None:
    """Create the tag and correction tables if they are missing."""
    with registry.transaction() as conn:
        for statement in _TABLES:
            conn.execute(statement)


class ThemeTags:
    """Read and write theme scores and corrections for one registry."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        ensure_tables(registry)

    # tagging bookkeeping ---------------------------------------------------------------------
    def tagged_with(self) -> str:
        """Return the fingerprint the stored tags were computed with ('' if never tagged)."""
        return self.registry.meta(TAGGED_WITH) or ""

    def untagged(self) -> list[str]:
        """Return the ids of passages with no score, or whose text changed since scoring."""
        rows = self.registry.query(
            "SELECT p.id FROM passages p LEFT JOIN (SELECT passage_id, min(text_sha) AS sha"
            " FROM passage_themes GROUP BY passage_id) t ON t.passage_id = p.id"
            " WHERE t.sha IS NULL OR t.sha != p.text_sha ORDER BY p.key, p.ordinal"
        )
        return [r[0] for r in rows]

    def put_scores(
        self, ids: Sequence[str], themes: Sequence[str], scores: Any, fingerprint: str
    ) -> None:
        """Store ``scores[i][j]`` (passage ``ids[i]``, theme ``themes[j]``); drop orphans."""
        shas = self.registry.text_shas(list(ids))
        rows = [
            (pid, theme, shas.get(pid, ""), round(float(scores[i][j]), 5))
            for i, pid in enumerate(ids)
            for j, theme in enumerate(themes)
        ]
        with self.registry.transaction() as conn:
            conn.executemany("DELETE FROM passage_themes WHERE passage_id = ?", [(i,) for i in ids])
            conn.executemany("INSERT INTO passage_themes VALUES (?,?,?,?)", rows)
            conn.execute(
                "DELETE FROM passage_themes WHERE passage_id NOT IN (SELECT id FROM passages)"
            )
            conn.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                (TAGGED_WITH, fingerprint),
            )

    def clear(self) -> None:
        """Forget every score (a change of call profile); corrections stay."""
        with self.registry.transaction() as conn:
            conn.execute("DELETE FROM passage_themes")
            conn.execute("DELETE FROM meta WHERE name = ?", (TAGGED_WITH,))

    # reads ----------------------------------------------------------------------------------
    def scores(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """Return {passage id: {theme: score}} for the passages of ``keys`` (all when None)."""
        sql = "SELECT t.passage_id, t.theme, t.score FROM passage_themes t"
        params: list[str] = []
        if keys is not None:
            keys = list(keys)
            sql += (
                " JOIN passages p ON p.id = t.passage_id"
                f" WHERE p.key IN ({','.join('?' * len(keys))})"
            )
            params = keys
        out: dict[str, dict[str, float]] = {}
        for pid, theme, score in self.registry.query(sql, params):
            out.setdefault(pid, {})[theme] = score
        return out

    def tags_of(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Return {passage id: themes it addresses (score >= TAG_THRESHOLD)}."""
        out: dict[str, list[str]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            rows = self.registry.query(
                "SELECT passage_id, theme FROM passage_themes WHERE score >= ? AND passage_id"
                f" IN ({','.join('?' * len(chunk))}) ORDER BY theme",
                [TAG_THRESHOLD, *chunk],
            )
            for pid, theme in rows:
                out[pid].append(theme)
        return {k: tuple(v) for k, v in out.items()}

    # corrections ----------------------------------------------------------------------------
    def corrections(self) -> dict[tuple[str, str], Correction]:
        """Return every staff correction by (submission key, theme)."""
        rows = self.registry.query("SELECT key, theme, data FROM theme_corrections")
        return {(k, t): Correction(key=k, theme=t, **json.loads(d)) for k, t, d in rows}

    def correct(
        self, key: str, theme: str, passages: int, note: str = "", by: str = ""
    ) -> Correction:
        """Record that staff set cell (key, theme) to ``passages`` (0 = not addressed)."""
        found = Correction(key, theme, max(0, int(passages)), note, by, time.time())
        data = {"passages": found.passages, "note": note, "by": by, "at": found.at}
        with self.registry.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO theme_corrections VALUES (?,?,?)",
                (key, theme, json.dumps(data, ensure_ascii=False)),
            )
        return found

    def uncorrect(self, key: str, theme: str) -> None:
        """Drop a staff correction (the cell shows the judged value again)."""
        with self.registry.transaction() as conn:
            conn.execute("DELETE FROM theme_corrections WHERE key = ? AND theme = ?", (key, theme))


def theme_condition(themes: Sequence[str]) -> tuple[str, list[Any]]:
    """Return an SQL condition over passages ``p`` keeping those tagged with any of ``themes``."""
    marks = ",".join("?" * len(themes))
    return (
        f"p.id IN (SELECT passage_id FROM passage_themes WHERE theme IN ({marks}) AND score >= ?)",
        [*themes, TAG_THRESHOLD],
    )
