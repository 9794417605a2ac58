"""The answering stages on their own: refusal features, sentence choice, grouping by submitter."""

from __future__ import annotations

import pytest

from assistant.answering.extractive import group_by_submitter, pick_sentences
from assistant.answering.refusal import (
    _agreement,
    assess,
    missing_names,
    same_language_share,
)
from assistant.config import AnswerSettings, RefusalSettings
from assistant.query import analyse
from assistant.query.names import names_in
from assistant.retrieval.fusion import Scored
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.retriever import Retrieval
from ingest.types import Passage, Submission

SUBS = {
    "fr.docx": Submission("fr.docx", "h1", "fr.docx", "Code", "France", "State", "France", "fr"),
    "cz.docx": Submission("cz.docx", "h2", "cz.docx", "Scorecard", "Campaign Zero",
                          "NGO/civil society", "United States", "en"),
    "ke.docx": Submission("ke.docx", "h3", "ke.docx", "IPOA Act", "IPOA", "State", "Kenya", "en"),
}  # fmt: skip


def passage(key: str, text: str, n: int = 0, language: str = "en", start: int = 0) -> Passage:
    return Passage(
        f"{key}-{n}", key, (), (), "", (), language, start, start + len(text), text, text
    )


def scored(p: Passage, cosine: float = 0.9, dense: int = 0, lexical: int = 0) -> Scored:
    return Scored(p, score=cosine, cosine=cosine, dense_rank=dense, lexical_rank=lexical)


def query(text: str):
    return analyse(text, submissions=SUBS.values(), glossary=Glossary([]))


# refusal features ---------------------------------------------------------------------------
def test_names_in_a_question_skip_its_first_word_and_question_words() -> None:
    names = names_in("What did Brazilian courts award in 2023, according to the UK IOPC?")
    assert names == ["Brazilian", "2023", "UK", "IOPC"]


def test_a_name_is_missing_unless_a_passage_or_the_metadata_holds_it() -> None:
    pool = [scored(passage("cz.docx", "Complaints in the United States are rarely upheld."))]
    retrieval = Retrieval(pool, pool, SUBS)
    assert missing_names(["UK"], retrieval) == ("UK",)
    # "American" names the United States: its passages hold it
    assert missing_names(query("What do American police report?").names, retrieval) == ()
    # metadata counts: the submitter's name
    assert missing_names(query("What does IPOA investigate?").names, retrieval) == ()


def test_agreement_is_one_for_a_shared_top_passage_and_half_for_a_shared_file() -> None:
    a, b = passage("cz.docx", "one", 0), passage("cz.docx", "two", 1)
    c = passage("fr.docx", "trois", 0, "fr")
    same = [scored(a, dense=1, lexical=1)]
    assert _agreement(Retrieval(same, same, SUBS), 5) == 1.0
    file = [scored(a, dense=1), scored(b, lexical=2)]
    assert _agreement(Retrieval(file, file, SUBS), 5) == 0.5
    apart = [scored(a, dense=1), scored(c, lexical=1)]
    assert _agreement(Retrieval(apart, apart, SUBS), 5) == 0.0


def test_same_language_share_counts_the_top_passages_in_the_question_language() -> None:
    top = [scored(passage("fr.docx", "x", 0, "fr")), scored(passage("cz.docx", "y"))]
    assert same_language_share("en", top) == 0.5
    assert same_language_share("en", []) == 1.0


def test_assess_uses_the_embedder_s_cosine_scale() -> None:
    text = "Officers may use firearms only when a life is in immediate danger."
    pool = [scored(passage("cz.docx", text), cosine=0.62, dense=1, lexical=1)]
    retrieval = Retrieval(pool, pool, SUBS)
    q = query("When may officers use firearms?")
    settings = RefusalSettings()
    on_fast = assess(q, retrieval, settings=settings, embedder="fast")
    on_e5 = assess(q, retrieval, settings=settings, embedder="e5")
    assert on_fast.coverage == on_e5.coverage == 1.0
    assert on_fast.score > on_e5.score  # 0.62 is close for fast, unrelated for e5
    assert on_fast.answered
    assert not assess(q, Retrieval([], [], SUBS), settings=settings).answered


def test_assess_follows_its_threshold() -> None:
    pool = [scored(passage("cz.docx", "Officers may use firearms."), cosine=0.9, dense=1)]
    retrieval = Retrieval(pool, pool, SUBS)
    q = query("When may officers use firearms?")
    evidence = assess(q, retrieval)
    assert evidence.answered
    strict = RefusalSettings(threshold=evidence.score + 0.01)
    assert not assess(q, retrieval, settings=strict).answered


# sentence choice ----------------------------------------------------------------------------
def test_the_sentence_holding_the_question_s_words_is_chosen_first() -> None:
    text = (
        "The annual report was published in March and covers the whole country. "
        "Officers may use firearms only to protect a life from immediate danger. "
        "See https://example.org/report.pdf for details."
    )
    p = passage("cz.docx", text, start=100)
    picks = pick_sentences(query("When may officers use firearms?"), [scored(p)])
    best = picks[0]
    assert text[best.start - 100 : best.end - 100].startswith("Officers may use firearms")
    assert all("https://" not in text[k.start - 100 : k.end - 100] for k in picks)  # links skipped


def test_a_higher_ranked_passage_wins_between_equal_sentences() -> None:
    sentence = "Officers may use firearms only to protect a life from immediate danger."
    first, second = passage("cz.docx", sentence, 0), passage("fr.docx", sentence, 1)
    picks = pick_sentences(
        query("When may officers use firearms?"), [scored(first), scored(second)]
    )
    assert [p.scored.passage.id for p in picks] == [first.id, second.id]


def test_short_fragments_score_lower_than_sentences() -> None:
    settings = AnswerSettings()
    short = passage("cz.docx", "Use of firearms", 0)
    long = passage(
        "cz.docx", "Officers may use firearms when a life is in danger, and then only.", 1
    )
    picks = pick_sentences(
        query("When may officers use firearms?"), [scored(short), scored(long)], settings=settings
    )
    assert picks[0].scored.passage.id == long.id


# grouping by submitter ----------------------------------------------------------------------
def test_sentences_are_grouped_one_bullet_per_submitter_in_rank_order() -> None:
    q = query("When may officers use firearms?")
    ranked = [
        scored(passage("fr.docx", "Les policiers peuvent utiliser leurs armes à feu.", 0, "fr")),
        scored(
            passage("cz.docx", "Officers may use firearms in self-defence and in no other case.", 0)
        ),
        scored(
            passage("cz.docx", "Officers may use firearms against a deadly threat.", 1, start=80)
        ),
        scored(passage("ke.docx", "Officers may use firearms to save a life.", 0)),
    ]
    bullets = group_by_submitter(pick_sentences(q, ranked), SUBS)
    assert [b.label for b in bullets] == [
        "France (State)",
        "Campaign Zero (NGO/civil society)",
        "IPOA (State)",
    ]
    assert len(bullets[1].picks) == 2  # two passages of one submitter: one bullet, two quotes


def test_a_submitter_gets_at_most_its_quota_and_only_close_seconds() -> None:
    q = query("When may officers use firearms?")
    ranked = [
        scored(
            passage("cz.docx", f"Officers may use firearms, rule {i}, in danger.", i, start=100 * i)
        )
        for i in range(5)
    ]
    picks = pick_sentences(q, ranked)
    assert len(group_by_submitter(picks, SUBS)[0].picks) == 3
    one = AnswerSettings(quotes_per_submitter=1)
    assert len(group_by_submitter(picks, SUBS, settings=one)[0].picks) == 1
    picky = AnswerSettings(second_quote_ratio=1.0)
    assert len(group_by_submitter(picks, SUBS, settings=picky)[0].picks) == 1


@pytest.mark.parametrize("limit", [1, 2])
def test_the_number_of_bullets_is_capped(limit: int) -> None:
    q = query("When may officers use firearms?")
    ranked = [scored(passage(key, "Officers may use firearms to save a life.")) for key in SUBS]
    assert len(group_by_submitter(pick_sentences(q, ranked), SUBS, max_bullets=limit)) == limit
