"""Build what the commands use from the settings: the embedder, the store, the engine.

The one place that turns ``Settings`` into a ``PassageStore`` and an ``Engine``; heavy libraries
load inside the functions, so that a no-change ``submissions ingest`` stays cheap.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings, hnsw_of

if TYPE_CHECKING:
    from assistant.engine import Engine
    from vectorstore.embeddings import Embedder
    from vectorstore.store import PassageStore


def settings_embedder(settings: Settings) -> Embedder:
    """Return the embedder the settings choose (its model loads on first use)."""
    from vectorstore.embeddings import load_embedder

    return load_embedder(
        settings.embedder,
        url=settings.embedding_url,
        model=settings.embedding_model,
        dim=settings.embedding_dim,
    )


def open_store(
    settings: Settings,
    *,
    embedder: bool = True,
    check_embedder: bool = True,
    must_exist: bool = False,
) -> PassageStore:
    """Open the index folder of ``settings`` (with the configured embedder unless told not to).

    With ``must_exist`` a missing folder is an error instead of a new, empty index: commands
    that only read (status, search, remove, ask, eval) must not leave empty folders behind.
    """
    from vectorstore.store import PassageStore

    if must_exist:
        require_index(settings)

    return PassageStore(
        settings.index_dir,
        settings_embedder(settings) if embedder else None,
        collection=settings.collection,
        chroma_url=settings.chroma_url,
        check_embedder=check_embedder,
        hnsw=hnsw_of(settings),
    )


def require_index(settings: Settings) -> None:
    """Raise ConfigError naming the folder when ``settings`` points at no index."""
    from assistant.errors import ConfigError
    from vectorstore.generations import has_index

    folder = Path(settings.index_dir)
    if not settings.chroma_url and not has_index(folder):
        raise ConfigError(
            f"no index in {folder}: run `submissions ingest FOLDER --index {folder}` first, "
            "or point --index (SUBMISSIONS_INDEX) at an existing index"
        )


def build_engine(
    settings: Settings, *, top_k: int | None = None, must_exist: bool = True
) -> Engine:
    """Return an Engine for ``settings``; the LLM key is read here, at the edge.

    ``must_exist`` refuses a folder with no index (ask, eval); the app may start empty.
    """
    from dataclasses import replace

    from assistant.engine import Engine

    if must_exist:
        require_index(settings)
    if top_k:
        settings = replace(settings, top_k=top_k)
    api_key = os.environ.get(settings.llm_api_key_env, "") if settings.llm_url else ""
    return Engine.from_settings(settings, api_key=api_key)
