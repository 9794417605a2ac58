"""The call profile: title, issuing body, deadline and themes T1..Tn with en/fr/es seed phrases.

A profile is a JSON (or TOML) file; ``load_profile("")`` returns the bundled EMLER 2024 call.
Every problem is a :class:`ConfigError` naming the file and the field, so that a wrong call file
(or one in the old shape, with word ids and no seeds) says what to fix.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

LANGUAGES = ("en", "fr", "es")
_THEME_ID = re.compile(r"^T\d{1,2}$")


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme of the call; ``seeds`` maps a language code to phrases in that language."""

    id: str
    label: str
    description: str
    seeds: tuple[tuple[str, tuple[str, ...]], ...]
    example: str = ""
    cues: tuple[tuple[str, tuple[str, ...]], ...] = ()  # marker words per language (optional)

    def phrases(self, language: str | None = None) -> tuple[str, ...]:
        """Return the seed phrases of ``language`` (all languages when None)."""
        return tuple(p for lang, phrases in self.seeds if language in (None, lang) for p in phrases)


@dataclass(frozen=True, slots=True)
class CallProfile:
    """The call for input the submissions answer."""

    id: str
    title: str
    issuing_body: str
    deadline: str
    themes: tuple[Theme, ...]
    source: str = ""

    def theme(self, theme_id: str) -> Theme:
        """Return the theme ``theme_id`` or raise ConfigError listing the known ids."""
        for theme in self.themes:
            if theme.id.casefold() == theme_id.strip().casefold():
                return theme
        known = ", ".join(t.id for t in self.themes)
        raise ConfigError(f"unknown theme {theme_id!r}: the call's themes are {known}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def fingerprint(self) -> str:
        """Return a hash of what tagging depends on (ids and seed phrases)."""
        payload = [(t.id, t.seeds, t.cues) for t in self.themes]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]

    def as_dict(self) -> dict[str, Any]:
        """Return the dict the UI shows (title, themes with their example questions)."""
        return {
            "id": self.id,
            "title": self.title,
            "issuing_body": self.issuing_body,
            "deadline": self.deadline,
            "themes": [
                {"id": t.id, "label": t.label, "description": t.description, "example": t.example}
                for t in self.themes
            ],
        }


def load_profile(call_file: str | Path = "") -> CallProfile:
    """Return the call profile in ``call_file`` (JSON or TOML), or the bundled one."""
    if call_file:
        where = str(call_file)
        try:
            raw = Path(call_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"{where}: cannot read the call file ({exc}); check call_file"
            ) from exc
    else:
        where = "the bundled assistant/data/call.json"
        raw = (resources.files("assistant") / "data" / "call.json").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(raw) if where.endswith(".toml") else json.loads(raw)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: not valid JSON/TOML ({exc}); fix the file") from exc
    return parse_profile(data, where)


def parse_profile(data: Any, where: str = "call file") -> CallProfile:
    """Validate ``data`` and return the profile; ConfigError names the first bad field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the call must be an object with title and themes")
    title = _text(data, "title", where)
    body = str(data.get("issuing_body") or data.get("mechanism") or "").strip()
    if not body:
        raise ConfigError(f"{where}: field 'issuing_body' is missing (who issued the call)")
    themes_raw = data.get("themes")
    if not isinstance(themes_raw, list) or not themes_raw:
        raise ConfigError(f"{where}: field 'themes' must be a non-empty list of themes")
    themes = tuple(_theme(t, f"{where}: themes[{i}]") for i, t in enumerate(themes_raw))
    ids = [t.id for t in themes]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{where}: field 'themes' repeats a theme id ({', '.join(ids)})")
    return CallProfile(
        id=str(data.get("id", "")),
        title=title,
        issuing_body=body,
        deadline=str(data.get("deadline", "")),
        themes=themes,
        source=where,
    )


def _text(data: dict[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: field {name!r} is missing or empty")
    return value.strip()


def _theme(data: Any, where: str) -> Theme:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a theme must be an object with id, label, description, seeds")
    theme_id = _text(data, "id", where)
    if not _THEME_ID.match(theme_id):
        raise ConfigError(
            f"{where}.id: {theme_id!r} is not a theme id of the form T1, T2, ... "
            "(the old call shape used words; see assistant/data/call.json)"
        )
    seeds = data.get("seeds")
    if not isinstance(seeds, dict) or not seeds:
        raise ConfigError(
            f"{where}.seeds: missing; give seed phrases per language, e.g. "
            '{"en": [...], "fr": [...], "es": [...]}'
        )
    pairs = []
    for lang in LANGUAGES:
        phrases = seeds.get(lang)
        if not isinstance(phrases, list) or not phrases:
            raise ConfigError(f"{where}.seeds.{lang}: give at least one seed phrase in {lang!r}")
        if not all(isinstance(p, str) and p.strip() for p in phrases):
            raise ConfigError(f"{where}.seeds.{lang}: every seed phrase must be non-empty text")
        pairs.append((lang, tuple(p.strip() for p in phrases)))
    cues = data.get("cues", {})
    if not isinstance(cues, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in cues.values()
    ):
        raise ConfigError(f'{where}.cues: give marker words per language, e.g. {{"en": [...]}}')
    return Theme(
        id=theme_id,
        label=_text(data, "label", where),
        description=_text(data, "description", where),
        seeds=tuple(pairs),
        example=str(data.get("example", "")).strip(),
        cues=tuple((lang, tuple(x.strip() for x in v if x.strip())) for lang, v in cues.items()),
    )
