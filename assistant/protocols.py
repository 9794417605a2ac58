"""The seams between the assistant and the index, as Protocols (``vectorstore.store.PassageStore``
satisfies all of them; tests use the real store too). The LLM seam is
``assistant.answering.llm.ChatModel``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.types import Document, Passage, Submission
from vectorstore.types import Filters, Hit


class SearchableStore(Protocol):
    """What retrieval uses: the two searches, exact re-scoring and the submissions."""

    def dense_search(
        self, query: str | np.ndarray, k: int, filters: Filters | None = None
    ) -> list[Hit]: ...
    def exact_search(
        self, query: str | np.ndarray, k: int, filters: Filters | None = None
    ) -> list[Hit]: ...
    def lexical_search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]: ...
    def count(self) -> int: ...
    def vectors(self, ids: Sequence[str]) -> Any: ...
    def lexical_scores(self, query: str, ids: Sequence[str]) -> Any: ...
    def embed_query(self, text: str) -> np.ndarray: ...
    def submissions(self) -> list[Submission]: ...


class DocumentStore(Protocol):
    """What answers and citations use: submissions and their canonical documents."""

    def submissions(self) -> list[Submission]: ...
    def document(self, key: str) -> Document: ...


class PassageIndex(SearchableStore, DocumentStore, Protocol):
    """What the Engine and the app use: searches, documents, originals and counts."""

    index_dir: Path

    def recorded_embedder(self) -> tuple[str, int] | None: ...
    def submission(self, key: str) -> Submission: ...
    def original_path(self, key: str) -> Path: ...
    def passages_of(self, key: str) -> list[Passage]: ...
