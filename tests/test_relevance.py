"""The relevance judgement: features, calibration, the fitted model, and sentence spans."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from assistant.answering.quantities import quantity_missing
from assistant.answering.relevance import (
    FEATURES,
    Judge,
    Logistic,
    load_model,
    unseen_names,
)
from assistant.answering.sentences import CELL, quote_spans, sentence_spans
from assistant.config import RelevanceSettings, Settings
from assistant.errors import ConfigError
from assistant.retrieval.glossary import bundled


@pytest.fixture(scope="module")
def judge(fast_index) -> Judge:
    return Judge(fast_index, model=load_model("fast"), glossary=bundled())


def test_logistic_is_the_logistic_of_the_standardised_features() -> None:
    model = Logistic(("a", "b"), (1.0, 0.0), (2.0, 1.0), (2.0, -1.0), 0.5)
    p = model.probability({"a": np.array([3.0, 1.0]), "b": np.array([0.0, 2.0])})
    z = [0.5 + 2.0 * (3 - 1) / 2, 0.5 + 2.0 * 0 - 1.0 * 2]
    assert p == pytest.approx([1 / (1 + math.exp(-x)) for x in z])
    assert Logistic.from_json(model.to_json()) == model


def test_the_bundled_model_loads_for_each_embedder_with_thresholds_from_settings() -> None:
    relevance = Settings().relevance
    for name in ("e5", "fast", "endpoint"):
        model = load_model(name, relevance)
        assert set(model.passage.features) <= set(FEATURES)
        assert model.question is not None
        assert model.submission is not None
        who, answer, _sentence = relevance.thresholds(name)
        assert (model.who_threshold, model.answer_threshold) == (who, answer)
        assert 0 < model.who_threshold < 1
        assert 0 < model.answer_threshold < 1
        assert model.quoted_passages == relevance.quoted_passages(name) >= 1
        assert model.quoted_ratio == relevance.quoted_ratio(name)
        assert 0 <= model.quoted_ratio <= 1


def test_a_missing_model_file_is_a_config_error_that_says_what_to_do(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"tune\.py"):
        load_model("e5", RelevanceSettings(model_file=str(tmp_path / "absent.json")))


def test_relevance_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"relevance\.e5_who_threshold"):
        RelevanceSettings(e5_who_threshold=1.5)
    with pytest.raises(ConfigError, match="answer_method"):
        RelevanceSettings(answer_method="guess")
    with pytest.raises(ConfigError, match=r"relevance\.e5_quoted_passages"):
        RelevanceSettings(e5_quoted_passages=0)
    with pytest.raises(ConfigError, match=r"relevance\.fast_quoted_ratio"):
        RelevanceSettings(fast_quoted_ratio=1.2)


def test_an_answer_quotes_further_passages_only_near_the_best() -> None:
    from assistant.answering.judged import quoted_rows
    from assistant.answering.relevance import Model

    blank = Logistic(("cosine",), (0.0,), (1.0,), (1.0,), 0.0)
    model = Model(blank, None, None, 0.5, 0.5, 0.5, quoted_passages=4, quoted_ratio=0.3)
    knobs = (model.quoted_passages, model.quoted_ratio)
    probs = np.array([0.9, 0.5, 0.2, 0.28, 0.05, 0.6])
    rows = [0, 5, 1, 3, 2, 4]  # best first
    one = {0: "A", 5: "B", 1: "C", 3: "D", 2: "E", 4: "F"}.get
    assert quoted_rows(rows, probs, *knobs, one, 2) == [0, 5, 1, 3]  # 0.28 >= 0.27: N reached
    same = {0: "A", 5: "A", 1: "A", 3: "B", 2: "B", 4: "C"}.get
    assert quoted_rows(rows, probs, *knobs, same, 2) == [0, 5, 3]  # A's third skipped; 0.2 < 0.27
    assert quoted_rows([], probs, *knobs, one, 2) == []


def test_features_cover_every_passage_and_are_relative_to_the_corpus(judge) -> None:
    probe = judge.probe("When may police officers use firearms?")
    snap = judge.snapshot()
    columns = judge.features(probe)
    assert set(columns) == set(FEATURES)
    assert all(len(v) == snap.size for v in columns.values())
    assert columns["cosine_gap"].max() == pytest.approx(0.0)
    assert (columns["cosine_gap"] <= 1e-9).all()
    assert abs(float(columns["cosine_z"].mean())) < 1e-4
    assert ((columns["coverage"] >= 0) & (columns["coverage"] <= 1)).all()
    assert ((columns["substance"] >= 0) & (columns["substance"] <= 1)).all()
    # the passage closest in meaning also holds the question's words
    best = int(np.argmax(columns["cosine"]))
    assert columns["coverage"][best] > 0


def test_probabilities_rank_a_firearms_passage_above_an_unrelated_one(judge) -> None:
    probe = judge.probe("When may police officers use firearms?")
    probs = judge.corpus(probe)
    assert ((probs >= 0) & (probs <= 1)).all()
    snap = judge.snapshot()
    english = [i for i, p in enumerate(snap.passages) if p.language == "en"]
    top = snap.passages[max(english, key=lambda i: probs[i])]  # `fast` reads English only
    assert "firearm" in top.text.lower()
    same = judge.passages(probe, [top])
    assert same[0] == pytest.approx(probs[english].max())


def test_names_found_nowhere_count_against_answering(judge) -> None:
    snap = judge.snapshot()
    assert unseen_names("What did Zanzibar's police ombudsman report in 1887?", snap) == [
        "zanzibar",
        "1887",
    ]
    assert unseen_names("What does the French code say about handcuffs?", snap) == []
    probe = judge.probe("What did Zanzibar's police ombudsman report in 1887?")
    probs = judge.corpus(probe)
    keys = [p.submission_key for p in snap.passages]
    named = judge.question_features(probe, probs, keys)
    assert named["unseen_names"][0] == 2
    plain = judge.question_features(judge.probe("What did police report?"), probs, keys)
    assert plain["unseen_names"][0] == 0


def test_a_quantity_question_reads_the_passages_an_answer_would_quote(judge) -> None:
    snap = judge.snapshot()
    keys = [p.submission_key for p in snap.passages]
    rows = list(range(snap.size))
    probe = judge.probe("How many firearms did police officers fire in 1999?")
    probs = judge.corpus(probe)
    asked = judge.question_features(probe, probs, keys, rows)["quantity_missing"][0]
    best = np.argsort(-probs)[: judge.model.quoted_passages]
    quoted = [(snap.passages[i].text, snap.passages[i].language) for i in best]
    assert probe.counted is not None
    assert asked == quantity_missing(probe.terms, probe.counted, quoted)
    assert judge.probe("How many States require body cameras?").counted is None  # counts submitters
    plain = judge.probe("When may police officers use firearms?")
    assert judge.question_features(plain, probs, keys, rows)["quantity_missing"][0] == 0.0
    assert judge.question_features(probe, probs, keys)["quantity_missing"][0] == 0.0  # no rows


def test_the_quoted_sentence_is_the_one_that_holds_the_question_not_a_short_one(judge) -> None:
    # A short closing line once outscored the sentence that answers ("They must be received by
    # 12 May 2023." quoted for a question on oversight powers): length is no longer a feature.
    probe = judge.probe(
        "Which submissions give an oversight body the right to visit police stations?"
    )
    english = next(p for p in judge.snapshot().passages if p.language == "en")
    text = (
        "Accountability measures may include oversight, monitoring and the reporting of "
        "violations by law enforcement officials. Replies are due by 12 May."
    )
    passage = replace(english, text=text, char_end=english.char_start + len(text))
    spans = sentence_spans(text)
    assert len(spans) == 2
    for strength in (0.2, 0.9):
        scores = judge.sentences(probe, passage, spans, strength)
        assert text[slice(*spans[int(np.argmax(scores))])].startswith("Accountability")
    for embedder in ("e5", "fast"):
        assert "short" not in load_model(embedder).sentence.features


def test_quote_spans_never_cross_table_cells() -> None:
    text = f"Chairman of the board{CELL}Two members of the Commission{CELL}One representative."
    spans = quote_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Chairman of the board",
        "Two members of the Commission",
        "One representative.",
    ]
    assert all(CELL not in text[s:e] for s, e in spans)


def test_quote_spans_leave_out_the_heading_a_passage_repeats() -> None:
    text = (
        "Artículo 38. Órganos de investigación\n\n"
        "La Inspectoría General realiza investigaciones administrativo-disciplinarias."
    )
    heading = "Artículo 38. Órganos de investigación"
    quoted = [text[s:e] for s, e in quote_spans(text, ("Ley 30714", heading))]
    assert quoted == [
        "La Inspectoría General realiza investigaciones administrativo-disciplinarias."
    ]
    # a passage that is only its heading still has something to quote
    assert [heading[s:e] for s, e in quote_spans(heading, (heading,))]


def test_a_glossary_term_is_met_by_the_share_of_its_equivalent_held() -> None:
    from assistant.query.terms import question_terms
    from assistant.retrieval.glossary import bundled
    from ingest.analysis import terms

    found = question_terms("Does any submission mention body-worn cameras?", "en", bundled())
    whole = set(terms("El personal usa una cámara corporal durante la intervención.", "es"))
    part = set(terms("Acercarse corporalmente con roces a otra persona.", "es"))
    assert found.coverage(whole, "es") == 1.0
    # one word of "cámara corporal" meets each word of "body-worn camera" by half, not whole
    assert found.coverage(part, "es") == 0.5


def test_the_snapshot_knows_the_acronyms_each_text_uses_twice_or_more(judge) -> None:
    snap = judge.snapshot()
    keys = {p.submission_key for p in snap.passages}
    assert snap.acronyms, "the samples use acronyms"
    for token, users in snap.acronyms.items():
        assert token.isupper()
        assert len(token) >= 3
        for key in users:
            assert key in keys
            held = sum(p.text.count(token) for p in snap.passages if p.submission_key == key)
            assert held >= 2
