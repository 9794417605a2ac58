"""Hybrid retrieval: exact re-scoring, fusion, filters, diversity, languages; sentence spans."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.sentences import sentence_spans
from assistant.retrieval.diversity import diversify, reserve_new
from assistant.retrieval.fusion import Fusion, Scored, fuse
from assistant.retrieval.retriever import Retriever, search
from ingest.types import Passage
from vectorstore.types import Filters


def _passage(pid: str, key: str = "a.docx", text: str = "text") -> Passage:
    return Passage(pid, key, (), (), "", (), "en", 0, len(text), text, text)


def test_hybrid_scores_are_exact_cosines_from_the_stored_vectors(fast_index) -> None:
    retriever = Retriever(fast_index, per_submitter_cap=0)
    result = retriever.search("use of force by police officers", k=10)
    query = fast_index.embed_query("use of force by police officers")
    stored = fast_index.vectors([s.passage.id for s in result.ranked])
    assert np.allclose([s.cosine for s in result.ranked], stored @ query, atol=1e-5)
    assert all(s.lexical_rank or s.bm25 == 0 for s in result.ranked)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_a_country_filter_holds_in_every_mode(fast_index, mode: str) -> None:
    hits = search(
        fast_index, "police use of force", k=8, mode=mode, filters=Filters(country=("Peru",))
    )
    assert hits
    keys = {h.passage.submission_key for h in hits}
    assert all("Peru" in key for key in keys)


def test_a_type_filter_keeps_only_that_type(fast_index) -> None:
    hits = search(
        fast_index, "complaints", k=5, filters=Filters(submitter_type=("NGO/civil society",))
    )
    assert hits
    assert all(h.passage.submission_key.startswith("NGO_") for h in hits)


def test_bm25_mode_ranks_by_lexical_score(fast_index) -> None:
    hits = search(fast_index, "chokeholds carotid restraints", k=5, mode="bm25")
    assert hits
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_one_long_submitter_cannot_take_every_slot(fast_index) -> None:
    result = Retriever(fast_index, per_submitter_cap=1).search("police accountability", k=4)

    def who(s: Scored) -> str:
        return result.submitters[s.passage.submission_key].submitter_label

    available = {who(s) for s in result.pool}
    assert len(available) > 1
    top = [who(s) for s in result.ranked]
    assert len(set(top)) == min(4, len(available))
    assert top[: len(set(top))] == list(dict.fromkeys(top))


def test_an_unknown_mode_is_an_error(fast_index) -> None:
    with pytest.raises(ValueError, match="hybrid"):
        search(fast_index, "x", mode="magic")


def test_rrf_prefers_a_passage_both_retrievers_rank_high() -> None:
    both = Scored(_passage("both"), 0, cosine=0.8, bm25=5, dense_rank=2, lexical_rank=2)
    dense_only = Scored(_passage("dense"), 0, cosine=0.9, bm25=0, dense_rank=1, lexical_rank=0)
    ranked = fuse([dense_only, both], Fusion(method="rrf", lexical_weight=1.0))
    assert ranked[0].passage.id == "both"


def test_score_fusion_normalises_each_side() -> None:
    a = Scored(_passage("a"), 0, cosine=0.9, bm25=0.0)
    b = Scored(_passage("b"), 0, cosine=0.8, bm25=30.0)
    dense_heavy = fuse([a, b], Fusion(method="score", dense_weight=1.0, lexical_weight=0.5))
    assert dense_heavy[0].passage.id == "a"
    lexical_heavy = fuse([a, b], Fusion(method="score", dense_weight=0.5, lexical_weight=1.0))
    assert lexical_heavy[0].passage.id == "b"


def test_the_cap_backfills_when_few_submitters_match() -> None:
    ranked = [Scored(_passage(str(i)), 10 - i) for i in range(5)]
    out = diversify(ranked, k=4, cap=2, submitter_of=lambda p: "same")
    assert [s.passage.id for s in out[:4]] == ["0", "1", "2", "3"]


def test_reserved_slots_go_to_new_submitters() -> None:
    ranked = [Scored(_passage(str(i), "a.docx"), 10 - i) for i in range(6)]
    ranked.append(Scored(_passage("other", "b.docx"), 1))
    out = reserve_new(ranked, k=4, reserve=1, submitter_of=lambda p: p.submission_key)
    assert "other" in [s.passage.id for s in out[:4]]


def test_an_english_question_reaches_a_french_passage(e5_index) -> None:
    hits = search(e5_index, "When may police officers use their weapons?", k=10)
    assert any(h.passage.language == "fr" for h in hits)


def test_sentence_spans_are_exact_offsets() -> None:
    text = "Art. 5 applies. The U.S. report says so.\n\n(5) A member commits an offence; or both."
    spans = sentence_spans(text)
    pieces = [text[s:e] for s, e in spans]
    assert pieces == [
        "Art. 5 applies.",
        "The U.S. report says so.",
        "(5) A member commits an offence; or both.",
    ]
    assert all(text[s:e] == p for (s, e), p in zip(spans, pieces, strict=True))


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Part V — POWERS OF INVESTIGATION", "paragraph", 0.0),
        ("Part II — ESTABLISHMENT, FUNCTIONS AND POWERS OF COMMISSION", "paragraph", 0.0),
        ("https://example.org/a\n\nhttps://example.org/b", "footnote", 0.0),
        (
            "Part VII\n\n35. Supply of information\n\n36. Protection from liability",
            "paragraph",
            0.0,
        ),
        ("(a) warning;\n\n(b) fine;", "paragraph", 1.0),
        ("Officer | Rank", "table_row", 1.0),
        ("The Commission may summon any person to give evidence before it.", "paragraph", 1.0),
    ],
)
def test_substance_is_the_share_of_running_text(text: str, kind: str, expected: float) -> None:
    from dataclasses import replace

    from assistant.retrieval.fusion import substance

    assert substance(replace(_passage("p", text=text), kind=kind)) == pytest.approx(expected)


def test_a_bare_heading_ranks_below_running_text_with_the_same_signals() -> None:
    heading = Scored(_passage("h", text="Part V — POWERS OF INVESTIGATION"), 0, dense_rank=1)
    article = Scored(
        _passage("a", text="The Commission may summon any person to give evidence."),
        0,
        dense_rank=2,
    )
    assert [s.passage.id for s in fuse([heading, article], Fusion())] == ["a", "h"]
    off = Fusion(substance_floor=1.0)
    assert [s.passage.id for s in fuse([heading, article], off)] == ["h", "a"]
