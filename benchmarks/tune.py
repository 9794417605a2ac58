"""Fit the relevance judgement, who, the refusal and the sentence choice; write fitted.json.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/tune.py [--index DIR] [--fast-index DIR]
       [--folds 5] [--no-write]

Labelled passages: for every labelled question (dev, extra, held-out and the who / no-answer
sets under tests/data when present), a passage addresses the question when it comes from a gold
file and contains a gold quote, or a contiguous run of at least 60 % of its words
(``assistant.evaluation.holds_quote``). Every passage of the index is a row, so the negatives
are every other passage of every submission.

Fitting: a logistic regression (numpy, Newton steps with a small L2 penalty) on standardised
features. Cross-validation: k folds over questions (all passages of one question stay in one
fold), so out-of-sample figures come from questions the fit never saw. The thresholds (who,
answer/refuse, sentence) are fitted inside each training fold too. The final model is fitted on
all the questions and written to assistant/data/fitted.json, which the settings load.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))


from assistant.answering.citations import overlap_ratio  # noqa: E402
from assistant.answering.corpus import _logit, fused_scores  # noqa: E402
from assistant.answering.quantities import holds_quantity  # noqa: E402
from assistant.answering.relevance import (  # noqa: E402
    FEATURES,
    MODEL_FILE,
    SENTENCE_FEATURES,
    Judge,
    Logistic,
    Model,
    sentence_features,
)
from assistant.answering.sentences import sentence_spans  # noqa: E402
from assistant.retrieval.glossary import bundled  # noqa: E402
from assistant.retrieval.retriever import in_scope  # noqa: E402
from ingest.analysis import normalize_space  # noqa: E402


def _sibling(name: str):
    """Import a module of this folder by path (the folder is off sys.path: see above)."""
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_data = _sibling("tune_data")
WHO_KINDS, Labelled, load_sets = _data.WHO_KINDS, _data.Labelled, _data.load_sets
passage_labels = _data.passage_labels
_decide = _sibling("tune_decide")

L2 = 1.0
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)
MAX_WRONGLY_REFUSED = 0.05


# ---- data --------------------------------------------------------------------------------
@dataclass
class Item:
    """One labelled question with every passage's features and labels."""

    question: Labelled
    source: str
    text: str  # what is judged: the question's topic (follow-ups resolved, group words out)
    columns: dict[str, np.ndarray]
    labels: np.ndarray  # per passage: addresses the question (overlaps a gold quote)
    labelled: np.ndarray  # per passage: the label is known (see tune_data)
    keys: np.ndarray  # per passage: submission key
    gold_keys: frozenset[str]  # submissions holding a gold quote
    scope: np.ndarray  # per passage: inside the question's filters (group, follow-up)
    static: dict[str, float]  # question features that do not depend on the passage model
    vector: np.ndarray  # the query vector
    files: np.ndarray  # per passage: its file
    submitters: np.ndarray | None = None  # per passage: its submitter (one bullet each)
    # per passage: states a quantity about what the question counts (None: it asks for none)
    quantity: np.ndarray | None = None


def build_items(engine, judge: Judge, questions: list[Labelled]) -> list[Item]:
    snap = judge.snapshot()
    subs = {s.key: s for s in engine.store.submissions()}
    by_file = {s.file: s.key for s in subs.values()}
    documents = {s.file: engine.store.document(s.key).text for s in subs.values()}
    keys = np.array([p.submission_key for p in snap.passages])
    files = np.array([subs[k].file for k in keys])
    items = []
    for q in questions:
        query = engine.analyse(q.question, list(q.history))
        fused = fused_scores(engine.retrieval(query).pool, engine.retriever.fusion)
        probe = judge.probe(query, fused=fused)
        columns = judge.features(probe)
        labels, labelled = passage_labels(q, snap.passages, files, documents)
        gold = frozenset(by_file[f] for f, _ in q.quotes if f in by_file)
        scope = np.array([in_scope(query, p, subs[p.submission_key]) for p in snap.passages])
        qcols = judge.question_features(probe, np.zeros(1), ["-"])
        static = {n: float(qcols[n][0]) for n in ("unseen", "unseen_names")}
        words, quantity = probe.counted, None
        if words is not None:
            quantity = np.array(
                [
                    holds_quantity(p.text, lang, probe.terms, words)
                    for p, lang in zip(snap.passages, snap.languages, strict=True)
                ]
            )
        items.append(
            Item(
                q,
                q.source,
                probe.text,
                columns,
                labels,
                labelled,
                keys,
                gold,
                scope,
                static,
                probe.vector,
                files,
                np.array([subs[k].submitter_label for k in keys]),
                quantity,
            )
        )
    return items


# ---- logistic regression -----------------------------------------------------------------
def fit_logistic(columns: dict[str, np.ndarray], y: np.ndarray, names: tuple[str, ...]) -> Logistic:
    """Return a logistic regression of ``y`` on the standardised ``names`` columns."""
    X = np.column_stack([columns[n] for n in names]).astype(np.float64)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = np.column_stack([np.ones(len(X)), (X - mean) / scale])
    w = np.zeros(Z.shape[1])
    penalty = np.full(Z.shape[1], L2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -30, 30)))
        grad = Z.T @ (p - y) + penalty * w
        hess = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return Logistic(tuple(names), tuple(mean), tuple(scale), tuple(w[1:]), float(w[0]))


def stack(items: list[Item], names: tuple[str, ...]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Return the labelled rows of ``items`` (unlabelled passages stay out of the fit)."""
    columns = {n: np.concatenate([it.columns[n][it.labelled] for it in items]) for n in names}
    return columns, np.concatenate([it.labels[it.labelled] for it in items]).astype(np.float64)


def folds_of(items: list[Item], k: int) -> list[int]:
    """Assign questions to ``k`` folds, spreading each set and kind evenly (deterministic)."""
    order = sorted(range(len(items)), key=lambda i: (items[i].question.kind, items[i].question.id))
    fold = [0] * len(items)
    for n, i in enumerate(order):
        fold[i] = n % k
    return fold


# ---- decisions from probabilities --------------------------------------------------------
def submission_strengths(item: Item, probs: np.ndarray) -> dict[str, float]:
    """Return the best passage probability of each submission in the question's scope."""
    out: dict[str, float] = {}
    for key, p, inside in zip(item.keys, probs, item.scope, strict=True):
        if inside:
            out[key] = max(out.get(key, 0.0), float(p))
    return out


def who_counts(item: Item, probs: np.ndarray, threshold: float) -> tuple[int, int, int]:
    """Return (true positives, listed, gold) submissions for one question."""
    strengths = submission_strengths(item, probs)
    listed = {k for k, s in strengths.items() if s >= threshold}
    return len(listed & item.gold_keys), len(listed), len(item.gold_keys)


def who_f(items: list[Item], probs: list[np.ndarray], threshold: float) -> tuple[float, float]:
    """Return (mean recall, mean precision) of who over answerable items."""
    recalls, precisions = [], []
    for item, p in zip(items, probs, strict=True):
        if not item.gold_keys:
            continue
        tp, listed, gold = who_counts(item, p, threshold)
        recalls.append(tp / gold)
        precisions.append(tp / listed if listed else 0.0)
    return float(np.mean(recalls) if recalls else 0), float(
        np.mean(precisions) if precisions else 0
    )


def fit_who_threshold(items: list[Item], probs: list[np.ndarray]) -> float:
    """Return the passage-level who threshold (benchmarks/tune_decide.py)."""
    return _decide.fit_who_threshold(who_f, items, probs)


def question_columns(item: Item, probs: np.ndarray, quoted: int) -> dict[str, np.ndarray]:
    """Return the question-level refusal features of ``item`` under passage ``probs`` (``quoted``:
    the passages an answer quotes, which must state the quantity a question asks for)."""
    ranked = [*sorted(submission_strengths(item, probs).values(), reverse=True), 0.0, 0.0]
    missing = 0.0
    if item.quantity is not None:
        rows = np.flatnonzero(item.scope)
        best = rows[np.argsort(-probs[rows], kind="stable")[:quoted]]
        missing = float(not item.quantity[best].any())
    return {
        "quantity_missing": np.array([missing]),
        "top": np.array([_logit(ranked[0])]),
        "second": np.array([_logit(ranked[1])]),
        "unseen": np.array([item.static["unseen"]]),
        "unseen_names": np.array([item.static["unseen_names"]]),
    }


def fit_question(
    items: list[Item], probs: list[np.ndarray], names: tuple[str, ...], quoted: int
) -> Logistic:
    cols = [question_columns(it, p, quoted) for it, p in zip(items, probs, strict=True)]
    columns = {n: np.concatenate([c[n] for c in cols]) for n in names}
    y = np.array([float(it.question.answerable) for it in items])
    return fit_logistic(columns, y, names)


def answer_scores(items, probs, qmodel: Logistic | None, quoted: int) -> list[float]:
    """Return P(answerable) per item (the best passage's probability without a model)."""
    if qmodel is None:
        return [
            max(submission_strengths(it, p).values(), default=0.0)
            for it, p in zip(items, probs, strict=True)
        ]
    return [
        float(qmodel.probability(question_columns(it, p, quoted))[0])
        for it, p in zip(items, probs, strict=True)
    ]


def fit_answer_threshold(items: list[Item], scores: list[float]) -> float:
    """Return the threshold that refuses most no-answer questions, at most 5 % answerable."""
    tops_yes = sorted(s for i, s in zip(items, scores, strict=True) if i.question.answerable)
    tops_no = [s for i, s in zip(items, scores, strict=True) if not i.question.answerable]
    if not tops_yes:
        return 0.5
    allowed = int(np.floor(MAX_WRONGLY_REFUSED * len(tops_yes)))
    ceiling = tops_yes[allowed]  # refusing below this refuses at most ``allowed`` answerable
    best_t, best = ceiling, -1.0
    for t in np.linspace(0.0, ceiling, 200):
        refused_no = sum(x < t for x in tops_no) / len(tops_no) if tops_no else 0.0
        refused_yes = sum(x < t for x in tops_yes) / len(tops_yes)
        score = refused_no - refused_yes
        if score > best:
            best, best_t = score, float(t)
    return best_t


# ---- cross-validation --------------------------------------------------------------------
@dataclass
class Outcome:
    """Out-of-fold (or in-sample) probabilities and decisions for one feature set."""

    name: str
    probs: list[np.ndarray]  # per item: every passage's probability
    answer: list[float]  # per item: P(answerable)
    who_thresholds: list[float]
    answer_thresholds: list[float]
    quoted: list[tuple[int, float]] | None = None  # per item: (N, ratio) of its fold's fit


@dataclass
class Fitted:
    passage: Logistic
    question: Logistic | None
    who_threshold: float  # on the best passage's probability
    answer_threshold: float
    submission: Logistic | None = None  # P(a submission addresses X | its best passage)
    quoted_passages: int = 3  # an answer quotes the best N judged passages
    quoted_ratio: float = 0.0  # ... each after the first at least this x the best's probability

    def who_strength_threshold(self) -> float:
        """Return the who threshold on the submission-level (strength) scale."""
        if self.submission is None:
            return self.who_threshold
        column = {"best": np.array([_logit(self.who_threshold)])}
        return float(self.submission.probability(column)[0])


def fit_submission(items: list[Item], probs: list[np.ndarray]) -> Logistic:
    """Fit P(submission addresses X) on the log-odds of its best passage (who questions first)."""
    who = [i for i, it in enumerate(items) if it.question.kind in WHO_KINDS and it.gold_keys]
    chosen = who if len(who) >= 10 else [i for i, it in enumerate(items) if it.gold_keys]
    best, labels = [], []
    for i in chosen:
        for key, p in submission_strengths(items[i], probs[i]).items():
            best.append(_logit(p))
            labels.append(float(key in items[i].gold_keys))
    return fit_logistic({"best": np.array(best)}, np.array(labels), ("best",))


def fit_all(items: list[Item], names: tuple[str, ...], qnames: tuple[str, ...] | None) -> Fitted:
    """Fit the passage model, the who threshold, the question model and its threshold."""
    passage = fit_logistic(*stack(items, names), names)
    probs = [passage.probability(it.columns) for it in items]
    quoted = _decide.fit_quoted(items, probs)  # first: the refusal reads the quoted passages
    question = fit_question(items, probs, qnames, quoted[0]) if qnames else None
    scores = answer_scores(items, probs, question, quoted[0])
    return Fitted(
        passage,
        question,
        fit_who_threshold(items, probs),
        fit_answer_threshold(items, scores),
        fit_submission(items, probs),
        *quoted,
    )


def apply(fitted: Fitted, items: list[Item]) -> tuple[list[np.ndarray], list[float]]:
    probs = [fitted.passage.probability(it.columns) for it in items]
    return probs, answer_scores(items, probs, fitted.question, fitted.quoted_passages)


def crossval(
    items: list[Item], names: tuple[str, ...], qnames: tuple[str, ...] | None, k: int
) -> Outcome:
    """Return out-of-fold probabilities and decisions, fitting on the other folds."""
    fold = folds_of(items, k)
    n = len(items)
    probs: list[np.ndarray] = [np.zeros(0)] * n
    answer, who_t, ans_t = [0.0] * n, [0.0] * n, [0.0] * n
    quoted: list[tuple[int, float]] = [(0, 0.0)] * n
    for f in range(k):
        train = [it for it, g in zip(items, fold, strict=True) if g != f]
        test = [i for i in range(n) if fold[i] == f]
        fitted = fit_all(train, names, qnames)
        p, a = apply(fitted, [items[i] for i in test])
        for j, i in enumerate(test):
            probs[i], answer[i] = p[j], a[j]
            who_t[i], ans_t[i] = fitted.who_threshold, fitted.answer_threshold
            quoted[i] = (fitted.quoted_passages, fitted.quoted_ratio)
    return Outcome("+".join(names), probs, answer, who_t, ans_t, quoted)


def insample(items: list[Item], names, qnames) -> tuple[Outcome, Fitted]:
    fitted = fit_all(items, names, qnames)
    probs, answer = apply(fitted, items)
    n = len(items)
    out = Outcome(
        "+".join(names), probs, answer, [fitted.who_threshold] * n, [fitted.answer_threshold] * n
    )
    return out, fitted


def metrics(items: list[Item], out: Outcome) -> dict[str, float]:
    """Return passage AUC, log loss and who / refusal figures of an outcome."""
    y = np.concatenate([it.labels[it.labelled] for it in items])
    p = np.concatenate([pr[it.labelled] for it, pr in zip(items, out.probs, strict=True)])
    recalls, precisions, refused_no, refused_yes = [], [], [], []
    rows = zip(items, out.probs, out.answer, out.who_thresholds, out.answer_thresholds, strict=True)
    for it, pr, a, tw, ta in rows:
        if it.question.answerable:
            refused_yes.append(a < ta)
            if it.gold_keys and it.question.kind in WHO_KINDS:
                tp, listed, gold = who_counts(it, pr, tw)
                recalls.append(tp / gold)
                precisions.append(tp / listed if listed else 0.0)
        else:
            refused_no.append(a < ta)
    answerable = np.array([it.question.answerable for it in items], dtype=float)
    return {
        "auc": auc(y, p),
        "who_map": who_map(items, out.probs),
        "answer_auc": auc(answerable, np.asarray(out.answer, dtype=float)),
        "log_loss": float(-np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))),
        "who_recall": float(np.mean(recalls)) if recalls else float("nan"),
        "who_precision": float(np.mean(precisions)) if precisions else float("nan"),
        "n_who": len(recalls),
        "refusal": float(np.mean(refused_no)) if refused_no else float("nan"),
        "wrongly_refused": float(np.mean(refused_yes)),
        "n_answerable": len(refused_yes),
        "n_no_answer": len(refused_no),
    }


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Return the area under the ROC curve (rank statistic, ties averaged)."""
    _, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    ranks = (np.bincount(inverse, weights=ranks) / counts)[inverse]
    pos = y.astype(bool)
    n1, n0 = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)) if n1 and n0 else float("nan")


def reliability(items: list[Item], probs: list[np.ndarray]) -> list[tuple[str, int, float, float]]:
    """Return (bin, passages, mean predicted, share that address the question) per bin."""
    y = np.concatenate([it.labels[it.labelled] for it in items])
    p = np.concatenate([pr[it.labelled] for it, pr in zip(items, probs, strict=True)])
    rows = []
    for lo, hi in itertools.pairwise(BINS):
        inside = (p >= lo) & (p < hi)
        if inside.sum():
            label = f"{lo:.1f}–{min(hi, 1.0):.1f}"
            rows.append(
                (label, int(inside.sum()), float(p[inside].mean()), float(y[inside].mean()))
            )
    return rows


# ---- sentence choice ---------------------------------------------------------------------
SENTENCE_PASSAGES = 8  # sentences of each question's best passages are rows
HIT_MARGIN = 0.005  # of the sentence hit rates: the sentence ablation's margin (ablate_sentence)


@dataclass
class SentenceRows:
    columns: dict[str, np.ndarray]
    labels: np.ndarray
    question: np.ndarray  # row -> item index
    passage: np.ndarray  # row -> its passage (item index x 1,000,000 + passage row)


def in_gold_quote(text: str, quotes: Sequence[str]) -> bool:
    """Return whether ``text`` (a sentence or a shown quote) holds one of the gold ``quotes``
    or lies 60 % inside one (by its words)."""
    text = normalize_space(text)
    return any(normalize_space(q) in text or overlap_ratio(text, q) >= 0.6 for q in quotes)


def sentence_rows(items: list[Item], probs: list[np.ndarray], judge: Judge) -> SentenceRows:
    """Return sentence rows of each answerable question's best passages, labelled by quote."""
    snap = judge.snapshot()
    cols: dict[str, list[np.ndarray]] = {n: [] for n in SENTENCE_FEATURES}
    labels, owner, within = [], [], []
    for idx, (it, pr) in enumerate(zip(items, probs, strict=True)):
        if not it.question.answerable:
            continue
        probe = judge.probe(it.text, it.vector)
        for row in np.argsort(-pr)[:SENTENCE_PASSAGES]:
            passage = snap.passages[row]
            spans = sentence_spans(passage.text)
            if not spans:
                continue
            c = sentence_features(probe, passage, spans, float(pr[row]))
            for n in SENTENCE_FEATURES:
                cols[n].append(c[n])
            file_quotes = [q for f, q in it.question.quotes if f == it.files[row]]
            for s, e in spans:
                labels.append(in_gold_quote(passage.text[s:e], file_quotes))
                owner.append(idx)
                within.append(idx * 1_000_000 + int(row))
    return SentenceRows(
        {n: np.concatenate(v) if v else np.zeros(0) for n, v in cols.items()},
        np.array(labels, dtype=np.float64),
        np.array(owner),
        np.array(within),
    )


def sentence_crossval(
    rows: SentenceRows, items: list[Item], k: int, names: tuple[str, ...] = SENTENCE_FEATURES
) -> np.ndarray:
    fold = np.array(folds_of(items, k))[rows.question]
    out = np.zeros(len(rows.labels))
    for f in range(k):
        train = fold != f
        model = fit_logistic(
            {n: c[train] for n, c in rows.columns.items()}, rows.labels[train], names
        )
        test = fold == f
        out[test] = model.probability({n: c[test] for n, c in rows.columns.items()})
    return out


def best_sentence_hit(rows: SentenceRows, scores: np.ndarray) -> float:
    """Return the share of questions whose best-scored sentence holds a gold quote."""
    hits = []
    for q in np.unique(rows.question):
        mine = rows.question == q
        if rows.labels[mine].any():
            hits.append(rows.labels[mine][np.argmax(scores[mine])])
    return float(np.mean(hits)) if hits else float("nan")


def within_passage_hit(rows: SentenceRows, scores: np.ndarray) -> tuple[float, int]:
    """Return the share of passages (of two or more sentences, one of them gold) whose
    best-scored sentence is a gold one, and how many passages that is: the quote a who card
    shows once its passage is chosen."""
    hits = []
    for g in np.unique(rows.passage):
        mine = rows.passage == g
        if mine.sum() > 1 and rows.labels[mine].any():
            hits.append(rows.labels[mine][np.argmax(scores[mine])])
    return (float(np.mean(hits)) if hits else float("nan")), len(hits)


def ablate_sentence(
    rows: SentenceRows, items: list[Item], k: int
) -> tuple[tuple[str, ...], list[tuple[str, float, float]]]:
    """Eliminate sentence features as ``ablate`` does the passage ones: in order, a feature is
    dropped when the model without it (and those dropped before) keeps both out-of-fold
    measures (the question's top sentence is gold; within a passage, the chosen one is) within
    ``HIT_MARGIN`` of the model with every feature."""

    def measured(names):
        scores = sentence_crossval(rows, items, k, names)
        return best_sentence_hit(rows, scores), within_passage_hit(rows, scores)[0]

    base = measured(SENTENCE_FEATURES)
    table = [("every feature", *base)]
    current = list(SENTENCE_FEATURES)
    for name in SENTENCE_FEATURES:
        rest = tuple(n for n in current if n != name)
        top, within = measured(rest)
        dropped = top >= base[0] - HIT_MARGIN and within >= base[1] - HIT_MARGIN
        table.append((f"without {name}" + (" (dropped)" if dropped else " (kept)"), top, within))
        if dropped:
            current = list(rest)
    return tuple(current), table


# ---- the run -----------------------------------------------------------------------------
QUESTION_SET = ("top", "unseen", "unseen_names", "quantity_missing")


def open_judge(index: Path, embedder: str):
    from assistant.config import Settings
    from assistant.engine import Engine
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    store = PassageStore(index, load_embedder(embedder))
    engine = Engine.for_store(store, Settings())
    blank = Logistic(("cosine",), (0.0,), (1.0,), (1.0,), 0.0)
    judge = Judge(
        store, model=Model(blank, None, None, 0.5, 0.5, 0.5, embedder), glossary=bundled()
    )
    return engine, judge


LOSS_MARGIN = 0.0002  # of the out-of-fold log loss (about 1 %): the ablation's margins (ablate)
MAP_MARGIN = 0.002  # of who mAP
AUC_MARGIN = 0.005  # of the AUC of P(answerable)


def ablate(items: list[Item], k: int) -> tuple[tuple[str, ...], list[tuple[str, dict]]]:
    """Sequential elimination of the passage features, everything refitted per fold: in the
    order of FEATURES, drop a feature when the model without it (and without those dropped
    before it) stays within the margins of the model with every feature on all three
    threshold-free measures: out-of-fold log loss (``LOSS_MARGIN``), who mAP (``MAP_MARGIN``)
    and the AUC of P(answerable) (``AUC_MARGIN``). Each decision sees the features still in, so
    two features that carry the same signal are not both dropped (one at a time from the full
    set, each looks useless); the margins bound the total loss against the full model."""
    full = crossval(items, FEATURES, QUESTION_SET, k)
    base = metrics(items, full)
    rows = [("all features", base)]
    current = list(FEATURES)
    for name in FEATURES:
        rest = tuple(n for n in current if n != name)
        m = metrics(items, crossval(items, rest, QUESTION_SET, k))
        within = (
            m["log_loss"] <= base["log_loss"] + LOSS_MARGIN
            and m["who_map"] >= base["who_map"] - MAP_MARGIN
            and m["answer_auc"] >= base["answer_auc"] - AUC_MARGIN
        )
        rows.append((f"without {name}" + (" (dropped)" if within else " (kept)"), m))
        if within:
            current = list(rest)
    return tuple(current) or FEATURES, rows


def ablate_question(
    items: list[Item], passage: tuple[str, ...], k: int
) -> tuple[tuple[str, ...], list[tuple[str, dict]]]:
    """Sequential elimination of the refusal (question-level) features after ``passage`` is
    chosen: in the order of QUESTION_SET, drop a feature when the model without it (and without
    those dropped before) keeps the out-of-fold AUC of P(answerable) within ``AUC_MARGIN`` of
    the model with every one. ``top`` (the best passage) always stays: it is what reads the
    passages."""
    base = metrics(items, crossval(items, passage, QUESTION_SET, k))
    rows = [("all refusal features", base)]
    current = list(QUESTION_SET)
    for name in QUESTION_SET[1:]:
        rest = tuple(n for n in current if n != name)
        m = metrics(items, crossval(items, passage, rest, k))
        within = m["answer_auc"] >= base["answer_auc"] - AUC_MARGIN
        rows.append((f"without {name}" + (" (dropped)" if within else " (kept)"), m))
        if within:
            current = list(rest)
    return tuple(current), rows


def who_map(items: list[Item], probs: list[np.ndarray]) -> float:
    """Return the mean average precision of the submissions ranked by strength, over the
    answerable who questions (threshold-free: how well the gold ones come first)."""
    aps = []
    for item, pr in zip(items, probs, strict=True):
        if not (item.gold_keys and item.question.kind in WHO_KINDS):
            continue
        strengths = submission_strengths(item, pr)
        ranked = sorted(strengths, key=lambda key: (-strengths[key], key))
        hits, total = 0, 0.0
        for i, key in enumerate(ranked, start=1):
            if key in item.gold_keys:
                hits += 1
                total += hits / i
        aps.append(total / len(item.gold_keys))
    return float(np.mean(aps)) if aps else float("nan")


def run_embedder(index: Path, embedder: str, names: list[str], k: int) -> dict:
    started = time.perf_counter()
    engine, judge = open_judge(index, embedder)
    items = build_items(engine, judge, load_sets(names))
    chosen, ablation = ablate(items, k)
    asked, question_ablation = ablate_question(items, chosen, k)
    oos = crossval(items, chosen, asked, k)
    ins, fitted = insample(items, chosen, asked)
    base_oos = crossval(items, ("cosine",), None, k)
    base_ins, _ = insample(items, ("cosine",), None)
    srows = sentence_rows(items, oos.probs, judge)
    spoken, sentence_ablation = ablate_sentence(srows, items, k)
    s_oos = sentence_crossval(srows, items, k, spoken)
    smodel = fit_logistic(srows.columns, srows.labels, spoken)
    s_ins = smodel.probability(srows.columns)
    s_base = srows.columns["coverage"] + 0.01 * srows.columns["passage"]
    s_threshold = fit_sentence_threshold(srows, s_ins)
    return {
        "embedder": embedder,
        "items": items,
        "chosen": chosen,
        "ablation": ablation,
        "asked": asked,
        "question_ablation": question_ablation,
        "oos": metrics(items, oos),
        "ins": metrics(items, ins),
        "base_oos": metrics(items, base_oos),
        "base_ins": metrics(items, base_ins),
        "reliability_oos": reliability(items, oos.probs),
        "quoted": [(n, *_decide.quoted_counts(items, oos.probs, n)) for n in range(1, 9)],
        "quoted_ratio": [
            (n, *_decide.quoted_counts(items, oos.probs, n, fitted.quoted_ratio))
            for n in range(1, 9)
        ],
        "quoted_oos": _decide.quoted_counts(items, oos.probs, 0, 0.0, oos.quoted),
        "reliability_base": reliability(items, base_oos.probs),
        "sentence": {
            "rows": len(srows.labels),
            "positives": int(srows.labels.sum()),
            "best_hit_oos": best_sentence_hit(srows, s_oos),
            "best_hit_ins": best_sentence_hit(srows, s_ins),
            "best_hit_coverage": best_sentence_hit(srows, s_base),
            "within_oos": within_passage_hit(srows, s_oos),
            "within_coverage": within_passage_hit(srows, s_base),
            "features": spoken,
            "ablation": sentence_ablation,
        },
        "fitted": {
            "passage": fitted.passage.to_json(),
            "question": fitted.question.to_json() if fitted.question else None,
            "sentence": smodel.to_json(),
            "submission": fitted.submission.to_json() if fitted.submission else None,
            "who_threshold": round(fitted.who_strength_threshold(), 4),
            "who_passage_threshold": round(fitted.who_threshold, 4),
            "answer_threshold": round(fitted.answer_threshold, 4),
            "sentence_threshold": round(s_threshold, 4),
            "quoted_passages": fitted.quoted_passages,
            "quoted_ratio": fitted.quoted_ratio,
            "questions": len(items),
            "labelled_passages": int(sum(it.labels.sum() for it in items)),
        },
        "seconds": time.perf_counter() - started,
    }


def fit_sentence_threshold(rows: SentenceRows, scores: np.ndarray) -> float:
    """Return the score above which a further sentence is worth quoting (max F1)."""
    best, best_t = -1.0, 0.5
    y = rows.labels.astype(bool)
    for t in np.linspace(0.02, 0.9, 45):
        chosen = scores >= t
        tp = (chosen & y).sum()
        f1 = 2 * tp / (chosen.sum() + y.sum()) if chosen.sum() + y.sum() else 0.0
        if f1 > best:
            best, best_t = f1, float(t)
    return best_t


def write_fitted(runs: list[dict], folds: int) -> None:
    """Write the weights to assistant/data/relevance.json and the thresholds to fitted.json."""
    from assistant.config import FITTED

    about = "Written by benchmarks/tune.py; do not edit by hand (docs/benchmarks.md)."
    weights = {
        "about": about,
        "sets": sorted({it.source for it in runs[0]["items"]}),
        "folds": folds,
        "embedders": {
            run["embedder"]: {
                k: v
                for k, v in run["fitted"].items()
                if k in ("passage", "question", "submission", "sentence")
            }
            for run in runs
        },
    }
    MODEL_FILE.write_text(json.dumps(weights, indent=2) + "\n", encoding="utf-8")
    current = json.loads(FITTED.read_text(encoding="utf-8")) if FITTED.is_file() else {}
    group = dict(current.get("relevance", {}))
    for run in runs:
        fam = run["embedder"]
        group[f"{fam}_who_threshold"] = run["fitted"]["who_threshold"]
        group[f"{fam}_answer_threshold"] = run["fitted"]["answer_threshold"]
        group[f"{fam}_sentence_threshold"] = run["fitted"]["sentence_threshold"]
        group[f"{fam}_quoted_passages"] = run["fitted"]["quoted_passages"]
        group[f"{fam}_quoted_ratio"] = run["fitted"]["quoted_ratio"]
    current["relevance"] = group
    current.setdefault("_about", about)
    FITTED.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=Path("/tmp/relevance/real-e5"))
    parser.add_argument("--fast-index", type=Path, default=Path("/tmp/relevance/real-fast"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--sets", default="dev,extra,heldout,who,noanswer,factual")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    names = [n for n in args.sets.split(",") if n]
    runs = [run_embedder(args.index, "e5", names, args.folds)]
    if args.fast_index.exists():
        runs.append(run_embedder(args.fast_index, "fast", names, args.folds))
    for run in runs:
        print(run["embedder"], "chosen:", run["chosen"], "refusal features:", run["asked"])
        for label in ("oos", "ins", "base_oos"):
            print(f"  {label}:", {k: round(v, 3) for k, v in run[label].items()})
        print("  sentence:", run["sentence"])
        for name, m in run["ablation"]:
            print(
                "  ",
                name,
                {
                    k: round(v, 3)
                    for k, v in m.items()
                    if k
                    in (
                        "log_loss",
                        "who_map",
                        "answer_auc",
                        "who_recall",
                        "who_precision",
                        "refusal",
                    )
                },
            )
    if args.no_write:
        return 0
    write_fitted(runs, args.folds)
    replace_section = _sibling("_sections").replace_section
    report = _sibling("tune_report").report
    replace_section("Relevance judgement (fitted)", report(runs, args, names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
