"""The llama-index default pipeline, as an evaluation baseline (llama-index stays at this edge).

``VectorStoreIndex.from_documents`` over each submission's canonical text, with llama-index's
default ``SentenceSplitter`` and in-memory vector store, embedding with the index's own embedder
wrapped as a llama-index ``BaseEmbedding``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.protocols import PassageIndex

logger = logging.getLogger(__name__)


def wrap_embedder(embedder: Any) -> Any:
    """Return ``embedder`` (our Embedder protocol) as a llama-index BaseEmbedding."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class OurEmbedding(BaseEmbedding):
        _inner: Any = PrivateAttr()

        def __init__(self, inner: Any) -> None:
            super().__init__(model_name=getattr(inner, "name", "ours"), embed_batch_size=16)
            self._inner = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.embed_passages(texts).tolist()

    return OurEmbedding(embedder)


def llama_index_search(
    store: PassageIndex, *, k: int = 10
) -> Callable[[Any], list[tuple[str, str]]]:
    """Build the baseline index over ``store``'s documents; return a search(question) function."""
    from llama_index.core import Document, VectorStoreIndex

    docs = []
    for sub in store.submissions():
        text = store.document(sub.key).text
        docs.append(Document(text=text, metadata={"file": sub.file}))
    index = VectorStoreIndex.from_documents(docs, embed_model=wrap_embedder(store.embedder))
    retriever = index.as_retriever(similarity_top_k=k)
    logger.info("llama-index baseline: %d documents indexed", len(docs))

    def search(question: Any) -> list[tuple[str, str]]:
        text = question.question
        if question.history:  # the baseline has no follow-up handling: prepend the history
            text = " ".join([*question.history, text])
        nodes = retriever.retrieve(text)
        return [(n.node.metadata.get("file", ""), n.node.get_content()) for n in nodes]

    return search
