"""Answers written by the optional LLM: prompt, streamed label rewriting, validation, cards.

The model sees the passages labelled [S1]…[Sk] as quoted data. While tokens stream, each valid
label is rewritten to its card number [n] (numbered by first use) and unknown labels are dropped;
after the reply, :func:`assistant.citations.validate_claims` flags unsupported sentences and
quotes that are not verbatim. A reply of ``prompts.NO_ANSWER`` means "not in the submissions".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import prompts
from assistant.answering.citations import build_citation, quoted_spans
from assistant.answering.extractive import Sources, display_name
from assistant.answering.sentences import sentence_spans
from assistant.config import AnswerSettings
from assistant.query.terms import text_stems
from assistant.retrieval.fusion import Scored
from assistant.types import Citation, Claim

logger = logging.getLogger(__name__)

MAX_SENTENCES = AnswerSettings().llm_max_sentences  # the prompt asks for at most this many
_PARTIAL_LABEL = re.compile(r"\[S?\d*$")
_LABEL = re.compile(r"\[S(\d+)\]")


def passages_block(shown: list[Scored], sources: Sources) -> str:
    """Return the passages as labelled, tagged data for the prompt."""
    subs = sources.submissions()
    parts = []
    for i, scored in enumerate(shown, start=1):
        p = scored.passage
        sub = subs.get(p.submission_key)
        who = display_name(sub) if sub else p.submission_key
        where = p.locator or " > ".join(p.heading_path)
        text = p.text.replace("<", "‹").replace(">", "›")  # a passage cannot close its own tag
        parts.append(
            f'<passage label="S{i}" submitter="{_attr(who)}" language="{p.language}" '
            f'location="{_attr(where)}">\n{text}\n</passage>'
        )
    return "\n\n".join(parts)


def _attr(value: str) -> str:
    return value.replace('"', "'").replace("<", "‹").replace(">", "›")


def build_prompt(question: str, shown: list[Scored], sources: Sources) -> tuple[str, str]:
    """Return the (system, user) messages for ``question`` over ``shown`` passages."""
    system = prompts.render("system")
    user = prompts.render(
        "answer",
        question=question,
        passages=passages_block(shown, sources),
        count=len(shown),
        max_sentences=MAX_SENTENCES,
    )
    return system, user


@dataclass
class LabelRewriter:
    """Rewrite streamed "[S3]" labels to card numbers "[n]"; hold back a possible NO_ANSWER."""

    shown: int
    numbers: dict[int, int] = field(default_factory=dict)
    raw: str = ""
    _pending: str = ""
    _started: bool = False

    def feed(self, piece: str) -> str:
        """Return the text that can be shown after ``piece`` arrives."""
        self.raw += piece
        self._pending += piece
        if not self._started:
            head = self.raw.lstrip()
            if prompts.NO_ANSWER.startswith(head) or head.startswith(prompts.NO_ANSWER):
                return ""
            self._started = True
        partial = _PARTIAL_LABEL.search(self._pending)
        cut = partial.start() if partial else len(self._pending)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return _LABEL.sub(self._number, ready)

    def flush(self) -> str:
        """Return whatever is still held back (at the end of the reply)."""
        if self.is_no_answer():
            return ""
        ready, self._pending = self._pending, ""
        return _LABEL.sub(self._number, ready)

    def is_no_answer(self) -> bool:
        """Return True when the reply is the NO_ANSWER phrase."""
        return self.raw.strip().strip(".").startswith(prompts.NO_ANSWER)

    def _number(self, match: re.Match[str]) -> str:
        label = int(match.group(1))
        if not 1 <= label <= self.shown:
            return ""
        if label not in self.numbers:
            self.numbers[label] = len(self.numbers) + 1
        return f"[{self.numbers[label]}]"


def cards(
    rewriter: LabelRewriter, claims: list[Claim], shown: list[Scored], sources: Sources
) -> list[Citation]:
    """Return one card per label used, numbered as in the text; quotes are verbatim spans."""
    subs = sources.submissions()
    out = []
    for label, n in sorted(rewriter.numbers.items(), key=lambda item: item[1]):
        scored = shown[label - 1]
        p = scored.passage
        sub = subs[p.submission_key]
        document = sources.document(sub)
        said = " ".join(c.text for c in claims if p.id in c.citations)
        start, end = best_span(p.text, said, p.language)
        out.append(
            build_citation(n, scored.hit(), sub, document, p.char_start + start, p.char_start + end)
        )
    return out


def best_span(
    text: str, said: str, language: str, length_penalty: float | None = None
) -> tuple[int, int]:
    """Return the span of ``text`` that the answer quoted, else its sentence closest to ``said``."""
    for quote in quoted_spans(said):
        parts = quote.split()
        if not parts:
            continue
        # whitespace in the model's quote may differ from the source (line breaks, spaces)
        found = re.search(r"\s+".join(re.escape(p) for p in parts), text)
        if found:
            return found.start(), found.end()
    spans = sentence_spans(text) or [(0, len(text))]
    if length_penalty is None:
        length_penalty = AnswerSettings().llm_span_length_penalty
    wanted = text_stems(said, "en")
    if not wanted:
        return spans[0]

    def overlap(span: tuple[int, int]) -> float:
        stems = text_stems(text[span[0] : span[1]], language or "en")
        return len(stems & wanted) / (1 + length_penalty * (span[1] - span[0]))

    return max(spans, key=overlap)


def stream_reply(rewriter: LabelRewriter, pieces: Iterator[str]) -> Iterator[str]:
    """Yield rewritten text as the model's pieces arrive."""
    for piece in pieces:
        ready = rewriter.feed(piece)
        if ready:
            yield ready
    tail = rewriter.flush()
    if tail:
        yield tail
