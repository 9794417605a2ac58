"""The conversation as the browser keeps it: plain JSON, turned back into Answers.

The browser stores a list of turns (question, answer text, citations). The retrieved passages
behind an answer are not stored: the cards and exports need only the citations.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from typing import Any

from assistant.types import Answer, Citation

logger = logging.getLogger(__name__)

_TUPLE_FIELDS = ("heading_path", "paragraphs", "footnotes")
_CITATION_FIELDS = {f.name for f in dataclasses.fields(Citation)}
_MARKER = re.compile(r"\[(\d+)\](?!\()")


def citation_to_json(c: Citation) -> dict[str, Any]:
    """Return the citation as a JSON-ready dict."""
    data = dataclasses.asdict(c)
    for name in _TUPLE_FIELDS:
        data[name] = list(data[name])
    return data


def citation_from_json(data: dict[str, Any]) -> Citation:
    """Rebuild a Citation; unknown keys are ignored, lists become tuples."""
    values = {k: v for k, v in data.items() if k in _CITATION_FIELDS}
    for name in _TUPLE_FIELDS:
        values[name] = tuple(values.get(name) or ())
    return Citation(**values)


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """Return what the browser keeps of one answer."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "text": answer.text,
        "citations": [citation_to_json(c) for c in answer.citations],
        "warnings": list(answer.warnings),
        "resolved_question": answer.resolved_question,
        "mode": answer.mode,
        "scope": answer.scope,
        "closest": [citation_to_json(c) for c in answer.closest],
    }


def answer_from_json(data: dict[str, Any]) -> Answer:
    """Rebuild an Answer from :func:`answer_to_json` output (without its sources)."""
    return Answer(
        question=str(data.get("question", "")),
        claims=(),
        sources=(),
        answered=bool(data.get("answered", False)),
        text=str(data.get("text", "")),
        citations=tuple(citation_from_json(c) for c in data.get("citations") or ()),
        warnings=tuple(data.get("warnings") or ()),
        resolved_question=str(data.get("resolved_question", "")),
        mode=str(data.get("mode", "answer")),
        scope=str(data.get("scope", "")),
        closest=tuple(citation_from_json(c) for c in data.get("closest") or ()),
    )


def load(stored: Any) -> list[Answer]:
    """Return the answers kept in the browser; anything unreadable starts a new conversation."""
    if not isinstance(stored, list):
        return []
    answers = []
    for item in stored:
        try:
            answers.append(answer_from_json(item))
        except (TypeError, ValueError, AttributeError):
            logger.warning("dropping an unreadable turn from the stored conversation")
    return answers


def dump(answers: Sequence[Answer]) -> list[dict[str, Any]]:
    """Return the JSON list the browser keeps."""
    return [answer_to_json(a) for a in answers]


def history(answers: Sequence[Answer]) -> list[dict[str, str]]:
    """Return the earlier turns as the engine takes them: ``{question, answer}``."""
    return [{"question": a.question, "answer": a.text} for a in answers]


def neutralise(text: str) -> str:
    """Return ``text`` safe to show as chat Markdown: submission text never becomes markup.

    Raw HTML shows as text, and "![…](url)" cannot load a remote image (the app is offline).
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("![", "!\\[")


def link_markers(text: str, turn: int) -> str:
    """Return ``text`` (neutralised) with each [n] turned into a link to card n of this turn."""
    return _MARKER.sub(
        lambda m: f"[\\[{m.group(1)}\\]](#cite-{turn}-{m.group(1)})", neutralise(text)
    )


def chat_messages(answers: Sequence[Answer], pending: tuple[str, str] | None = None) -> list[dict]:
    """Return Chatbot messages for the answers, plus a question still being answered."""
    messages: list[dict] = []
    for turn, answer in enumerate(answers):
        messages.append({"role": "user", "content": neutralise(answer.question)})
        messages.append({"role": "assistant", "content": link_markers(answer.text, turn)})
    if pending is not None:
        question, partial = pending
        messages.append({"role": "user", "content": neutralise(question)})
        text = link_markers(partial, len(answers)) if partial else "Searching the submissions…"
        messages.append({"role": "assistant", "content": text})
    return messages
