"""Compare: sides, the table from judging every passage, possible tension, CLI and chat routing.

Real parts: the `fast` index of the bundled samples (examples/submissions), the real engine and
CLI in-process. Quotes are checked against the canonical text of their submission.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.analyses.chat import is_who_question, plan_comparison
from assistant.analyses.compare import (
    Aspect,
    Comparer,
    comparison_json,
    question_aspects,
    theme_aspects,
    topic_of,
)
from assistant.analyses.judging import SimilarityJudge
from assistant.analyses.sides import UnknownSideError, detect_sides, resolve_side
from assistant.analyses.tension import compare_values, possible_tension
from assistant.cli.main import main
from assistant.config import Settings
from assistant.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "tension-pairs.jsonl"
FRANCE = "State_France_Code-deontologie-police-gendarmerie.docx"
DECREE = "State_Peru_Decreto-Legislativo-1186-uso-de-la-fuerza.docx"
LAW = "State_Peru_Ley-30714-regimen-disciplinario-PNP.docx"
ORDER = "State_UnitedStates_Executive-Order-14074.docx"
FACTS = "State_UnitedStates_WhiteHouse-FactSheet-EO14074-2024.docx"
ZERO = "NGO_CampaignZero_UnitedStates.docx"


@pytest.fixture(scope="module")
def engine(fast_index) -> Engine:
    return Engine.for_store(fast_index, Settings(embedder="fast"))


# sides ----------------------------------------------------------------------------------------
def test_cli_sides_map_to_stored_values(fast_index) -> None:
    subs = fast_index.submissions()
    ngo = resolve_side("type=NGO", subs)
    assert ngo.keys == (ZERO,)  # stored as "NGO/civil society"
    assert len(resolve_side("type=State", subs).keys) == 7
    assert set(resolve_side("country=Peru", subs).keys) == {DECREE, LAW}
    assert resolve_side("Pérou", subs).keys == resolve_side("Peru", subs).keys
    assert resolve_side(FRANCE, subs).keys == (FRANCE,)
    assert resolve_side("Campaign Zero", subs).keys == (ZERO,)
    assert resolve_side("30714", subs).keys == (LAW,)  # words of a title
    with pytest.raises(UnknownSideError, match=r"names no submission.*country"):
        resolve_side("country=Atlantis", subs)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How do States and NGOs differ on data about police killings?", None),
        ("Compare what France and Peru say about firearms.", [{FRANCE}, {DECREE, LAW}]),
        ("Comparez la France et le Pérou sur l'usage des armes.", [{FRANCE}, {DECREE, LAW}]),
        ("¿En qué se diferencian Francia y el Perú sobre las armas?", [{FRANCE}, {DECREE, LAW}]),
        ("Compare Peru's Decree 1186 and Law 30714 on sanctions.", [{DECREE}, {LAW}]),
        ("Compare the Executive Order 14074 and the 2024 fact sheet.", [{ORDER}, {FACTS}]),
        ("What do Peru (Law 30714) and France say about sanctions?", [{LAW}, {FRANCE}]),
    ],
)
def test_sides_named_in_a_question(fast_index, question: str, expected) -> None:
    subs = fast_index.submissions()
    sides = detect_sides(question, subs).sides
    if expected is None:  # groups: every State vs every NGO
        assert [s.kind for s in sides] == ["type", "type"]
        assert set(sides[1].keys) == {ZERO}
        assert len(sides[0].keys) == 7
    else:
        assert [set(s.keys) for s in sides] == expected


def test_which_questions_and_single_sides_are_not_comparisons(fast_index) -> None:
    subs = fast_index.submissions()
    assert is_who_question("Which States and NGOs mention chokeholds?")
    assert plan_comparison("Which States and NGOs mention chokeholds?", subs) is None
    assert plan_comparison("What does France say about firearms?", subs) is None
    plan = plan_comparison("How do France and Peru differ on the use of firearms?", subs)
    assert plan is not None
    assert len(plan.sides) == 2
    assert "firearms" in plan.topic
    assert "France" not in plan.topic


def test_years_and_single_title_words_alone_make_no_comparison(fast_index) -> None:
    subs = fast_index.submissions()
    assert plan_comparison("How did deaths in custody change between 2015 and 2024?", subs) is None
    assert plan_comparison("What did the President say about George Floyd?", subs) is None
    assert plan_comparison("In what way is Campaign Zero unique among US agencies?", subs) is None
    plan = plan_comparison("What do Peru's Law 30714 and the French code say on sanctions?", subs)
    assert plan is not None
    assert [set(s.keys) for s in plan.sides] == [{LAW}, {FRANCE}]


def test_topic_and_aspects() -> None:
    topic = topic_of(
        "Compare France and Peru on how many officers sit on the board and who appoints them.",
        ["France", "Peru"],
    )
    assert topic.startswith("on how many officers")
    assert [a.text for a in question_aspects(topic)] == [
        "on how many officers sit on the board",
        "who appoints them",
    ]


# the table ------------------------------------------------------------------------------------
def _verbatim(store, cell: dict) -> None:
    sub = next(s for s in store.submissions() if s.file == cell["file"])
    text = store.document(sub.key).text
    assert text[cell["char_start"] : cell["char_end"]] == cell["quote"]
    assert "…" not in cell["quote"] or "…" in text


def test_every_passage_of_a_side_is_judged_and_cells_are_verbatim(engine: Engine) -> None:
    store = engine.store
    subs = store.submissions()
    sides = [resolve_side("type=State", subs), resolve_side("type=NGO", subs)]
    seen: list[int] = []

    class Counting(SimilarityJudge):
        def probabilities(self, text, passages):
            seen.append(len(passages))
            return super().probabilities(text, passages)

    comparer = Comparer(store, Counting(store, glossary=engine.glossary), glossary=engine.glossary)
    aspect = Aspect("data", "publication of data on police use of force and killings")
    table = comparer.compare(sides, [aspect], question="data")
    state_passages = sum(len(store.passages_of(k)) for k in sides[0].keys)
    assert seen == [state_passages, len(store.passages_of(ZERO))]
    payload = comparison_json(table)
    assert set(payload) == {"question", "sides", "rows"}
    assert payload["sides"] == ["type=State", "type=NGO"]
    row = payload["rows"][0]
    assert set(row) == {"aspect", "cells", "possible_tension"}
    for cell in row["cells"].values():
        assert cell is not None
        assert set(cell) == {"file", "quote", "locator", "char_start", "char_end"}
        _verbatim(store, cell)
    assert row["cells"]["type=NGO"]["file"] == ZERO


def test_theme_rows_and_not_addressed(engine: Engine) -> None:
    store = engine.store
    subs = store.submissions()
    themes = theme_aspects()
    assert len(themes) >= 5
    assert all(t.theme_id for t in themes)
    sides = [resolve_side(FRANCE, subs), resolve_side(ZERO, subs)]
    strict = SimilarityJudge(store, glossary=engine.glossary, threshold=1.0)
    table = Comparer(store, strict).compare(sides, themes[:2])
    assert all(cell is None for row in table.rows for cell in row.cells)  # nothing reaches 1.0
    one = theme_aspects(theme=themes[1].theme_id)
    assert [a.theme_id for a in one] == [themes[1].theme_id]


# possible tension -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("The board has nine members.", "The board has eleven members.", "number"),
        (
            "The report is due within thirty days.",
            "The report is due within six months.",
            "time limit",
        ),
        (
            "Sanctions are decided by the Minister.",
            "Sanctions are decided by the Parliament.",
            "body",
        ),
        (
            "The officer must report the incident.",
            "The officer may report the incident.",
            "must vs may",
        ),
    ],
)
def test_tension_kinds(a: str, b: str, kind: str) -> None:
    found = compare_values(a, b)
    assert found is not None
    assert found[0] == kind


def test_no_tension_for_the_same_values_or_enumerators() -> None:
    assert compare_values("(3) The quorum shall be five.", "(4) The quorum shall be five.") is None
    assert (
        compare_values("12. Members serve three years.", "14. Members serve three years.") is None
    )
    assert possible_tension(["The board has nine members.", None]) is None
    found = possible_tension(["The board has nine members.", "The board has seven members."])
    assert found is not None
    assert "possible tension" in found.describe(["A", "B"])


def test_tension_precision_on_the_labelled_pairs() -> None:
    """The figure the benchmark reports: precision of the flag on the 22 labelled pairs."""
    flagged = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        a, b = pair["a"], pair["b"]
        same = a["file"].split("_")[1] == b["file"].split("_")[1]
        if compare_values(a["quote"], b["quote"], same_country=same) is not None:
            flagged.append(pair["tension"])
    assert len(flagged) >= 5
    assert sum(flagged) / len(flagged) >= 0.75


# CLI and chat ---------------------------------------------------------------------------------
def test_compare_command_json(fast_index, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")
    argv = [
        "compare", "type=State", "type=NGO", "--question", "How is data on police killings "
        "published?", "--json", "--index", str(fast_index.index_dir),
    ]  # fmt: skip
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["sides"] == ["type=State", "type=NGO"]
    assert payload["question"].startswith("How is data")
    for row in payload["rows"]:
        assert isinstance(row["possible_tension"], bool)
        for cell in row["cells"].values():
            if cell is not None:
                _verbatim(fast_index, cell)
    assert main(["compare", "type=State", "--index", str(fast_index.index_dir)]) == 1
    assert "two sides" in capsys.readouterr().err
    assert (
        main(["compare", "type=State", "country=Atlantis", "--index", str(fast_index.index_dir)])
        == 1
    )


def test_compare_command_themes_text(fast_index, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")
    index = str(fast_index.index_dir)
    assert main(["compare", FRANCE, "country=Peru", "--index", index]) == 0
    out = capsys.readouterr().out
    assert FRANCE in out
    assert "country=Peru" in out
    assert main(["compare", FRANCE, "country=Peru", "--theme", "nope", "--index", index]) == 1
    assert "unknown theme" in capsys.readouterr().err


def test_ask_routes_comparisons_and_cites_every_side(fast_index, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")
    question = "How do France and Peru differ on when officers may use firearms?"
    assert main(["ask", question, "--json", "--index", str(fast_index.index_dir)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["mode"] == "compare"
    files = {c["file"] for c in payload["citations"]}
    assert FRANCE in files
    assert files & {DECREE, LAW}
    for c in payload["citations"]:
        text = fast_index.document(c["submission_key"]).text
        assert text[c["char_start"] : c["char_end"]] == c["quote"]
    assert main(["ask", "When may officers use firearms?", "--json", "--index",
                 str(fast_index.index_dir)]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["mode"] == "answer"


def test_engine_stream_events_for_a_comparison(engine: Engine) -> None:
    from assistant.types import CitationsReady, Done, TextDelta

    events = list(engine.stream("Compare what States and NGOs say about chokeholds."))
    assert isinstance(events[0], TextDelta)
    assert events[0].text.startswith("Comparison of")
    assert isinstance(events[-2], CitationsReady)
    assert isinstance(events[-1], Done)
    answer = events[-1].answer
    assert answer.mode == "compare"
    types = {c.submitter_type for c in answer.citations}
    assert types == {"State", "NGO/civil society"}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_theme_rows_are_judged_by_the_call_s_theme_scorer(engine: Engine) -> None:
    store = engine.store
    subs = store.submissions()
    themes = theme_aspects()
    passages = store.passages_of(ZERO)
    probs, threshold = engine.comparer.judged(themes[0], passages)
    assert threshold == engine.comparer.theme_threshold
    assert probs.shape == (len(passages),)
    table = engine.comparer.compare(
        [resolve_side("type=State", subs), resolve_side(ZERO, subs)], themes
    )
    assert [r.aspect.theme_id for r in table.rows] == [t.theme_id for t in themes]
    for cell in comparison_json(table)["rows"][0]["cells"].values():
        if cell is not None:
            _verbatim(store, cell)


def test_topic_drops_the_end_of_a_side_s_name_and_a_dangling_preposition() -> None:
    names = ["France", "Peru"]
    topic = topic_of(
        "Compare France's 2019 decree and Peru's law on how complaints are recorded.", names
    )
    assert topic == "on how complaints are recorded."
    topic = topic_of(
        "Which sanctions may be imposed on officers under France's code and Peru's law?", names
    )
    assert not topic.rstrip("?").endswith("under")


def test_chat_cites_a_side_s_close_runners_up_up_to_the_depth(engine: Engine) -> None:
    store = engine.store
    subs = store.submissions()
    sides = [resolve_side("type=State", subs), resolve_side("type=NGO", subs)]
    aspect = Aspect("data", "publication of data on police use of force and killings")
    judge = engine.comparer.judge
    for depth, ratio in ((1, 0.8), (4, 0.0)):
        comparer = Comparer(store, judge, glossary=engine.glossary, runner_up=ratio, depth=depth)
        for side, cell in zip(sides, comparer.compare(sides, [aspect]).rows[0].cells, strict=True):
            assert cell is not None
            assert len(cell.runners_up) == depth - 1  # ratio 0: every next passage is close
            assert all(c.submission_key in side.keys for c in cell.runners_up)
            ids = [c.passage_id for c in (cell.citation, *cell.runners_up)]
            assert len(set(ids)) == len(ids)


def test_two_languages_named_are_the_sides_of_a_comparison(fast_index) -> None:
    subs = fast_index.submissions()
    question = "How do French and Spanish submissions differ on oversight bodies?"
    plan = plan_comparison(question, subs, query_sides=["language=fr", "language=es"])
    assert plan is not None
    assert [s.label for s in plan.sides] == [
        "French-language submissions",
        "Spanish-language submissions",
    ]
    by_key = {s.key: s.language for s in subs}
    assert [{by_key[k] for k in s.keys} for s in plan.sides] == [{"fr"}, {"es"}]
    assert "oversight" in plan.topic
    assert "French" not in plan.topic
    assert (
        plan_comparison(
            "Which French submissions mention oversight?", subs, query_sides=["language=fr"]
        )
        is None
    )
