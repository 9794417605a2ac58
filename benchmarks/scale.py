"""Scale: the real corpus copied to 100k and 500k passages (fast embedder), through the real store.

    nice python benchmarks/scale.py --n 100000 500000 [--corpus DIR] [--work DIR]
        [--chroma-url http://127.0.0.1:PORT] [--ef-search 100 200 400] [--no-write]

Build: the corpus is parsed and chunked once; copies are made until N passages, every copy
unique (each passage keeps its first half and takes the second half of a random passage of the
corpus, then one word in ten is swapped for a corpus word), and written through the ordinary
writer (commit protocol, registry, lexical index, Chroma) with the fast embedder. An index
under --work is reused when it already holds N passages, so variants cost no rebuild.

Queries (in a fresh process, so its peak RSS is the serving cost): the questions of
../shared/corpus/dev-questions.jsonl and tests/data/*.jsonl embedded with fast. For each
ef_search: the raw HNSW top 10, the retriever's dense step (HNSW top 50, exact re-scoring,
top 10) with the query vector given, and recall@10 of both against exact search; then search
(hybrid) and ask end to end, and the e5 query-embedding time beside them.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _sections import replace_section  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "real"
QUESTION_FILES = (ROOT.parent / "shared" / "corpus" / "dev-questions.jsonl",)
HNSW_BUILD = {"max_neighbors": 16, "ef_construction": 100}
BATCH = 4000
ASK_BUDGET_S = 600.0  # end-to-end questions stop once they have taken this long in all
TIE = 1e-3  # a hit within this cosine of the 10th true neighbour counts (ann-benchmarks' k-nn)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def questions() -> list[str]:
    """Return the question texts of the dev set and the repo's labelled sets (deduplicated)."""
    files = [*QUESTION_FILES, *sorted((ROOT / "tests" / "data").glob("*.jsonl"))]
    found: dict[str, None] = {}
    for path in files:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line).get("question")
                if isinstance(text, str) and text.strip():
                    found[text.strip()] = None
    return list(found)


def _copies(prepared: list, n: int, seed: int):
    """Yield Prepared copies of the corpus, every passage text unique, until n passages."""
    from ingest.chunking import passage_id
    from ingest.types import Block, Document

    rng = random.Random(seed)
    pool = [p.text.split() for item in prepared for p in item.passages]
    vocabulary = [w for words in pool for w in words]
    made, copy = 0, 0
    while made < n:
        for item in prepared:
            if made >= n:
                return
            key = f"copy{copy:05d}/{item.submission.key}"
            texts = []
            for p in item.passages:
                words = p.text.split()
                other = rng.choice(pool)
                mixed = words[: len(words) // 2] + other[len(other) // 2 :]
                mixed = [rng.choice(vocabulary) if rng.random() < 0.1 else w for w in mixed]
                texts.append(" ".join(mixed) or "empty")
            texts = texts[: n - made]
            text, blocks, passages, offset = "", [], [], 0
            for ordinal, (p, body) in enumerate(zip(item.passages, texts, strict=False)):
                start = offset
                end = start + len(body)
                blocks.append(Block("paragraph", body, start, end, heading_path=p.heading_path))
                passages.append(
                    dataclasses.replace(
                        p,
                        id=passage_id(key, ordinal, body),
                        submission_key=key,
                        char_start=start,
                        char_end=end,
                        text=body,
                        embed_text=body,
                        ordinal=ordinal,
                    )
                )
                offset = end + 2
            text = "\n\n".join(texts)
            digest = hashlib.sha256(text.encode()).hexdigest()
            submission = dataclasses.replace(item.submission, key=key, content_hash=digest)
            yield type(item)(submission, Document(text, tuple(blocks), {}), tuple(passages))
            made += len(passages)
        copy += 1


def build(
    index: Path, corpus: Path, n: int, chroma_url: str, seed: int = 1, deadline: float = 0.0
) -> dict:
    """Build (or reuse, or resume) an index of n passages; return build figures.

    With ``deadline`` (a time.time() value) the build stops there and the index is measured at
    the size it reached (the report says so).
    """
    from ingest.prepare import prepare
    from vectorstore.embeddings import load_embedder
    from vectorstore.registry import SourceState
    from vectorstore.store import PassageStore
    from vectorstore.writer import BatchWriter, IngestReport, Job

    embedder = load_embedder("fast")
    store = PassageStore(index, embedder, chroma_url=chroma_url, hnsw=HNSW_BUILD)
    if store.count() >= n:
        return {"reused": True, "passages": store.count()}
    done = set(store.registry.sources())  # a resumed build skips the copies already written
    start_count = store.count()
    prepared = [prepare(p, p.name) for p in sorted(corpus.glob("*.docx"))]
    report = IngestReport()
    writer = BatchWriter(store, report, lambda o: None, batch_passages=BATCH, command="scale")
    started = time.perf_counter()
    pending = 0
    for item in _copies(prepared, n, seed):
        if item.submission.key in done:
            continue
        if deadline and time.time() > deadline:
            break
        state = SourceState(item.submission.key, item.submission.content_hash, "", 0, 0, "{}")
        source = corpus / item.submission.key.split("/", 1)[1]
        writer.pending.append((Job(item.submission.key, source, state, {}, "added"), item))
        pending += len(item.passages)
        if pending >= BATCH:
            writer.flush()
            pending = 0
    writer.flush()
    seconds = time.perf_counter() - started
    if store.count() == start_count:  # every copy was already written: nothing to resume
        return {"reused": True, "passages": store.count()}
    return {
        "reused": False,
        "passages": store.count(),
        "stopped_early": store.count() < n,
        "resumed_from": start_count,
        "submissions": len(store.registry.sources()),
        "seconds": seconds,
        "rate": (store.count() - start_count) / seconds,
        "embed_s": report.timings.get("embed", 0.0),
        "store_s": report.timings.get("store", 0.0),
        "build_rss_mb": _rss_mb(),
    }


def exact_top10(index: Path, vectors: np.ndarray) -> tuple[list[list[str]], list[float]]:
    """Return the exact cosine top 10 ids of each query and its 10th best cosine.

    The vector cache is streamed, so memory stays flat at any size.
    """
    import sqlite3

    conn = sqlite3.connect(index / "registry.sqlite")
    rows = conn.execute(
        "SELECT p.id, v.vector FROM passages p JOIN vectors v ON v.text_sha = p.text_sha "
        "AND v.embedder = (SELECT value FROM meta WHERE name = 'embedder')"
    )
    best_scores = np.full((len(vectors), 10), -np.inf, dtype=np.float32)
    best_ids = np.empty((len(vectors), 10), dtype=object)
    while chunk := rows.fetchmany(50000):
        ids = np.array([r[0] for r in chunk], dtype=object)
        matrix = np.frombuffer(b"".join(r[1] for r in chunk), dtype=np.float32)
        matrix = matrix.reshape(len(chunk), -1)
        scores = vectors @ matrix.T
        all_scores = np.concatenate([best_scores, scores], axis=1)
        all_ids = np.concatenate([best_ids, np.broadcast_to(ids, scores.shape)], axis=1)
        top = np.argsort(-all_scores, axis=1)[:, :10]
        best_scores = np.take_along_axis(all_scores, top, axis=1)
        best_ids = np.take_along_axis(all_ids, top, axis=1)
    conn.close()
    return [list(row) for row in best_ids], [float(row[-1]) for row in best_scores]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def measure(index: Path, chroma_url: str, ef_values: list[int], exact_file: Path) -> dict:
    """Run in a fresh process: latency, recall, RSS for each ef_search, then end to end."""
    from assistant.config import Settings
    from assistant.engine import Engine
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    data = json.loads(exact_file.read_text())
    texts, exact, tenth = data["questions"], data["exact"], data["tenth"]
    embedder = load_embedder("fast")
    store = PassageStore(index, embedder, chroma_url=chroma_url)
    vectors = [embedder.embed_query(t) for t in texts]
    store.dense_search(vectors[0], 10)  # load the HNSW graph
    variants = []
    for ef in ef_values:
        store.collection.modify(configuration={"hnsw": {"ef_search": ef}})
        store.refresh()
        store._close_chroma()
        store.dense_search(vectors[0], 10)
        raw_t, step_t, raw_recall, step_recall, tie_recall = [], [], [], [], []
        for _ in range(2):
            for vector, truth, floor in zip(vectors, exact, tenth, strict=True):
                started = time.perf_counter()
                hits = store.dense_search(vector, 10)
                raw_t.append(time.perf_counter() - started)
                started = time.perf_counter()
                pool = store.dense_search(vector, 50)
                ids = [h.passage.id for h in pool]
                exact_scores = store.vectors(ids) @ np.asarray(vector, dtype=np.float32)
                top = [ids[i] for i in np.argsort(-exact_scores)[:10]]
                step_t.append(time.perf_counter() - started)
                raw_recall.append(len({h.passage.id for h in hits} & set(truth)) / 10)
                step_recall.append(len(set(top) & set(truth)) / 10)
                kept = np.sort(exact_scores)[::-1][:10]
                tie_recall.append(float(np.sum(kept >= floor - TIE)) / 10)
        variants.append(
            {
                "ef_search": ef,
                "raw_p50": _pct(raw_t, 50),
                "raw_p95": _pct(raw_t, 95),
                "step_p50": _pct(step_t, 50),
                "step_p95": _pct(step_t, 95),
                "raw_recall": float(np.mean(raw_recall)),
                "step_recall": float(np.mean(step_recall)),
                "tie_recall": float(np.mean(tie_recall)),
            }
        )
    rss_queries = _rss_mb()
    engine = Engine.for_store(store, Settings(embedder="fast"))
    search_t, ask_t = [], []
    for text in texts[:30]:
        started = time.perf_counter()
        engine.retrieve(text)
        search_t.append(time.perf_counter() - started)
    for text in texts[:20]:
        started = time.perf_counter()
        engine.ask(text)
        ask_t.append(time.perf_counter() - started)
        if sum(ask_t) > ASK_BUDGET_S:  # report the questions asked so far
            break
    rss_end = _rss_mb()
    e5 = load_embedder("e5")
    e5.embed_query("warm up")
    e5_t = []
    for text in texts[:30]:
        started = time.perf_counter()
        e5.embed_query(text)
        e5_t.append(time.perf_counter() - started)
    return {
        "variants": variants,
        "search_p50": _pct(search_t, 50),
        "search_p95": _pct(search_t, 95),
        "ask_p50": _pct(ask_t, 50),
        "ask_p95": _pct(ask_t, 95),
        "asked": len(ask_t),
        "e5_p50": _pct(e5_t, 50),
        "e5_p95": _pct(e5_t, 95),
        "rss_queries_mb": rss_queries,
        "rss_end_mb": rss_end,
        "queries": len(texts),
        "size_bytes": store.size_bytes(),
        "chroma_bytes": sum(p.stat().st_size for p in (index / "chroma").rglob("*") if p.is_file())
        if (index / "chroma").is_dir()
        else 0,
    }


def run(n: int, args: argparse.Namespace) -> dict:
    suffix = "-server" if args.chroma_url else ""
    index = args.work / f"scale-{n}{suffix}"
    deadline = 0.0
    if args.deadline:
        hours, minutes = map(int, args.deadline.split(":"))
        now = time.gmtime()
        deadline = time.time() + ((hours - now.tm_hour) * 60 + minutes - now.tm_min) * 60
    built = build(index, args.corpus, n, args.chroma_url, deadline=deadline)
    record = index.parent / f"build-{n}{suffix}.json"  # the figures of the run that built it
    if built.get("reused") and record.exists():
        built = {**json.loads(record.read_text()), "reused": True}
    elif not built.get("reused"):
        built["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        built["load_after"] = os.getloadavg()[0]
        record.write_text(json.dumps(built))
    if args.build_only:
        print(json.dumps(built), flush=True)
        return {}
    from vectorstore.embeddings import load_embedder

    embedder = load_embedder("fast")
    texts = questions()
    vectors = np.vstack([embedder.embed_query(t) for t in texts]).astype(np.float32)
    exact_file = index.parent / f"exact-{n}{suffix}.json"
    stale = not exact_file.exists() or "tenth" not in json.loads(exact_file.read_text())
    if stale or built.get("reused") is False:
        started = time.perf_counter()
        exact, tenth = exact_top10(index, vectors)
        exact_file.write_text(json.dumps({"questions": texts, "exact": exact, "tenth": tenth}))
        built["exact_s"] = time.perf_counter() - started
    command = [
        sys.executable,
        __file__,
        "--measure",
        str(index),
        "--exact",
        str(exact_file),
        "--chroma-url",
        args.chroma_url,
        "--ef-search",
        *map(str, args.ef_search),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return {"n": n, "build": built, **json.loads(out.stdout.strip().splitlines()[-1])}


def report(results: list[dict], args: argparse.Namespace) -> str:
    where = (
        f"a `chroma run` server on 127.0.0.1 ({args.chroma_url})"
        if args.chroma_url
        else ("embedded Chroma")
    )
    ef = " ".join(map(str, args.ef_search))
    note = f" {args.note.rstrip('. ')}." if args.note else ""
    lines = [
        f"`python benchmarks/scale.py --n {' '.join(str(r['n']) for r in results)} "
        f"--ef-search {ef}{' --chroma-url URL' if args.chroma_url else ''}` "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, fast "
        f"embedder, {where}).{note} HNSW built with max_neighbors "
        f"{HNSW_BUILD['max_neighbors']}, ef_construction {HNSW_BUILD['ef_construction']}; "
        f"{results[0]['queries']} questions, each run twice for the dense figures; the first 30 "
        "for search and up to 20 for ask end to end (asked until "
        f"{ASK_BUDGET_S:.0f} s in all). The dense step is what the retriever does with the "
        "query vector given: HNSW top 50, exact cosine over them from the vector cache, top "
        "10. Ingest here is embedding + storing (parsing is measured in the Ingest section); "
        "each build line says when it ran.",
        "",
        "| passages | ingest (embed + store) | index size | ef_search | HNSW top-10 p50 / p95 | "
        "dense step p50 / p95 | HNSW recall@10 | dense-step recall@10 | dense-step recall@10, "
        f"ties within {TIE} |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r["build"]
        rate = f"{b['rate']:.0f}/s ({b['seconds']:.0f} s)" if "rate" in b else "reused"
        if b.get("resumed_from"):
            rate += f", resumed from {b['resumed_from']:,}"
        if b.get("when"):
            rate += f", built {b['when']}"
        if b.get("stopped_early"):
            rate += f", stopped at {b['passages']:,} by the deadline"
        for v in r["variants"]:
            lines.append(
                f"| {r['build']['passages']:,} | {rate} | {r['size_bytes'] / 2**30:.2f} GiB | "
                f"{v['ef_search']} | "
                f"{v['raw_p50']:.1f} / {v['raw_p95']:.1f} ms | "
                f"{v['step_p50']:.1f} / {v['step_p95']:.1f} ms | {v['raw_recall']:.3f} | "
                f"{v['step_recall']:.3f} | {v.get('tie_recall', float('nan')):.3f} |"
            )
    lines += [
        "",
        "| passages | search (hybrid) p50 / p95 | ask p50 / p95 | e5 query embedding p50 / p95 "
        "| peak RSS after dense queries / after ask | build RSS |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r["build"]
        build_rss = f"{b['build_rss_mb']:.0f} MB" if "build_rss_mb" in b else "reused"
        lines.append(
            f"| {r['build']['passages']:,} | {r['search_p50']:.0f} / {r['search_p95']:.0f} ms | "
            f"{r['ask_p50']:.0f} / {r['ask_p95']:.0f} ms ({r.get('asked', 20)} asked) | "
            f"{r['e5_p50']:.0f} / {r['e5_p95']:.0f} ms"
            f" | {r['rss_queries_mb']:.0f} / {r['rss_end_mb']:.0f} MB | {build_rss} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 500_000])
    parser.add_argument("--corpus", type=Path, default=REAL)
    parser.add_argument("--work", type=Path, default=Path("/tmp/scale-bench"))
    parser.add_argument("--chroma-url", default="")
    parser.add_argument("--ef-search", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--deadline", default="", help="HH:MM UTC: stop building then, measure")
    parser.add_argument("--title", default="")
    parser.add_argument("--note", default="", help="what else ran (shown as is)")
    parser.add_argument("--build-only", action="store_true", help="build (or resume), no queries")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--exact", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        result = measure(args.measure, args.chroma_url, args.ef_search, args.exact)
        print(json.dumps(result))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    if not args.corpus.is_dir():
        args.corpus = ROOT / "examples" / "submissions"
    results = []
    for n in args.n:
        results.append(run(n, args))
        print(json.dumps(results[-1]), flush=True)
    if args.build_only:
        return 0
    body = report(results, args)
    print(body)
    if not args.no_write:
        title = args.title or ("Scale (Chroma server)" if args.chroma_url else "Scale")
        replace_section(title, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
