"""The cross-language glossary: file format, matching by stems, and the retrieval channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import GlossaryError
from assistant.retrieval.glossary import LANGUAGES, Glossary, bundled
from assistant.retrieval.retriever import Retriever

SMALL = (
    "# a comment\n"
    "handcuff; restraints\tmenottes; menotter; entraves\tesposas; esposar\n"
    "use of force\tusage de la force; recours à la force\tuso de la fuerza\n"
)


@pytest.fixture
def small(tmp_path: Path) -> Glossary:
    path = tmp_path / "glossary.tsv"
    path.write_text(SMALL, encoding="utf-8")
    return Glossary.load(path)


def test_terms_match_by_stem_and_give_the_other_languages(small: Glossary) -> None:
    found = small.translate("When may officers handcuff someone?", "en")
    assert found == {"fr": "menottes menotter entraves", "es": "esposas esposar"}
    assert small.translate("Quand un gendarme peut-il menotter ?", "fr")["en"] == (
        "handcuff restraints"
    )


def test_a_phrase_matches_only_when_its_words_are_adjacent(small: Glossary) -> None:
    assert small.matches("rules on the use of force", "en")
    assert not small.matches("the force may use gas", "en")


def test_nothing_found_gives_no_translation(small: Glossary) -> None:
    assert small.translate("What is the budget of the commission?", "en") == {}


def test_a_malformed_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("# header\nhandcuff\tmenottes\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"bad\.tsv, line 2: expected 3"):
        Glossary.load(path)


def test_the_bundled_glossary_is_well_formed() -> None:
    glossary = bundled()
    assert len(glossary) >= 200
    for concept in glossary.concepts:
        assert all(concept.terms[lang] for lang in LANGUAGES), concept.line


def test_an_english_question_reaches_a_french_article_through_the_glossary(fast_index) -> None:
    # The fast embedder is English only, so the French code is reached by words alone.
    question = "When may police officers handcuff a person?"
    plain = Retriever(fast_index, per_submitter_cap=0, glossary=Glossary([]))
    bridged = Retriever(fast_index, per_submitter_cap=0, glossary=bundled())
    assert "menottes" in bridged.translations(question)["fr"]

    def handcuff_rank(retriever: Retriever) -> int:
        ranked = retriever.search(question, k=10).ranked
        found = [i for i, s in enumerate(ranked) if "menottes" in s.passage.text]
        return found[0] + 1 if found else 99

    result = bridged.search(question, k=10)
    first_french = next(s for s in result.pool if s.passage.language == "fr" and s.cross_rank == 1)
    assert "menottes" in first_french.passage.text  # the concept count beats "policier" x 5
    assert handcuff_rank(bridged) < handcuff_rank(plain)


def test_the_setting_picks_bundled_off_or_a_file(tmp_path: Path) -> None:
    from assistant.retrieval.glossary import load

    assert load("") is bundled()
    assert len(load("off")) == 0
    path = tmp_path / "mine.tsv"
    path.write_text(SMALL, encoding="utf-8")
    assert len(load(str(path))) == 2
    with pytest.raises(GlossaryError, match="SUBMISSIONS_GLOSSARY_FILE"):
        load(str(tmp_path / "missing.tsv"))


def test_a_bad_glossary_file_stops_the_cli_with_one_clear_line(
    fast_index, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.cli import main

    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")
    bad = tmp_path / "bad.tsv"
    bad.write_text("handcuff\tmenottes\n", encoding="utf-8")
    for setting, reason in ((bad, "line 1: expected 3"), (tmp_path / "none.tsv", "not found")):
        monkeypatch.setenv("SUBMISSIONS_GLOSSARY_FILE", str(setting))
        code = main(["ask", "When may police use force?", "--index", str(fast_index.index_dir)])
        err = capsys.readouterr().err
        assert code == 1
        assert err.startswith("error: ")
        assert reason in err
        assert "SUBMISSIONS_GLOSSARY_FILE" in err
        assert "Traceback" not in err
