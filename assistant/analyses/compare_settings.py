"""The compare settings group (``Settings.compare``): the fallback judge of comparison cells.

Kept beside the analyses so that ``assistant/config.py`` stays short; it is one of the nested
groups of :class:`assistant.config.Settings` (``SUBMISSIONS_COMPARE_<FIELD>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import ConfigError


@dataclass(frozen=True, slots=True)
class CompareSettings:
    """The fallback judge of a comparison's cells (analyses/judging.py).

    A logistic regression on a passage's features, fitted by ``benchmarks/fit_compare.py`` on
    the tune split of tests/data/questions-compare.jsonl (docs/benchmarks.md, "Compare").
    """

    cosine_weight: float = 1.603  # cosine to the aspect, standardised within the language
    coverage_weight: float = 0.646  # idf-weighted share of the aspect's words in the passage
    sentence_weight: float = 0.55  # the same share in its best sentence
    bm25_weight: float = 0.163  # log(1 + BM25)
    substance_weight: float = 2.654  # share of running text
    bias: float = -4.978
    threshold: float = 0.59  # a cell is "not addressed" below this probability
    runner_up_ratio: float = 0.7  # chat also cites a side's next passages this close to the best
    cited_per_side: int = 5  # at most this many passages of a side per row in chat

    def __post_init__(self) -> None:
        if self.cited_per_side < 1:
            raise ConfigError(
                "setting compare.cited_per_side (SUBMISSIONS_COMPARE_CITED_PER_SIDE) must be "
                f"at least 1, not {self.cited_per_side!r}"
            )
        for name in ("threshold", "runner_up_ratio"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ConfigError(
                    f"setting compare.{name} (SUBMISSIONS_COMPARE_{name.upper()}) must be in "
                    f"[0, 1], not {value!r}: fix the variable or the fitted values file"
                )

    @property
    def weights(self) -> tuple[float, ...]:
        """Return the weights in the judge's feature order, then the bias."""
        return (
            self.cosine_weight,
            self.coverage_weight,
            self.sentence_weight,
            self.bm25_weight,
            self.substance_weight,
            self.bias,
        )
