"""HTML for the sources panel: one citation card per [n], grouped by conversation turn.

Cards carry ``data-action`` buttons; the panel's small script turns a click into a server event
(open in document, download original) or copies the citation to the clipboard.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from assistant.exports.answer import format_citation
from assistant.formatting import format_locator, page_of
from assistant.types import Answer, Citation
from assistant.ui.document import language_name

CONTEXT_CHARS = 320


def card_id(turn: int, n: int) -> str:
    """Return the element id of card [n] of turn ``turn``; chat links point at "#cite-t-n"."""
    return f"sa-card-{turn}-{n}"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _trim_before(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= CONTEXT_CHARS:
        return text
    cut = text[-CONTEXT_CHARS:]
    return "… " + cut.split(" ", 1)[-1]


def _trim_after(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= CONTEXT_CHARS:
        return text
    return text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " …"


def where_line(c: Citation) -> str:
    """Return "Heading › Sub · para. 14 · fn. 7"."""
    parts = [" › ".join(c.heading_path)] if c.heading_path else []
    repeated = bool(c.heading_path) and c.locator == c.heading_path[-1]
    where = format_locator("" if repeated else c.locator, c.footnotes, page=page_of(c), sep=" · ")
    return " · ".join([*parts, where] if where else parts)


def render_card(c: Citation, turn: int) -> str:
    """Return one citation card."""
    details = [c.submitter_type, c.country, language_name(c.language)]
    meta = " · ".join(_esc(x) for x in details if x and x != c.submitter)
    if c.verified:
        mark = (
            '<span class="sa-badge sa-verified" title="The quote was checked word for word '
            'against the submission">✓ verified</span>'
        )
    elif c.from_ocr:
        mark = (
            '<span class="sa-badge sa-unverified sa-ocr" title="The text was read from page images '
            'by OCR: check the quote against the page">from OCR</span>'
        )
    else:
        mark = '<span class="sa-badge sa-unverified">not verified</span>'
    if c.confidential:
        mark += (
            '<span class="sa-badge sa-confidential" title="Exports cite this submission without '
            'quoting it">confidential</span>'
        )
    before = _esc(_trim_before(c.context_before))
    after = _esc(_trim_after(c.context_after))
    quote = f'<mark class="sa-quote-mark">{_esc(c.quote)}</mark>'
    lang = f' lang="{_esc(c.language)}"' if c.language else ""
    data = f'data-turn="{turn}" data-n="{c.n}"'
    return f"""<article class="sa-card" id="{card_id(turn, c.n)}" tabindex="-1"
 aria-label="Source {c.n}: {_esc(c.submitter or c.file)}">
<header class="sa-card-head"><span class="sa-n" aria-hidden="true">{c.n}</span>
<span class="sa-submitter">{_esc(c.submitter or c.file)}</span>
<span class="sa-meta">{meta}</span>{mark}</header>
<p class="sa-where"><span class="sa-file">{_esc(c.file)}</span>
<span>{_esc(where_line(c))}</span></p>
<blockquote class="sa-quote"{lang}>{before} {quote} {after}</blockquote>
<div class="sa-actions" role="group" aria-label="Actions for source {c.n}">
<button type="button" class="sa-action" data-action="open" {data}>Open in document</button>
<button type="button" class="sa-action" data-action="download" {data}>Download original</button>
<button type="button" class="sa-action" data-action="copy" {data}
 data-citation="{_esc(format_citation(c))}">Copy citation</button>
</div></article>"""


def render_sources(answers: Sequence[Answer], pending: Sequence[Citation] = ()) -> str:
    """Return the sources panel: the latest turn open, earlier turns folded.

    ``pending`` holds the citations of the answer still streaming (its turn is ``len(answers)``).
    """
    turns: list[tuple[int, str, Sequence[Citation], Sequence[str]]] = [
        (i, a.question, a.citations, a.warnings) for i, a in enumerate(answers)
    ]
    modes = {i: a for i, a in enumerate(answers) if a.mode == "who"}
    if pending:
        turns.append((len(answers), "", pending, ()))
    if not turns:
        return (
            '<div class="sa-sources-empty"><p>Sources appear here, one card for each '
            "numbered reference in the answer.</p></div>"
        )
    parts = []
    for position, (turn, question, citations, warnings) in enumerate(reversed(turns)):
        cards = "".join(render_card(c, turn) for c in citations) or (
            '<p class="sa-muted">No source was cited for this question.</p>'
        )
        if turn in modes:
            cards = render_who(modes[turn], turn)
        if warnings:
            items = "".join(f"<li>{_esc(w)}</li>" for w in warnings)
            cards = f'<div class="sa-notice"><p>Please check:</p><ul>{items}</ul></div>' + cards
        title = f"Sources for “{_esc(question)}”" if question else "Sources"
        open_attr = " open" if position == 0 else ""
        parts.append(
            f'<details class="sa-turn" data-turn="{turn}"{open_attr}>'
            f"<summary>{title}</summary>{cards}</details>"
        )
    return f'<div class="sa-sources" role="region" aria-label="Sources">{"".join(parts)}</div>'


def render_who(answer: Answer, turn: int) -> str:
    """Return the who mode's panel: the count, a card per listed submission, then the others
    with their closest passage one click away."""
    listed = len(answer.citations)
    total = listed + len(answer.closest)
    if total == 0:  # nothing in the index is in the scope asked: say so, not "0 of 0"
        head = (
            '<p class="sa-who-count" data-count="0" data-total="0">'
            f"{_esc(answer.text.splitlines()[0] if answer.text else '')} · mode: who</p>"
        )
    else:
        plain = f"{listed} of {total} submissions"  # the scope says no more than the count
        scope = f" ({_esc(answer.scope)})" if answer.scope and answer.scope != plain else ""
        head = (
            f'<p class="sa-who-count" data-count="{listed}" data-total="{total}">'
            f"<strong>{listed} of {total}</strong> submissions address this question"
            f"{scope} · mode: who</p>"
        )
    cards = "".join(render_card(c, turn) for c in answer.citations)
    others = "".join(
        f'<details class="sa-who-other"><summary>{_esc(c.submitter or c.file)} · '
        f"{_esc(c.file)} — closest passage</summary>{render_card(c, turn)}</details>"
        for c in answer.closest
    )
    if others:
        others = f'<h4 class="sa-who-others">Not addressed by {len(answer.closest)}</h4>{others}'
    return head + cards + others
