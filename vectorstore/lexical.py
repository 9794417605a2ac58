"""The lexical (BM25) side: language-aware analysis into an SQLite FTS5 table.

Why FTS5 and not bm25s: bm25s cannot add documents to an index (xhluca/bm25s#5), so every
ingest would rebuild it; FTS5 adds and deletes rows in place (benchmarks/ingest.py measures both).

Each passage is analysed in its own language by :mod:`ingest.analysis` (the analyser every
query-time scorer uses too): lower-cased, split into words, stop words of that language
dropped, stemmed with that language's Snowball stemmer, accents folded. FTS5 stores
the analysed words (rowid = the passage's rowid in the registry). A query is analysed with every
language's stemmer and the variants are OR-ed, so an English question still meets a French or
Spanish stem where the two coincide ("police", "disciplin", "investig").
"""

from __future__ import annotations

from collections.abc import Sequence

from ingest.analysis import LANGUAGES, fold, raw_words, stem, stop_words
from ingest.analysis import analysed_words as analysed_words
from ingest.analysis import terms as analyse
from vectorstore.registry import Registry, filter_sql
from vectorstore.types import Filters

TABLE = "lexical"
_CREATE = f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(tokens, tokenize='unicode61 remove_diacritics 2')"  # noqa: E501

_MAX_QUERY_TERMS = 64
_SCORES_CHUNK = 500  # ids per scoring query; past one chunk, every match is scored once

__all__ = ["LexicalIndex", "analyse", "analysed_words", "fold", "match_expression", "query_terms"]


def query_terms(query: str) -> list[str]:
    """Return the OR-ed terms of a query: its words stemmed in every supported language."""
    words = raw_words(query)
    every_stop = frozenset().union(*(stop_words(lang) for lang in LANGUAGES))
    content = [w for w in words if fold(w) not in every_stop] or words
    found: dict[str, None] = {}
    for language in LANGUAGES:
        for word in content:
            term = stem(word, language)
            if term:
                found[term] = None
    return list(found)[:_MAX_QUERY_TERMS]


def match_expression(query: str) -> str:
    """Return an FTS5 MATCH expression (quoted terms joined by OR), or "" for no terms."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in query_terms(query))


class LexicalIndex:
    """The FTS5 table inside the registry database."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        with registry.transaction() as conn:
            conn.execute(_CREATE)

    def add(self, rows: Sequence[tuple[int, str, str]]) -> None:
        """Index (rowid, text, language) rows, replacing any previous row with the same rowid."""
        with self.registry.transaction() as conn:
            conn.executemany(f"DELETE FROM {TABLE} WHERE rowid = ?", [(r[0],) for r in rows])
            conn.executemany(
                f"INSERT INTO {TABLE} (rowid, tokens) VALUES (?, ?)",
                [(rowid, " ".join(analyse(text, lang))) for rowid, text, lang in rows],
            )

    def delete(self, rowids: Sequence[int]) -> None:
        """Remove rows."""
        with self.registry.transaction() as conn:
            conn.executemany(f"DELETE FROM {TABLE} WHERE rowid = ?", [(r,) for r in rowids])

    def clear(self) -> None:
        """Remove every row."""
        with self.registry.transaction() as conn:
            conn.execute(f"DELETE FROM {TABLE}")

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Return up to ``k`` (passage id, BM25 score) pairs, best first (higher is better)."""
        expression = match_expression(query)
        if not expression or k <= 0:
            return []
        condition, params = filter_sql(filters)
        if not params:
            found = self._search_unfiltered(expression, k)
            if found is not None:
                return found
        rows = self.registry.query(
            f"SELECT p.id, -bm25({TABLE}) AS score FROM {TABLE} "
            f"JOIN passages p ON p.rowid = {TABLE}.rowid JOIN submissions s ON s.key = p.key "
            f"WHERE {TABLE} MATCH ? AND {condition} ORDER BY bm25({TABLE}) LIMIT ?",
            [expression, *params, k],
        )
        return [(pid, float(score)) for pid, score in rows]

    def _search_unfiltered(self, expression: str, k: int) -> list[tuple[str, float]] | None:
        """The top ``k`` from the FTS5 table alone, then their ids: no join per matching row.

        On a large index a common word matches most rows, and joining each one to its passage
        and submission cost more than scoring it. None when a row has no complete passage
        (a write in progress): the caller then runs the joined query.
        """
        top = self.registry.query(
            f"SELECT rowid, -bm25({TABLE}) FROM {TABLE} WHERE {TABLE} MATCH ? "
            "ORDER BY rank LIMIT ?",
            [expression, k],
        )
        if not top:
            return []
        marks = ",".join("?" * len(top))
        ids = dict(
            self.registry.query(
                f"SELECT p.rowid, p.id FROM passages p JOIN submissions s ON s.key = p.key "
                f"WHERE p.rowid IN ({marks})",
                [rowid for rowid, _ in top],
            )
        )
        if len(ids) < len(top):
            return None
        return [(ids[rowid], float(score)) for rowid, score in top]

    def scores(self, query: str, ids: Sequence[str]) -> dict[str, float]:
        """Return the BM25 score of each id for ``query`` (0.0 when it does not match)."""
        result = dict.fromkeys(ids, 0.0)
        expression = match_expression(query)
        if not expression or not ids:
            return result
        if len(ids) > _SCORES_CHUNK:  # each chunk would score every match: score them once
            rows = self.registry.query(
                f"SELECT p.id, -bm25({TABLE}) FROM {TABLE} "
                f"JOIN passages p ON p.rowid = {TABLE}.rowid WHERE {TABLE} MATCH ?",
                [expression],
            )
            result.update((pid, float(score)) for pid, score in rows if pid in result)
            return result
        for start in range(0, len(ids), _SCORES_CHUNK):
            chunk = list(ids[start : start + _SCORES_CHUNK])
            rows = self.registry.query(
                f"SELECT p.id, -bm25({TABLE}) FROM {TABLE} "
                f"JOIN passages p ON p.rowid = {TABLE}.rowid "
                f"WHERE {TABLE} MATCH ? AND p.id IN ({','.join('?' * len(chunk))})",
                [expression, *chunk],
            )
            result.update((pid, float(score)) for pid, score in rows)
        return result
