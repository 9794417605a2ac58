"""The one text analyser (ingest/analysis.py) and the formatters of locators and names."""

from __future__ import annotations

from assistant.formatting import format_locator, format_submitter
from ingest.analysis import (
    fold,
    fold_map,
    is_content,
    stem,
    stop_words,
    terms,
    words,
)
from vectorstore.lexical import analyse, query_terms


def test_fold_lowercases_strips_accents_and_plain_quotes() -> None:
    assert fold("Procédure « Pénale » l’État") == "procedure « penale » l'etat"
    assert words("L’article R434-16 du Código") == ["l", "article", "r434", "16", "du", "codigo"]


def test_fold_map_points_back_into_the_original() -> None:
    text = "ﬁn de l’État"
    folded, offsets = fold_map(text)
    start = folded.index("etat")
    assert text[offsets[start] :].startswith("État")
    assert folded.startswith("fin")  # the ligature is two characters, both from offset 0
    assert offsets[:2] == [0, 0]


def test_stop_words_are_bm25s_lists_per_language() -> None:
    assert {"the", "of"} <= stop_words("en")
    assert {"les", "etre"} & stop_words("fr")
    assert {"los", "que"} <= stop_words("es")
    assert stop_words("de") == stop_words("en")  # unknown languages fall back to English


def test_stems_see_accents_then_are_folded() -> None:
    assert stem("Sécurité", "fr") == stem("sécurité", "fr")
    assert stem("policías", "es") == fold(stem("policías", "es"))
    assert not is_content("the", "en")
    assert not is_content("a", "en")
    assert is_content("7", "en")  # a single digit is a number, kept
    assert is_content("firearms", "en", frozenset({"describe"}))
    assert not is_content("describe", "en", frozenset({"describe"}))


def test_the_lexical_index_and_the_scorers_analyse_alike() -> None:
    text = "Les policiers utilisent leurs armes à feu en cas de légitime défense."
    assert analyse(text, "fr") == terms(text, "fr")
    assert all(t in query_terms("armes feu légitime défense") for t in terms("armes à feu", "fr"))


def test_a_locator_is_written_one_way() -> None:
    assert format_locator("para. 14", ["7"]) == "para. 14, fn. 7"
    assert format_locator("para. 14", ["7", "8"]) == "para. 14, fns. 7, 8"
    assert format_locator("para. 12", page=4) == "p. 4, para. 12"
    assert format_locator("", ["2"], fallback="Introduction") == "Introduction, fn. 2"
    assert format_locator("para. 4", ["2"], sep=" · ") == "para. 4 · fn. 2"
    assert format_locator("") == ""


def test_a_submitter_is_named_one_way() -> None:
    assert format_submitter("France", "State", "France") == "France (State)"
    ngo = ("Campaign Zero", "NGO/civil society", "United States")
    assert format_submitter(*ngo) == "Campaign Zero (NGO, United States)"
    assert (
        format_submitter(*ngo, full_type=True) == "Campaign Zero (NGO/civil society, United States)"
    )
    assert format_submitter("Anon") == "Anon"
