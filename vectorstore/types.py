"""Data returned by the store: scored hits and metadata filters."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.types import Passage


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage and its score (higher is better; the scale depends on the retriever)."""

    passage: Passage
    score: float


@dataclass(frozen=True, slots=True)
class Filters:
    """Metadata filters; each field is a tuple of allowed values, empty meaning "any"."""

    submitter_type: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    submitter: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    file: tuple[str, ...] = ()
    submission_key: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()  # theme ids (T4): passages tagged with any of them

    def is_empty(self) -> bool:
        """Return True when no filter is set."""
        return not any(getattr(self, name) for name in self.__slots__)

    @classmethod
    def from_pairs(cls, pairs: list[str] | tuple[str, ...]) -> Filters:
        """Build filters from "key=value" strings; repeated keys mean "any of"."""
        values: dict[str, list[str]] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            key = key.strip().replace("-", "_")
            if key == "type":
                key = "submitter_type"
            if not sep or key not in cls.__slots__:
                allowed = ", ".join(cls.__slots__)
                raise ValueError(f"bad filter {pair!r}: use key=value with key one of {allowed}")
            values.setdefault(key, []).append(value.strip())
        return cls(**{k: tuple(v) for k, v in values.items()})
