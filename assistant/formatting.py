"""How a citation's place and a submitter's name are written, everywhere they are shown.

One formatter each, used by the answers (``answering/extractive.py``), the CLI, the app's cards
(``ui/cards.py``) and the exports (``exports/answer.py``):

- :func:`format_locator`: "para. 14, fn. 7", "para. 14, fns. 7, 8", and "p. 4, para. 12" when
  the page is known.
- :func:`format_submitter`: "Campaign Zero (NGO, United States)", or with the full type
  "Campaign Zero (NGO/civil society, United States)"; the country is left out when it is the
  name ("France (State)").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ingest.pages import format_pages


class Located(Protocol):
    """Anything with a printed locator and footnote labels (a Citation, a Passage)."""

    locator: str
    footnotes: tuple[str, ...]


class Submitted(Protocol):
    """Anything that names its submitter (a Citation, a Submission)."""

    submitter: str
    submitter_type: str
    country: str


def format_locator(
    locator: str,
    footnotes: Sequence[str] = (),
    *,
    page: str | int | None = None,
    fallback: str = "",
    sep: str = ", ",
) -> str:
    """Return "p. 4, para. 14, fn. 7"-style location text ("" when nothing is printed).

    ``fallback`` (the nearest heading, say) stands in for a missing locator; ``sep`` joins the
    parts (", " in prose, " · " on the cards).
    """
    parts = []
    if isinstance(page, str) and page.startswith("p"):
        parts.append(page)  # already written: "pp. 4–5", "p. 4 (printed iii)"
    elif page not in (None, "", 0):
        parts.append(f"p. {page}")
    if locator or fallback:
        parts.append(locator or fallback)
    if footnotes:
        label = "fn." if len(footnotes) == 1 else "fns."
        parts.append(f"{label} {', '.join(footnotes)}")
    return sep.join(parts)


def locator_of(item: Located, *, fallback: str = "", sep: str = ", ") -> str:
    """Return :func:`format_locator` of a citation or passage (its page when it has one)."""
    return format_locator(
        item.locator, item.footnotes, page=page_of(item), fallback=fallback, sep=sep
    )


def page_of(item: object) -> str:
    """Return "p. 4", "pp. 4–5" or "p. 4 (printed iii)" for a PDF citation or passage, else ""."""
    return format_pages(
        getattr(item, "page", 0) or 0,
        getattr(item, "page_end", 0) or 0,
        getattr(item, "page_label", "") or "",
    )


def format_submitter(
    name: str, submitter_type: str = "", country: str = "", *, full_type: bool = False
) -> str:
    """Return "Name (Type, Country)"; the short type is the part before "/" ("NGO")."""
    kind = submitter_type if full_type else submitter_type.split("/")[0]
    details = [kind] if kind else []
    if country and country.casefold() != name.casefold():
        details.append(country)
    return f"{name} ({', '.join(details)})" if details else name


def submitter_of(item: Submitted, *, fallback: str = "", full_type: bool = False) -> str:
    """Return :func:`format_submitter` of a citation or submission."""
    name = item.submitter or fallback
    return format_submitter(name, item.submitter_type, item.country, full_type=full_type)
