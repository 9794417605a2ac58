"""The filters panel: submitter type, country, language and specific submissions, as chips."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import gradio as gr

from assistant.ui.document import language_name
from ingest.types import SUBMITTER_TYPES, Submission
from vectorstore.types import Filters


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What the panel offers, from the submissions in the index."""

    types: list[str]
    countries: list[str]
    languages: list[tuple[str, str]]
    submissions: list[tuple[str, str]]


@dataclass
class FilterPanel:
    """The panel's components, in the order the handlers take them."""

    types: gr.CheckboxGroup
    countries: gr.Dropdown
    languages: gr.CheckboxGroup
    submissions: gr.Dropdown
    clear: gr.Button
    themes: gr.CheckboxGroup | None = None  # the call's themes (passages tagged with them)

    @property
    def inputs(self) -> list[gr.components.Component]:
        """Return the filter inputs (types, countries, languages, submissions, themes)."""
        found = [self.types, self.countries, self.languages, self.submissions]
        return [*found, self.themes] if self.themes is not None else found


def submission_label(sub: Submission) -> str:
    """Return "Submitter (type) — file" for pickers."""
    return f"{sub.submitter_label} — {sub.file}"


def submission_choices(submissions: Sequence[Submission]) -> list[tuple[str, str]]:
    """Return (label, key) for every submission, for the pickers."""
    return [(submission_label(s), s.key) for s in submissions]


def filter_choices(submissions: Sequence[Submission]) -> FilterChoices:
    """Return the choices offered by the panel; types keep the registry's order."""
    present = {s.submitter_type for s in submissions}
    types = [t for t in SUBMITTER_TYPES if t in present] + sorted(present - set(SUBMITTER_TYPES))
    countries = sorted({s.country for s in submissions if s.country})
    languages = sorted({s.language for s in submissions if s.language})
    return FilterChoices(
        types=types,
        countries=countries,
        languages=[(language_name(code), code) for code in languages],
        submissions=[(submission_label(s), s.key) for s in submissions],
    )


def build_filters(
    types: Sequence[str] | None,
    countries: Sequence[str] | None,
    languages: Sequence[str] | None,
    keys: Sequence[str] | None,
    themes: Sequence[str] | None = None,
) -> Filters | None:
    """Return the engine's Filters for the panel's values, or None when nothing is set."""
    filters = Filters(
        submitter_type=tuple(types or ()),
        country=tuple(countries or ()),
        language=tuple(languages or ()),
        submission_key=tuple(keys or ()),
        theme=tuple(themes or ()),
    )
    return None if filters.is_empty() else filters


def chips_html(
    filters: Filters | None, titles: dict[str, str] | None = None, total: int = 0
) -> str:
    """Return the applied filters as chips, or a line saying that everything is searched."""
    if filters is None or filters.is_empty():
        noun = "submission" if total == 1 else "submissions"
        return (
            '<div class="sa-chips" role="status"><span class="sa-chips-label">'
            f"Searching all {total} {noun}. Narrow the search with the filters (menu at the "
            "left).</span></div>"
        )
    titles = titles or {}
    chips = [
        *filters.submitter_type,
        *filters.country,
        *(language_name(code) for code in filters.language),
        *(titles.get(key, key) for key in filters.submission_key),
        *(f"theme {titles.get(t, t)}" for t in filters.theme),
    ]
    inner = "".join(f'<span class="sa-chip">{html.escape(c)}</span>' for c in chips)
    return (
        '<div class="sa-chips" role="status" aria-label="Applied filters">'
        f'<span class="sa-chips-label">Searching only:</span>{inner}</div>'
    )


def update_choices(submissions: Sequence[Submission]) -> list[dict]:
    """Return Gradio updates that refresh the panel's choices (values are kept)."""
    choices = filter_choices(submissions)
    return [
        gr.update(choices=choices.types),
        gr.update(choices=choices.countries),
        gr.update(choices=choices.languages),
        gr.update(choices=choices.submissions),
        gr.update(),  # themes: the call's, unchanged by an ingest
    ]


def build_panel(
    submissions: Sequence[Submission], themes: Sequence[tuple[str, str]] = ()
) -> FilterPanel:
    """Lay out the filter controls (call inside a gr.Sidebar or column).

    ``themes`` are (label, id) pairs of the call's themes."""
    choices = filter_choices(submissions)
    gr.Markdown("Answers use only the submissions that match every filter you set.")
    types = gr.CheckboxGroup(
        choices.types, label="Submitter type", elem_id="sa-filter-type", interactive=True
    )
    countries = gr.Dropdown(
        choices.countries,
        value=[],
        multiselect=True,
        label="Country",
        elem_id="sa-filter-country",
        interactive=True,
    )
    languages = gr.CheckboxGroup(
        choices.languages, label="Language", elem_id="sa-filter-language", interactive=True
    )
    picked = gr.Dropdown(
        choices.submissions,
        value=[],
        multiselect=True,
        label="Specific submissions",
        elem_id="sa-filter-submission",
        interactive=True,
    )
    theme_box = gr.CheckboxGroup(
        list(themes), label="Theme of the call", elem_id="sa-filter-theme", interactive=True
    )
    clear = gr.Button("Clear filters", size="sm", variant="secondary")
    return FilterPanel(types, countries, languages, picked, clear, theme_box)
