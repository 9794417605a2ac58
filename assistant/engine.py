"""The engine: one path for every question.

    question + conversation ──analyse──▶ Query (assistant/query/)
        ──Retriever.retrieve──▶ Retrieval (assistant/retrieval/)
        ──assess──▶ Evidence: answer or refuse (assistant/answering/refusal.py)
        ──extractive_answer, or the LLM + validation──▶ Answer (assistant/answering/)

The Query is built once, in :meth:`Engine.analyse`; every later stage reads it.

``Engine.stream`` yields the answer text first (line by line, or token by token with an LLM),
then the citation cards, then ``Done(answer)``; ``Engine.ask`` returns the final Answer. The UI
builds on ``stream``: keep its events stable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from assistant.analyses.chat import compare_events, plan_comparison
from assistant.analyses.compare import Comparer, seed_themes
from assistant.analyses.judging import AspectJudge, SimilarityJudge
from assistant.analyses.who import WhoResult, who
from assistant.answering import generation
from assistant.answering.citations import parse_labels, validate_claims
from assistant.answering.corpus import fused_scores
from assistant.answering.extractive import (
    NOT_ADDRESSED,
    Extract,
    Sources,
    closest_material,
    extractive_answer,
    stream_lines,
)
from assistant.answering.judged import (
    cited_hits,
    decide,
    judge_query,
    judged_answer,
    judged_refusal,
    who_events,
)
from assistant.answering.llm import ChatModel
from assistant.answering.refusal import Evidence, assess
from assistant.answering.relevance import Judge, Probe, load_model
from assistant.config import RetrievalSettings, Settings
from assistant.protocols import PassageIndex
from assistant.query.followup import Turn
from assistant.query.kinds import asks_full_list
from assistant.query.question import Query, analyse
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.glossary import bundled as bundled_glossary
from assistant.retrieval.glossary import load as load_glossary
from assistant.retrieval.retriever import Retrieval, Retriever
from assistant.types import Answer, CitationsReady, Done, Event, TextDelta
from vectorstore.types import Filters, Hit

logger = logging.getLogger(__name__)


class Engine:
    """Answers questions over a PassageStore with verbatim, numbered citations."""

    def __init__(
        self,
        store: PassageIndex,
        *,
        settings: Settings | None = None,
        top_k: int | None = None,
        per_submitter_cap: int | None = None,
        llm: ChatModel | None = None,
        fusion: RetrievalSettings | None = None,
        refusal_threshold: float | None = None,
        use_scopes: bool = True,
        glossary: Glossary | None = None,
        compare_judge: AspectJudge | None = None,
    ) -> None:
        """Answer over ``store``; the keyword arguments override single ``settings`` values."""
        self.settings = settings or Settings()
        self.store = store
        self.top_k = top_k or self.settings.top_k
        self.llm = llm
        self.retriever = Retriever(
            store,
            per_submitter_cap=per_submitter_cap,
            fusion=fusion or self.settings.retrieval,
            glossary=bundled_glossary() if glossary is None else glossary,
        )
        self.sources = Sources(store)
        self.refusal = self.settings.refusal
        if refusal_threshold is not None:
            self.refusal = replace(self.refusal, threshold=refusal_threshold)
        self.use_scopes = use_scopes
        self._judge: Judge | None = None
        judge = compare_judge or SimilarityJudge(
            store,
            glossary=self.glossary,
            weights=self.settings.compare.weights,
            threshold=self.settings.compare.threshold,
        )
        self.comparer: Comparer | None = Comparer(
            store,
            judge,
            glossary=self.glossary,
            runner_up=self.settings.compare.runner_up_ratio,
            depth=self.settings.compare.cited_per_side,
            themes=seed_themes(store, self.settings.call_file),
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, api_key: str = "") -> Engine:
        """Open the index and embedder named by ``settings``; the edge passes the LLM key."""
        from assistant.answering.llm import OpenAILikeChat
        from assistant.config import hnsw_of
        from vectorstore.embeddings import load_embedder
        from vectorstore.store import PassageStore

        embedder = load_embedder(
            settings.embedder,
            url=settings.embedding_url,
            model=settings.embedding_model,
            dim=settings.embedding_dim,
            e5_engine=settings.e5_engine,
            threads=settings.embed_threads,
        )
        store = PassageStore(
            settings.index_dir,
            embedder,
            collection=settings.collection,
            chroma_url=settings.chroma_url,
            hnsw=hnsw_of(settings),
        )
        llm = None
        if settings.llm_url:
            llm = OpenAILikeChat(
                settings.llm_url,
                settings.llm_model,
                api_key=api_key,
                timeout_s=settings.llm_timeout_s,
            )
        return cls.for_store(store, settings, llm=llm)

    @classmethod
    def for_store(
        cls, store: PassageIndex, settings: Settings, *, llm: ChatModel | None = None
    ) -> Engine:
        """Return an Engine over an open ``store`` with the answer settings of ``settings``."""
        return cls(
            store, settings=settings, llm=llm, glossary=load_glossary(settings.glossary_file)
        )

    @property
    def glossary(self) -> Glossary | None:
        """Return the cross-language glossary retrieval and answers use."""
        return self.retriever.glossary

    # the question ------------------------------------------------------------------------
    def analyse(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Query:
        """Return the Query of ``question`` after ``history``, against this index."""
        return analyse(
            question,
            history,
            submissions=self.sources.submissions().values(),
            glossary=self.glossary,
            filters=filters,
            followup=self.settings.followup,
            acronyms=lambda: self.judge.snapshot().acronyms,  # read only when one may scope
        )

    # the judgement ---------------------------------------------------------------------
    @property
    def judge(self) -> Judge:
        """Return the calibrated relevance judgement of this index's embedder."""
        if self._judge is None:
            model = load_model(self.embedder_name(), self.settings.relevance)
            self._judge = Judge(self.store, model=model, glossary=self.glossary)
        return self._judge

    def probe(self, query: Query, retrieval: Retrieval | None = None) -> Probe:
        """Return the query analysed for judging (its vector and candidates from retrieval)."""
        text = query.topic or query.resolved
        fused: dict[str, float] = {}
        if "fused" in self.judge.model.passage.features:  # only then is retrieval needed
            retrieval = retrieval if retrieval is not None else self.retrieval(query)
            fused = fused_scores(retrieval.pool, self.retriever.fusion)
        return self.judge.probe(query, self.retriever.query_vector(text), fused)

    def who(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> WhoResult:
        """Return every submission in scope judged against ``question`` (issue 8's who)."""
        query = self.analyse(question, history, filters)
        return who(query, self.judge, self.sources, probe=self.probe(query))

    # retrieval --------------------------------------------------------------------------
    def retrieve(
        self,
        question: str | Query,
        filters: Filters | None = None,
        k: int | None = None,
        mode: str = "hybrid",
    ) -> list[Hit]:
        """Return the top ``k`` passages (default: the top_k setting) as Hits."""
        return self.retrieval(question, filters, k, mode).hits()

    def retrieval(
        self,
        question: str | Query,
        filters: Filters | None = None,
        k: int | None = None,
        mode: str = "hybrid",
    ) -> Retrieval:
        """Return the ranked passages with their signals (cosine, BM25, ranks).

        A plain string is analysed first (``filters`` then joins the group it names).
        """
        query = question if isinstance(question, Query) else self.analyse(question, (), filters)
        return self.retriever.retrieve(
            query, k=k or self.top_k, mode=mode, use_scopes=self.use_scopes
        )

    # answers ----------------------------------------------------------------------------
    def ask(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Answer:
        """Return the answer to ``question`` (consumes :meth:`stream`)."""
        answer = None
        for event in self.stream(question, history, filters):
            if isinstance(event, Done):
                answer = event.answer
        assert answer is not None
        return answer

    def stream(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Iterator[Event]:
        """Yield TextDelta events, then CitationsReady, then Done(answer)."""
        started = time.perf_counter()
        query = self.analyse(question, history, filters)
        if history and asks_full_list(question):  # "the full list, please" after an answer
            previous = history[-1] if isinstance(history[-1], str) else history[-1]["question"]
            query = replace(self.analyse(previous, history[:-1], filters), kind="who")
        if query.kind == "who" and self.settings.relevance.answer_method == "judged":
            yield from self._who(question, query, started)
            return
        plan = None
        if self.comparer is not None and query.kind != "who":  # None: top-k answers only
            subs = self.sources.submissions().values()
            plan = plan_comparison(
                query.resolved, subs, query.filters, kind=query.kind, query_sides=query.sides
            )
        if plan is not None:
            yield from compare_events(self.comparer, plan, question, query.resolved, started)
            return
        retrieval = self.retrieval(query)
        judged_mode = self.settings.relevance.answer_method == "judged" and self.llm is None
        judged = None
        if judged_mode:
            probe = self.probe(query, retrieval)
            judged = judge_query(self.judge, query, probe, self.sources.submissions())
            evidence = self.evidence(query, retrieval)
            evidence = replace(evidence, answered=decide(judged, self.judge))
        else:
            evidence = self.evidence(query, retrieval)
        timings = {"retrieve": _ms(started)}
        warnings: list[str] = []
        if judged is not None:
            if evidence.answered:
                extract = judged_answer(
                    query,
                    judged,
                    self.judge,
                    self.sources,
                    answer=self.settings.answer,
                    relevance=self.settings.relevance,
                )
            else:
                extract = judged_refusal(
                    judged, self.judge, self.sources, limit=self.settings.answer.closest_passages
                )
            claims, answered = extract.claims, evidence.answered
            yield from (TextDelta(t) for t in stream_lines(extract.lines))
            text = "\n".join(extract.lines)
        elif not evidence.answered:
            extract = closest_material(
                query, retrieval.ranked, self.sources, settings=self.settings.answer
            )
            claims, answered = [], False
            yield from (TextDelta(t) for t in stream_lines(extract.lines))
            text = "\n".join(extract.lines)
        elif self.llm is None:
            extract = extractive_answer(
                query,
                retrieval.ranked,
                self.sources,
                cosine_margin=self.bullet_margin(),
                settings=self.settings.answer,
            )
            claims, answered = extract.claims, True
            yield from (TextDelta(t) for t in stream_lines(extract.lines))
            text = "\n".join(extract.lines)
        else:
            result: dict[str, Any] = {}
            yield from self._generate(query, retrieval, result)
            extract, claims, answered = result["extract"], result["claims"], result["answered"]
            text, warnings = result["text"], result["warnings"]
        timings["total"] = _ms(started)
        citations = tuple(extract.citations)
        yield CitationsReady(citations)
        sources = retrieval.hits()
        if judged is not None:  # the judged passages quoted join what the answerer was shown
            shown = {h.passage.id for h in sources}
            sources += [h for h in cited_hits(extract, judged) if h.passage.id not in shown]
        answer = Answer(
            question=question,
            claims=tuple(claims),
            sources=tuple(sources),
            answered=answered,
            text=text,
            citations=citations,
            resolved_question=query.resolved,
            warnings=tuple(warnings),
            timings_ms=timings,
            mode="compare" if query.kind == "compare" else "answer",
        )
        logger.info("answered=%s in %.0f ms: %s", answered, timings["total"], evidence.as_dict())
        yield Done(answer)

    def _who(self, question: str, query: Query, started: float) -> Iterator[Event]:
        """Yield the who mode: the count and the full list, one citation per submission."""
        result = who(query, self.judge, self.sources, probe=self.probe(query))
        yield from who_events(result, question, query.resolved, _ms(started))

    def embedder_name(self) -> str:
        """Return the name of the embedder the index was built with ("e5", "fast", ...)."""
        recorded = getattr(self.store, "recorded_embedder", None)
        found = recorded() if callable(recorded) else None
        if found:
            return found[0]
        return getattr(getattr(self.store, "embedder", None), "name", "e5")

    def bullet_margin(self) -> float:
        """Return how far below the best cosine a passage may be and still give a bullet.

        A passage gives a bullet when its cosine is within ``answer.bullet_margin_spans`` of the
        embedder's cosine span of the best passage; weaker ones stay in the sources list.
        """
        _, span = self.refusal.cosine_scale(self.embedder_name())
        return span * self.settings.answer.bullet_margin_spans

    def evidence(self, query: Query, retrieval: Retrieval) -> Evidence:
        """Return the refusal signals and verdict for ``retrieval``, on the index's scale."""
        return assess(query, retrieval, settings=self.refusal, embedder=self.embedder_name())

    def _generate(
        self, query: Query, retrieval: Retrieval, result: dict[str, Any]
    ) -> Iterator[Event]:
        shown = retrieval.ranked
        system, user = generation.build_prompt(query.resolved, shown, self.sources)
        rewriter = generation.LabelRewriter(len(shown))
        pieces: list[str] = []
        for text in generation.stream_reply(rewriter, self.llm.stream(system, user)):
            pieces.append(text)
            yield TextDelta(text)
        if rewriter.is_no_answer():
            extract = closest_material(query, shown, self.sources, settings=self.settings.answer)
            yield from (TextDelta(t) for t in stream_lines(extract.lines))
            result.update(
                extract=extract,
                claims=[],
                answered=False,
                text="\n".join(extract.lines),
                warnings=[],
            )
            return
        parsed = parse_labels(rewriter.raw, len(shown))
        claims, warnings = validate_claims(parsed, [s.hit() for s in shown])
        for warning in warnings:
            logger.warning("LLM answer: %s", warning)
        citations = generation.cards(rewriter, claims, shown, self.sources)
        result.update(
            extract=Extract(pieces, claims, citations),
            claims=claims,
            answered=True,
            text="".join(pieces).strip(),
            warnings=warnings,
        )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


__all__ = ["NOT_ADDRESSED", "Engine"]
