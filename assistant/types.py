"""What the engine returns: claims, citations, answers, and the events of a streamed answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from vectorstore.types import Hit


@dataclass(frozen=True, slots=True)
class Citation:
    """One numbered citation [n]: a verbatim quote and where it stands in its submission.

    ``quote`` equals ``canonical_text[char_start:char_end]`` (offsets of the quote itself, not of
    the passage). ``context_before`` / ``context_after`` hold the neighbouring text for display.
    ``page``/``page_end`` are the PDF pages of the quote (0 for Word files), ``page_label`` the
    printed label of ``page`` when it differs. ``from_ocr``: the text was read by OCR, so the
    quote matches the OCR text, not necessarily the page (``verified`` is then False).
    """

    n: int
    passage_id: str
    submission_key: str
    file: str
    title: str
    submitter: str
    submitter_type: str
    country: str
    language: str
    heading_path: tuple[str, ...]
    paragraphs: tuple[str, ...]
    locator: str
    footnotes: tuple[str, ...]
    quote: str
    char_start: int
    char_end: int
    verified: bool = True
    confidential: bool = False
    context_before: str = ""
    context_after: str = ""
    page: int = 0
    page_end: int = 0
    page_label: str = ""
    from_ocr: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence of the answer and the passage ids it rests on."""

    text: str
    citations: tuple[str, ...]
    supported: bool = True


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer. ``answered`` False means "not in the submissions", which is not an error.

    ``sources`` is exactly what the answerer was shown; ``text`` is the rendered answer
    (Markdown with [n] markers); ``citations`` are the numbered cards behind the markers.
    """

    question: str
    claims: tuple[Claim, ...]
    sources: tuple[Hit, ...]
    answered: bool
    text: str = ""
    citations: tuple[Citation, ...] = ()
    resolved_question: str = ""
    warnings: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "answer"  # answer | who | compare: which path answered
    closest: tuple[Citation, ...] = ()  # who mode: the closest passage of each not listed
    scope: str = ""  # who mode: "among States: 4 of 9" / "4 of 15 submissions"


# Events of Engine.stream(): text first (possibly in many deltas), then citations, then done.
@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class CitationsReady:
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Done:
    answer: Answer


Event = TextDelta | CitationsReady | Done
