"""The relevance settings group (``Settings.relevance``): thresholds of the calibrated judgement.

Kept beside the judgement so that ``assistant/config.py`` stays short; it is one of the nested
groups of :class:`assistant.config.Settings` (``SUBMISSIONS_RELEVANCE_<FIELD>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.errors import ConfigError


def check(ok: bool, name: str, rule: str, value: Any) -> None:
    """Raise ConfigError naming the setting and its variable unless ``ok``."""
    if not ok:
        variable = "SUBMISSIONS_" + name.replace(".", "_").upper()
        raise ConfigError(
            f"setting {name} ({variable}) must be {rule}, not {value!r}: fix the variable "
            "or the fitted values file"
        )


@dataclass(frozen=True, slots=True)
class RelevanceSettings:
    """The calibrated relevance judgement (answering/relevance.py) and what it decides.

    The model's weights live in ``model_file`` (written by benchmarks/tune.py); the decisions
    are thresholds on its calibrated probabilities, per embedder family, also fitted there.
    """

    model_file: str = ""  # fitted weights (JSON); empty = assistant/data/relevance.json
    e5_who_threshold: float = 0.5  # a submission addresses X when its strength is this or more
    e5_answer_threshold: float = 0.5  # answer (else refuse) when P(answerable) is this or more
    e5_sentence_threshold: float = 0.1  # a second sentence is quoted when it scores this or more
    fast_who_threshold: float = 0.5
    fast_answer_threshold: float = 0.5
    fast_sentence_threshold: float = 0.1
    e5_quoted_passages: int = 3  # an answer quotes the judgement's best N passages in scope
    fast_quoted_passages: int = 3
    e5_quoted_ratio: float = 0.0  # ... each after the first scoring at least this x the best's
    fast_quoted_ratio: float = 0.0
    quotes_per_submitter: int = 2  # sentences quoted per submitter in a judged answer
    answer_method: str = "judged"  # judged | topk (the earlier answer from the top k passages)

    def __post_init__(self) -> None:
        for name in (
            "e5_who_threshold",
            "e5_answer_threshold",
            "e5_sentence_threshold",
            "fast_who_threshold",
            "fast_answer_threshold",
            "fast_sentence_threshold",
            "e5_quoted_ratio",
            "fast_quoted_ratio",
        ):
            value = getattr(self, name)
            check(0 <= value <= 1, f"relevance.{name}", "in [0, 1]", value)
        check(
            self.quotes_per_submitter >= 1,
            "relevance.quotes_per_submitter",
            ">= 1",
            self.quotes_per_submitter,
        )
        for name in ("e5_quoted_passages", "fast_quoted_passages"):
            value = getattr(self, name)
            check(value >= 1, f"relevance.{name}", ">= 1", value)
        check(
            self.answer_method in ("judged", "topk"),
            "relevance.answer_method",
            "judged or topk",
            self.answer_method,
        )

    def thresholds(self, embedder: str) -> tuple[float, float, float]:
        """Return (who, answer, sentence) thresholds for ``embedder`` ("fast", "e5", ...)."""
        if embedder.split(":")[0] == "fast":
            return self.fast_who_threshold, self.fast_answer_threshold, self.fast_sentence_threshold
        return self.e5_who_threshold, self.e5_answer_threshold, self.e5_sentence_threshold

    def quoted_passages(self, embedder: str) -> int:
        """Return how many of the best judged passages an answer quotes, for ``embedder``."""
        if embedder.split(":")[0] == "fast":
            return self.fast_quoted_passages
        return self.e5_quoted_passages

    def quoted_ratio(self, embedder: str) -> float:
        """Return the share of the best passage's probability a further quoted one needs."""
        if embedder.split(":")[0] == "fast":
            return self.fast_quoted_ratio
        return self.e5_quoted_ratio
