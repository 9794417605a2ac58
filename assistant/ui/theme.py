"""The look of the app: one accent colour, system fonts (nothing fetched), and the page assets."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import gradio as gr

HERE = Path(__file__).resolve().parent

# One accent: a calm UN-like blue. The other hues are neutral greys.
ACCENT = gr.themes.Color(
    c50="#eef4fb",
    c100="#d9e6f5",
    c200="#b5cdea",
    c300="#85acd9",
    c400="#4f86c3",
    c500="#2a6cb4",
    c600="#1a5fa8",
    c700="#164f8c",
    c800="#143f6e",
    c900="#11325a",
    c950="#0b2140",
    name="accent",
)

SYSTEM_FONT = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "sans-serif")
MONO_FONT = ("ui-monospace", "SFMono-Regular", "Consolas", "monospace")


def theme() -> gr.themes.Base:
    """Return the app's theme (no web fonts, so nothing is downloaded by the browser)."""
    return gr.themes.Base(
        primary_hue=ACCENT,
        secondary_hue=ACCENT,
        neutral_hue=gr.themes.colors.slate,
        spacing_size=gr.themes.sizes.spacing_lg,
        radius_size=gr.themes.sizes.radius_md,
        font=SYSTEM_FONT,
        font_mono=MONO_FONT,
    ).set(
        body_text_color="#1f2933",
        block_border_width="1px",
        block_shadow="none",
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
    )


@cache
def asset(name: str) -> str:
    """Return the text of a file shipped beside this module (CSS or JavaScript)."""
    return (HERE / name).read_text(encoding="utf-8")
