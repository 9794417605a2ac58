"""Who: every submission judged; groups and kinds of questions; exact quotes in every JSON."""

from __future__ import annotations

import csv
import json

import pytest

from assistant.analyses.who import Listed, WhoResult, headline
from assistant.cli.main import main
from assistant.query.groups import group_named
from assistant.query.kinds import asks_full_list, question_kind
from ingest.types import Submission
from vectorstore.types import Filters


@pytest.mark.parametrize(
    ("question", "kind", "types"),
    [
        (
            "Which States have created an independent body to investigate the police?",
            "who",
            ("State",),
        ),
        ("Quels États ont créé un organe indépendant ?", "who", ("State",)),
        ("¿Qué ONG describen abusos policiales?", "who", ("NGO/civil society",)),
        ("Which submissions describe independent oversight bodies?", "who", ()),
        ("What must States do to investigate deaths in custody?", "answer", ()),
        ("What does the United States executive order require?", "answer", ()),
        ("Compare the French and Peruvian rules on firearms.", "compare", ()),
    ],
)
def test_kinds_and_groups_in_three_languages(question, kind, types) -> None:
    assert question_kind(question) == kind
    named = group_named(question)
    assert (named.filters.submitter_type if named else ()) == types


def test_a_short_follow_up_can_ask_for_the_full_list() -> None:
    assert asks_full_list("Show me the full list")
    assert asks_full_list("¿Y la lista completa?")
    assert not asks_full_list("What is the full list of sanctions for torture under Peru's law?")


@pytest.fixture(autouse=True)
def fast_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")


def _run(capsys, *args: str) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def _exact(store, key: str, quote: str, start: int, end: int) -> bool:
    return store.document(key).text[start:end] == quote


def test_who_json_lists_every_submission_with_exact_quotes(fast_index, capsys) -> None:
    index = str(fast_index.index_dir)
    out = _run(
        capsys,
        "who",
        "Which submissions describe reporting deaths in custody?",
        "--json",
        "--index",
        index,
    )
    assert set(out) >= {"question", "count", "total", "filters", "addressed", "not_addressed"}
    assert out["count"] == len(out["addressed"]) >= 1
    assert out["total"] == out["count"] + len(out["not_addressed"]) == len(fast_index.submissions())
    strengths = [row["strength"] for row in out["addressed"]]
    assert strengths == sorted(strengths, reverse=True)
    assert all(0 <= s <= 1 for s in strengths)
    for row in out["addressed"]:
        assert set(row) >= {
            "submission_key",
            "file",
            "submitter",
            "submitter_type",
            "country",
            "language",
            "strength",
            "quote",
            "locator",
            "paragraphs",
            "char_start",
            "char_end",
        }
        assert "…" not in row["quote"]
        assert " | " not in row["quote"]
        assert _exact(
            fast_index, row["submission_key"], row["quote"], row["char_start"], row["char_end"]
        )
    for row in out["not_addressed"]:
        assert set(row) >= {"submission_key", "file", "submitter"}
        closest = row["closest"]
        assert _exact(
            fast_index,
            row["submission_key"],
            closest["quote"],
            closest["char_start"],
            closest["char_end"],
        )


def test_who_applies_the_group_named_and_exports_csv(fast_index, capsys, tmp_path) -> None:
    index = str(fast_index.index_dir)
    target = tmp_path / "who.csv"
    question = "Which States require reporting of deaths in custody?"
    out = _run(capsys, "who", question, "--json", "--csv", str(target), "--index", index)
    assert out["filters"] == {"submitter_type": "State"}
    states = [s for s in fast_index.submissions() if s.submitter_type == "State"]
    assert out["total"] == len(states)
    assert all(row["submitter_type"] == "State" for row in out["addressed"])
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == out["total"]
    assert {r["submitter"] for r in rows} >= {row["submitter"] for row in out["addressed"]}


def test_who_judges_only_the_submissions_of_the_country_a_question_names(
    fast_index, capsys
) -> None:
    question = "Which Peruvian submissions regulate the use of force by the police?"
    out = _run(capsys, "who", question, "--json", "--index", str(fast_index.index_dir))
    peru = {s.file for s in fast_index.submissions() if s.country == "Peru"}
    listed = {r["file"] for r in out["addressed"]} | {r["file"] for r in out["not_addressed"]}
    assert listed == peru
    assert out["total"] == len(peru) == 2
    assert out["filters"] == {"country": "Peru"}  # the scope named is in the filters applied


def test_scopes_of_two_kinds_are_listed_as_any_of() -> None:
    from assistant.analyses.who import filters_json
    from vectorstore.types import Filters

    group = Filters(submitter_type=("State",))
    countries = (Filters(country=("France",)), Filters(country=("Peru",)))
    assert filters_json(group, countries) == {
        "submitter_type": "State",
        "country": ["France", "Peru"],
    }
    mixed = (Filters(country=("Peru",)), Filters(submitter=("Campaign Zero",)))
    assert filters_json(None, mixed) == {
        "any_of": [{"country": "Peru"}, {"submitter": "Campaign Zero"}]
    }


def test_a_judged_answer_quotes_the_best_passages_only(fast_index, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SUBMISSIONS_RELEVANCE_FAST_QUOTED_PASSAGES", "1")
    question = "When may police officers use firearms?"
    out = _run(capsys, "ask", question, "--json", "--index", str(fast_index.index_dir))
    assert out["mode"] == "answer"
    assert out["answered"] is True
    assert len(out["citations"]) == 1  # the one best judged passage, its best sentence


def test_who_with_nothing_in_scope_lists_nothing(fast_index, capsys) -> None:
    out = _run(
        capsys,
        "who",
        "Which submissions describe police?",
        "--filter",
        "country=Atlantis",
        "--json",
        "--index",
        str(fast_index.index_dir),
    )
    assert out["addressed"] == []
    assert out["count"] == 0
    assert out["total"] == 0


def test_ask_routes_a_which_question_to_who_mode(fast_index, capsys) -> None:
    index = str(fast_index.index_dir)
    out = _run(
        capsys,
        "ask",
        "Which submissions describe reporting deaths in custody?",
        "--json",
        "--index",
        index,
    )
    assert out["mode"] == "who"
    assert isinstance(out["answered"], bool)
    who = _run(
        capsys,
        "who",
        "Which submissions describe reporting deaths in custody?",
        "--json",
        "--index",
        index,
    )
    assert len(out["citations"]) == who["count"]  # one citation per listed submission
    assert {c["file"] for c in out["citations"]} == {r["file"] for r in who["addressed"]}
    assert f"{who['count']} of {who['total']}" in out["answer"]


def test_ask_answers_and_every_json_quote_is_exact(fast_index, capsys) -> None:
    index = str(fast_index.index_dir)
    for question in (
        "When may police officers use firearms?",
        "What must federal law enforcement agencies report about deaths in custody?",
    ):
        out = _run(capsys, "ask", question, "--json", "--index", index)
        assert out["mode"] == "answer"
        assert out["answered"] is True
        assert out["citations"]
        for c in out["citations"]:
            assert set(c) >= {"file", "quote", "locator", "char_start", "char_end"}
            assert "…" not in c["quote"]
            assert _exact(
                fast_index, c["submission_key"], c["quote"], c["char_start"], c["char_end"]
            )
    hits = _run(capsys, "search", "firearms", "--json", "--index", index)
    rows = hits["hits"] if isinstance(hits, dict) else hits
    for h in rows:
        assert _exact(fast_index, h["submission_key"], h["text"], h["char_start"], h["char_end"])


def test_the_full_list_after_an_answer_is_the_who_list(fast_index, capsys, tmp_path) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps(["Which submissions describe reporting deaths in custody?"]))
    out = _run(
        capsys,
        "ask",
        "Show me the full list",
        "--history",
        str(history),
        "--json",
        "--index",
        str(fast_index.index_dir),
    )
    assert out["mode"] == "who"


def test_a_group_with_no_submission_indexed_says_so(fast_index, capsys) -> None:
    question = "Which NHRIs describe their role in handling complaints against the police?"
    assert not [s for s in fast_index.submissions() if s.submitter_type == "NHRI"]
    out = _run(capsys, "who", question, "--json", "--index", str(fast_index.index_dir))
    assert out["total"] == out["count"] == 0
    assert out["addressed"] == []
    assert main(["who", question, "--index", str(fast_index.index_dir)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("No submission from NHRIs is in the index (")
    assert "0 of 0" not in text


def test_the_count_line_names_the_group_only_when_there_is_one() -> None:
    subs = [
        Submission(f"s{i}", "h", f"s{i}.docx", "t", f"S{i}", "State", "X", "en") for i in (1, 2)
    ]
    one, two = (Listed(s, 0.0, None) for s in subs)
    plain = WhoResult("q?", None, "", (one,), (two,))
    assert headline(plain) == "1 of 2 submissions address this question"
    states = WhoResult("q?", Filters(submitter_type=("State",)), "States", (one,), (two,))
    assert headline(states) == "1 of 2 submissions address this question (among States: 1 of 2)"
