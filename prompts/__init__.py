"""Prompt templates shipped as package data: ``render(name, **values) -> str``.

Templates are ``prompts/<name>.txt`` with ``{name}`` placeholders (``str.format`` syntax, so a
literal brace is written ``{{``). ``NO_ANSWER`` is the one phrase that both the prompt asks the
model to reply with and the parser recognises, so the two can never drift apart.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

NO_ANSWER = "NO_ANSWER"

_ALWAYS = {"no_answer": NO_ANSWER}


@cache
def template(name: str) -> str:
    """Return the raw text of ``prompts/<name>.txt``; raise FileNotFoundError naming the file."""
    path = resources.files(__name__) / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"prompt template {name}.txt is missing from the prompts package")
    return path.read_text(encoding="utf-8")


def placeholders(name: str) -> set[str]:
    """Return the placeholder names used by template ``name``."""
    return {f for _, f, _, _ in string.Formatter().parse(template(name)) if f}


def render(name: str, **values: object) -> str:
    """Return template ``name`` filled in; raise KeyError naming any missing placeholder."""
    needed = placeholders(name)
    merged = {**_ALWAYS, **values}
    missing = sorted(needed - set(merged))
    if missing:
        raise KeyError(f"prompt {name}.txt needs values for: {', '.join(missing)}")
    return template(name).format(**{k: merged[k] for k in needed})
