"""JSON text of the frozen dataclasses the registry stores, and the way back."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ingest.types import Link


def _fields_of(value: Any) -> Any:
    """``json.dumps`` default: a dataclass becomes the dict of its fields (tuples stay lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """Return the JSON text of a dataclass tree."""
    return json.dumps(value, default=_fields_of, ensure_ascii=False)


def revive(cls: type, data: dict[str, Any]) -> Any:
    """Rebuild a frozen dataclass from :func:`dumps` output; lists become tuples."""
    known = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            continue
        if name == "links":
            value = tuple(revive(Link, v) for v in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    return cls(**values)
