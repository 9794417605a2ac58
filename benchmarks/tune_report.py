"""The Markdown section benchmarks/tune.py writes to docs/benchmarks.md."""

from __future__ import annotations

import platform
from collections import Counter


def _f(value: float) -> str:
    return "–" if value != value else f"{value:.2f}"  # NaN -> dash


def _line(name: str, m: dict) -> str:
    return (
        f"| {name} | {_f(m['auc'])} | {m['log_loss']:.4f} | {m['who_map']:.3f} | "
        f"{m['answer_auc']:.3f} | {_f(m['who_recall'])} | "
        f"{_f(m['who_precision'])} | {m['n_who']} | {_f(m['refusal'])} | "
        f"{_f(m['wrongly_refused'])} | {m['n_no_answer']} / {m['n_answerable']} |"
    )


HEAD = (
    "| model | passage AUC | log loss | who mAP | P(answerable) AUC | who recall | "
    "who precision | who questions | refusal (no-answer refused) | answerable refused | "
    "no-answer / answerable |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def report(runs: list[dict], args, names: list[str]) -> str:
    first = runs[0]
    items = first["items"]
    by_set = Counter(it.source for it in items)
    by_kind = Counter(it.question.kind for it in items)
    out = [
        "Command: `PYTHONPATH=. .venv/bin/python benchmarks/tune.py "
        f"--folds {args.folds} --sets {','.join(names)}` "
        f"({platform.machine()}, {platform.python_version()}); it writes "
        "the weights to `assistant/data/relevance.json` (loaded by "
        "`assistant/answering/relevance.py`) and the thresholds to the `relevance` group of "
        "`assistant/data/fitted.json` (loaded by the settings).",
        "",
        f"Questions: {len(items)} ("
        + ", ".join(f"{k} {v}" for k, v in sorted(by_set.items()))
        + "; by kind: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
        + "). Labelled passages (benchmarks/tune_data.py, tests/data/LABELS.md): a passage "
        "addresses a question when it overlaps a gold quote located exactly in the canonical "
        "text (30 % of the quote, or 100 characters); passages of submissions without a gold "
        "quote are negatives; the other passages of a gold submission are unlabelled and left "
        "out of the fit and of these figures, except for the dev questions, whose passage gold "
        "relevance-labels.jsonl completes. Who: a submission is listed when its best passage "
        "scores at or above the fitted who threshold; gold = the files of the gold quotes. "
        "The who threshold is fitted for issue 8's objective (benchmarks/tune_decide.py): the "
        "most recall while the mean precision stays at 0.8 or more on the training questions; "
        "an answer quotes the judgement's best N passages, each after the first only while it "
        "scores at least a ratio of the best one, (N, ratio) the most answers quoting a gold "
        "passage while 0.7 or more of the quoted passages address the question.",
        "",
        f"Out-of-sample = {args.folds}-fold cross-validation over questions (every passage of "
        "a question in one fold; thresholds fitted inside the training folds). In-sample = "
        "fitted and scored on all questions. Baseline = passage cosine alone, with one fitted "
        "threshold for who and one for the refusal (the best cosine in scope).",
    ]
    for run in runs:
        fitted = run["fitted"]
        out += [
            "",
            f"### {run['embedder']}: judgement against cosine alone",
            "",
            f"Features kept by the ablation: {', '.join(run['chosen'])}; refusal (question "
            f"level): {', '.join(run['asked'])} (top: log-odds of the best passage; unseen: the "
            "share of the question's words found nowhere in the index; unseen_names: its names "
            "or years found nowhere; quantity_missing: the question asks for a quantity and the "
            "passages an answer quotes state none about what it counts). Fitted thresholds: who "
            f"{fitted['who_threshold']}, answer {fitted['answer_threshold']}, sentence "
            f"{fitted['sentence_threshold']}; passages quoted {fitted['quoted_passages']}, each "
            f"after the first at {fitted['quoted_ratio']} x the best or more. "
            f"{fitted['labelled_passages']} labelled passages.",
            "",
            HEAD,
            _line("judgement, out-of-sample", run["oos"]),
            _line("judgement, in-sample", run["ins"]),
            _line("cosine + threshold, out-of-sample", run["base_oos"]),
            _line("cosine + threshold, in-sample", run["base_ins"]),
            "",
            "Ablation (out-of-sample, sequential: in this order, a passage feature is dropped "
            "when the model without it and without those dropped before stays within 0.0002 "
            "log loss, 0.002 who mAP and 0.005 AUC of P(answerable) of the model with every "
            "feature; all three are threshold-free; each row is the model without the features "
            "dropped so far and without that row's feature):",
            "",
            HEAD,
            *(_line(name, m) for name, m in run["ablation"]),
            "",
            "Refusal features, after those (out-of-sample, sequential in the same way: a "
            "feature is dropped when the model without it and without those dropped before "
            "keeps the AUC of P(answerable) within 0.005 of the model with every one; top "
            "always stays):",
            "",
            HEAD,
            *(_line(name, m) for name, m in run["question_ablation"]),
            "",
            "Reliability of the passage probabilities, out-of-sample (all passages of all "
            "labelled questions):",
            "",
            "| predicted | passages | mean predicted | share that address the question |",
            "|---|---|---|---|",
            *(f"| {b} | {n} | {p:.3f} | {y:.3f} |" for b, n, p, y in run["reliability_oos"]),
            "",
            "Quoting the judgement's best N passages in scope (answerable questions, "
            "out-of-sample): the share of answers that would quote a gold passage against the "
            "share of quoted (labelled) passages that address the question:",
            "",
            "| N | " + " | ".join(str(n) for n, _, _ in run["quoted"]) + " |",
            "|---" * (len(run["quoted"]) + 1) + "|",
            "| quotes a gold passage | " + " | ".join(_f(h) for _, h, _ in run["quoted"]) + " |",
            "| quoted passages that address | "
            + " | ".join(_f(a) for _, _, a in run["quoted"])
            + " |",
            f"| quotes a gold passage, further ones at {fitted['quoted_ratio']} x the best | "
            + " | ".join(_f(h) for _, h, _ in run["quoted_ratio"])
            + " |",
            f"| quoted passages that address, further ones at {fitted['quoted_ratio']} x | "
            + " | ".join(_f(a) for _, _, a in run["quoted_ratio"])
            + " |",
            "",
            "With (N, ratio) fitted inside each training fold and applied to the held-out "
            f"questions: {_f(run['quoted_oos'][0])} of answers quote a gold passage, "
            f"{_f(run['quoted_oos'][1])} of the quoted passages address the question.",
            "",
            "Sentence choice (sentences of each answerable question's 8 best passages; a "
            "sentence is positive when it lies inside a gold quote or 60 % of its words are "
            f"in one): {run['sentence']['rows']} sentences, {run['sentence']['positives']} "
            "positive. Share of questions whose top sentence is a gold one: fitted "
            f"{_f(run['sentence']['best_hit_oos'])} out-of-sample, "
            f"{_f(run['sentence']['best_hit_ins'])} in-sample; word coverage alone "
            f"{_f(run['sentence']['best_hit_coverage'])}. Within a passage (of two or more "
            "sentences, one of them gold: the quote a who card shows once its passage is "
            f"chosen), the chosen sentence is a gold one in {_f(run['sentence']['within_oos'][0])} "
            f"of {run['sentence']['within_oos'][1]} passages out-of-sample; word coverage alone "
            f"{_f(run['sentence']['within_coverage'][0])}.",
            "",
            "Sentence features, eliminated in order as the passage features are (out-of-fold; a "
            "feature is dropped when both measures stay within 0.005 of every feature's): "
            + ", ".join(run["sentence"]["features"])
            + " kept.",
            "",
            "| sentence model | question's top sentence is gold | within a passage |",
            "|---|---|---|",
            *(
                f"| {name} | {_f(top)} | {_f(within)} |"
                for name, top, within in run["sentence"]["ablation"]
            ),
        ]
    out += ["", f"Run time: {sum(r['seconds'] for r in runs):.0f} s."]
    return "\n".join(out)
