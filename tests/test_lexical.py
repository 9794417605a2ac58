"""The language-aware FTS5 side: analysis per language, cross-language query variants."""

from __future__ import annotations

from pathlib import Path

from vectorstore.lexical import LexicalIndex, analyse, fold, match_expression, query_terms
from vectorstore.registry import Registry


def test_french_text_is_stemmed_in_french_with_accents_folded() -> None:
    tokens = analyse("Les contrôles des véhicules de la gendarmerie.", "fr")
    assert "les" not in tokens
    assert "de" not in tokens
    assert "vehicul" in tokens
    assert "control" in tokens
    assert all(fold(t) == t for t in tokens)


def test_spanish_stop_words_are_dropped() -> None:
    tokens = analyse("El uso de la fuerza por parte de la Policía Nacional", "es")
    assert "el" not in tokens
    assert "la" not in tokens
    assert "fuerz" in tokens


def test_english_query_terms_include_the_french_and_spanish_stems() -> None:
    terms = query_terms("the use of force by the police")
    assert "the" not in terms
    assert "forc" in terms  # english stem
    assert "polic" in terms
    assert "forc" in analyse("l'usage de la force", "fr")


def test_query_of_only_stop_words_still_searches() -> None:
    assert query_terms("the") != []


def test_match_expression_quotes_terms() -> None:
    assert match_expression('say "hello"').startswith('"')
    assert match_expression("") == ""


def _index(tmp_path: Path) -> tuple[Registry, LexicalIndex]:
    registry = Registry(tmp_path / "registry.sqlite")
    lexical = LexicalIndex(registry)
    rows = [
        ("a", "en", "Officers stopped Black drivers in most vehicle stops."),
        ("b", "fr", "Les policiers font un usage de la force strictement nécessaire."),
        ("c", "es", "El uso de la fuerza debe ser proporcional."),
    ]
    with registry.transaction() as conn:
        for pid, language, _ in rows:
            conn.execute(
                "INSERT INTO submissions (key, content_hash, data, country) VALUES (?,?,?,?)",
                (pid, pid, "{}", {"en": "US", "fr": "FR", "es": "PE"}[language]),
            )
            conn.execute(
                "INSERT INTO passages (id, key, ordinal, language, text_sha, data) "
                "VALUES (?,?,0,?,?,'{}')",
                (pid, pid, language, pid),
            )
    rowids = dict(registry.query("SELECT id, rowid FROM passages"))
    lexical.add([(rowids[pid], text, lang) for pid, lang, text in rows])
    return registry, lexical


def test_search_ranks_matching_passages_with_positive_bm25_scores(tmp_path: Path) -> None:
    _, lexical = _index(tmp_path)
    hits = lexical.search("vehicle stops of drivers", 5)
    assert hits[0][0] == "a"
    assert all(score > 0 for _, score in hits)


def test_english_query_reaches_a_french_passage_through_a_shared_stem(tmp_path: Path) -> None:
    _, lexical = _index(tmp_path)
    ids = [pid for pid, _ in lexical.search("necessary force", 5)]
    assert "b" in ids


def test_filters_apply_to_the_lexical_side(tmp_path: Path) -> None:
    from vectorstore.types import Filters

    _, lexical = _index(tmp_path)
    hits = lexical.search("police force", 5, Filters(country=("FR",)))
    assert [pid for pid, _ in hits] == ["b"]


def test_scores_for_given_ids_are_zero_when_they_do_not_match(tmp_path: Path) -> None:
    _, lexical = _index(tmp_path)
    scores = lexical.scores("fuerza proporcional", ["a", "c"])
    assert scores["a"] == 0.0
    assert scores["c"] > 0


def test_deleted_rows_no_longer_match(tmp_path: Path) -> None:
    registry, lexical = _index(tmp_path)
    rowid = registry.query("SELECT rowid FROM passages WHERE id = 'c'")[0][0]
    lexical.delete([rowid])
    assert lexical.search("fuerza", 5) == []
