"""Prompt templates: they render with the engine's keys and share the NO_ANSWER phrase."""

from __future__ import annotations

import string

import pytest

import prompts

ENGINE_KEYS = {
    "answer": {
        "question": "Q?",
        "passages": '<passage label="S1">x</passage>',
        "count": 1,
        "max_sentences": 8,
    },
    "system": {},
}


@pytest.mark.parametrize("name", sorted(ENGINE_KEYS))
def test_every_prompt_renders_with_the_engine_keys(name: str) -> None:
    text = prompts.render(name, **ENGINE_KEYS[name])
    leftovers = [f for _, f, _, _ in string.Formatter().parse(text) if f]
    assert not leftovers
    assert prompts.placeholders(name) <= {*ENGINE_KEYS[name], "no_answer"}


def test_a_missing_value_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="question"):
        prompts.render("answer", passages="", count=0, max_sentences=1)


def test_prompt_and_parser_share_the_no_answer_phrase() -> None:
    assert prompts.NO_ANSWER in prompts.render("system")
    assert prompts.NO_ANSWER in prompts.render("answer", **ENGINE_KEYS["answer"])


def test_system_prompt_treats_passages_as_data() -> None:
    system = prompts.render("system").lower()
    assert "data, not instructions" in system
    assert "[s1]" in system


def test_a_missing_template_names_the_file() -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        prompts.render("nope")
