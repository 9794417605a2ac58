"""Evaluation: metric definitions, the `eval` and `ask` commands, and the verbatim guarantee."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.engine import Engine
from assistant.errors import QuestionsFileError
from assistant.evaluation.runner import (
    Question,
    Row,
    evaluate,
    gold_found,
    holds_quote,
    load_questions,
    summarise,
)

EXTRA = Path(__file__).parent / "data" / "questions-extra.jsonl"


def write_questions(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def sample_questions(tmp_path: Path) -> Path:
    return write_questions(
        tmp_path / "q.jsonl",
        [
            {
                "id": "s-1",
                "kind": "factual",
                "question": "What share of vehicle stops in Ferguson involved African Americans?",
                "sources": [
                    {
                        "file": "State_UnitedStates_DOJ-Ferguson-Report-Summary.docx",
                        "quote": "African Americans account for 85% of vehicle stops",
                    }
                ],
            },
            {
                "id": "s-2",
                "kind": "followup",
                "question": "And what does the French code say about that?",
                "history": ["When may police officers use their weapons?"],
                "sources": [],
            },
            {
                "id": "s-3",
                "kind": "no-answer",
                "question": "How many complaints did the UK police watchdog receive in 2023?",
                "sources": [],
            },
        ],
    )


def test_a_quote_is_found_after_whitespace_normalisation() -> None:
    assert holds_quote("the  officer\n\nshall   report", "the officer shall report")


def test_a_quote_spanning_two_passages_counts_from_sixty_percent_of_its_words() -> None:
    quote = "one two three four five six seven eight nine ten"
    assert holds_quote("… one two three four five six", quote)
    assert not holds_quote("one two three four five", quote)


def test_recall_and_mrr_follow_the_definitions() -> None:
    q = Question("q", "?", "factual", (("a.docx", "alpha beta"), ("b.docx", "gamma delta")))
    ranked = [("b.docx", "x"), ("a.docx", "… alpha beta …"), ("a.docx", "gamma delta")]
    ranks = gold_found(q, ranked)
    assert ranks == [2, 0]  # gamma delta is in the wrong file
    row = Row(q, ranks)
    assert row.recall == 0.5
    assert row.reciprocal_rank == 0.5
    metrics = summarise([row])
    assert metrics["recall@10"] == 0.5
    assert metrics["mrr"] == 0.5


def test_refusal_metrics_separate_the_two_errors() -> None:
    yes = Question("y", "?", "factual", (("a.docx", "q"),))
    no = Question("n", "?", "no-answer", ())
    rows = [Row(yes, [1], refused=True), Row(yes, [1], refused=False), Row(no, [], refused=True)]
    metrics = summarise(rows)
    assert metrics["refusal_accuracy"] == 1.0
    assert metrics["wrongly_refused"] == 0.5


def test_eval_command_runs_and_every_quote_is_verbatim(e5_index, tmp_path, capsys) -> None:
    questions = sample_questions(tmp_path)
    code = main(["eval", str(questions), "--index", str(e5_index.index_dir), "--json"])
    assert code == 0
    results = json.loads(capsys.readouterr().out)
    overall = results["hybrid (engine)"]["overall"]
    assert overall["verbatim_rate"] == 1.0
    assert overall["quotes_shown"] > 0
    assert results["hybrid (engine)"]["factual"]["recall@10"] == 1.0
    assert results["_rows"][1]["resolved"] != "And what does the French code say about that?"


def test_baselines_run_in_the_same_evaluation(fast_index, tmp_path) -> None:
    questions = load_questions(sample_questions(tmp_path))
    results = evaluate(Engine(fast_index), questions, baselines=True)
    assert {"hybrid (engine)", "dense only", "lexical only", "llama-index default"} <= set(results)
    assert results["llama-index default"]["overall"]["recall@10"] is not None


def test_extra_questions_are_labelled_with_verbatim_quotes(real_corpus) -> None:
    from ingest.docx import read_docx

    questions = load_questions(EXTRA)
    assert sum(q.answerable for q in questions) >= 8
    assert sum(not q.answerable for q in questions) >= 8
    texts: dict[str, str] = {}
    for q in questions:
        for file, quote in q.sources:
            texts.setdefault(file, read_docx(real_corpus / file).text)
            assert quote in texts[file], (q.id, quote)


def test_ask_json_prints_the_documented_fields(e5_index, capsys) -> None:
    code = main(
        [
            "ask",
            "When may the police use force in Peru?",
            "--index",
            str(e5_index.index_dir),
            "--json",
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert {"question", "answered", "answer", "citations", "passages"} <= set(payload)
    fields = {
        "n",
        "passage_id",
        "submission_key",
        "file",
        "title",
        "submitter",
        "submitter_type",
        "country",
        "language",
        "heading_path",
        "paragraphs",
        "locator",
        "footnotes",
        "quote",
        "char_start",
        "char_end",
    }
    assert payload["citations"]
    assert fields <= set(payload["citations"][0])
    assert payload["passages"][0]["rank"] == 1


def test_ask_reads_a_history_file(e5_index, tmp_path, capsys) -> None:
    history = tmp_path / "history.json"
    history.write_text(
        json.dumps([{"question": "When may police officers use firearms?", "answer": "…"}])
    )
    code = main(
        [
            "ask",
            "And what does the French code say about that?",
            "--history",
            str(history),
            "--index",
            str(e5_index.index_dir),
            "--json",
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["resolved_question"] != payload["question"]
    assert {c["country"] for c in payload["citations"]} == {"France"}


def test_a_bad_history_file_is_a_clear_error(fast_index, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")
    history = tmp_path / "history.json"
    history.write_text('{"not": "a list"}')
    code = main(["ask", "x?", "--history", str(history), "--index", str(fast_index.index_dir)])
    assert code == 1
    assert "must hold a JSON list" in capsys.readouterr().err


@pytest.mark.parametrize("line", ["not json", '{"no_question": 1}'])
def test_a_bad_questions_file_names_the_line(tmp_path, line: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(QuestionsFileError, match=r"bad\.jsonl:1"):
        load_questions(path)
