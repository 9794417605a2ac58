"""One Settings object, read once by the entry points (CLI, UI) and passed down.

Every field can be set from the environment as ``SUBMISSIONS_<FIELD>`` (upper case); the index
folder is also ``SUBMISSIONS_INDEX``. Library code never reads ``os.environ``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "SUBMISSIONS_"

# Environment names that differ from PREFIX + FIELD.upper().
ALIASES = {"index_dir": "SUBMISSIONS_INDEX"}


@dataclass(frozen=True)
class Settings:
    """All settings. The README's settings table lists every field (a test checks it)."""

    index_dir: Path = Path("data/index")
    collection: str = "submissions"
    embedder: str = "e5"  # e5 | fast | endpoint
    embedding_url: str = ""  # OpenAI-compatible /v1/embeddings base URL, for embedder=endpoint
    embedding_model: str = ""
    embedding_dim: int = 0  # dimension of the endpoint's vectors; 0 = detect on first call
    chunk_tokens: int = 250
    overlap_tokens: int = 30
    max_file_mb: int = 50
    ingest_workers: int = 0  # processes that parse files; 0 = automatic, 1 = in this process
    top_k: int = 10
    per_submitter_cap: int = 0  # 0 = no cap; two slots are still reserved for other submitters
    llm_url: str = ""  # OpenAI-compatible chat base URL; empty = built-in extractive answers
    llm_model: str = ""
    llm_api_key_env: str = "OPENAI_API_KEY"  # name of the variable that holds the key
    llm_timeout_s: float = 60.0
    chroma_url: str = ""  # http://host:port of a Chroma server; empty = embedded store
    host: str = "127.0.0.1"
    port: int = 7860
    auth_file: str = ""  # JSON file of users with hashed passwords; empty = no login
    call_file: str = ""  # JSON description of the call for input; empty = the bundled EMLER call
    # themes (issue 9): weights of the theme scorer (cosine, relative, lexical, cues, bias);
    # empty = the ones benchmarks/fit_themes.py fitted for the embedder
    theme_weights: str = ""
    glossary_file: str = ""  # en/fr/es domain terms (TSV); empty = bundled; "off" = no glossary
    sample_dir: str = ""  # folder indexed by `serve --ingest-sample`; empty = bundled samples

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Return settings from ``env`` (default: the process environment), then overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            name = ALIASES.get(f.name, PREFIX + f.name.upper())
            if name in env:
                values[f.name] = _coerce(f.type, env[name])
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"])
        return cls(**values)

    @staticmethod
    def env_name(field_name: str) -> str:
        """Return the environment variable that sets ``field_name``."""
        return ALIASES.get(field_name, PREFIX + field_name.upper())


def _coerce(kind: Any, raw: str) -> Any:
    kind = str(kind)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind == "Path":
        return Path(raw)
    return raw
