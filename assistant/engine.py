"""The engine: resolve a follow-up, retrieve, check the evidence, answer (extractive or LLM).

``Engine.stream`` yields the answer text first (line by line, or token by token with an LLM),
then the citation cards, then ``Done(answer)``; ``Engine.ask`` returns the final Answer. The UI
builds on ``stream``: keep its events stable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.answering import generation
from assistant.answering.citations import parse_labels, validate_claims
from assistant.answering.extractive import (
    NOT_ADDRESSED,
    Extract,
    Sources,
    closest_material,
    extractive_answer,
    stream_lines,
)
from assistant.answering.llm import ChatModel
from assistant.answering.refusal import COSINE_SCALE, Evidence, assess
from assistant.query.followup import Resolved, Turn, merge_filters, resolve, scopes, without_names
from assistant.retrieval.fusion import Fusion
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.glossary import bundled as bundled_glossary
from assistant.retrieval.glossary import load as load_glossary
from assistant.retrieval.retriever import Retrieval, Retriever
from assistant.types import Answer, CitationsReady, Done, Event, TextDelta
from vectorstore.types import Filters, Hit

logger = logging.getLogger(__name__)

# A passage gives a bullet when its cosine is within half the embedder's "relevance span" of the
# best passage (e5: 0.03); weaker ones stay in the sources list but are not quoted as answers.
BULLET_MARGIN_SPANS = 0.5


class Engine:
    """Answers questions over a PassageStore with verbatim, numbered citations."""

    def __init__(
        self,
        store: Any,
        *,
        top_k: int = 10,
        per_submitter_cap: int = 0,
        llm: ChatModel | None = None,
        fusion: Fusion | None = None,
        refusal_threshold: float | None = None,
        use_scopes: bool = True,
        glossary: Glossary | None = None,
    ) -> None:
        self.store = store
        self.top_k = top_k
        self.llm = llm
        self.retriever = Retriever(
            store,
            per_submitter_cap=per_submitter_cap,
            fusion=fusion,
            glossary=bundled_glossary() if glossary is None else glossary,
        )
        self.sources = Sources(store)
        self.refusal_threshold = refusal_threshold
        self.use_scopes = use_scopes

    @classmethod
    def from_settings(cls, settings: Any, *, api_key: str = "") -> Engine:
        """Open the index and embedder named by ``settings``; the edge passes the LLM key."""
        from assistant.answering.llm import OpenAILikeChat
        from vectorstore.embeddings import load_embedder
        from vectorstore.store import PassageStore

        embedder = load_embedder(
            settings.embedder,
            url=settings.embedding_url,
            model=settings.embedding_model,
            dim=settings.embedding_dim,
        )
        store = PassageStore(
            settings.index_dir,
            embedder,
            collection=settings.collection,
            chroma_url=settings.chroma_url,
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
    def for_store(cls, store: Any, settings: Any, *, llm: ChatModel | None = None) -> Engine:
        """Return an Engine over an open ``store`` with the answer settings of ``settings``."""
        return cls(
            store,
            top_k=settings.top_k,
            per_submitter_cap=settings.per_submitter_cap,
            llm=llm,
            glossary=load_glossary(settings.glossary_file),
        )

    @property
    def glossary(self) -> Glossary | None:
        """Return the cross-language glossary retrieval and answers use."""
        return self.retriever.glossary

    # retrieval --------------------------------------------------------------------------
    def retrieve(
        self,
        question: str,
        filters: Filters | None = None,
        k: int | None = None,
        mode: str = "hybrid",
    ) -> list[Hit]:
        """Return the top ``k`` passages (default: the top_k setting) as Hits."""
        return self.retrieval(question, filters, k, mode).hits()

    def retrieval(
        self,
        question: str,
        filters: Filters | None = None,
        k: int | None = None,
        mode: str = "hybrid",
    ) -> Retrieval:
        """Return the ranked passages with their signals (cosine, BM25, ranks)."""
        k = k or self.top_k
        if mode != "hybrid" or not self.use_scopes:
            return self.retriever.search(question, k=k, filters=filters, mode=mode)
        subs = self.sources.submissions().values()
        named = scopes(question, subs)
        documents = all(scope.submission_key for scope in named)
        topic = without_names(question, subs, countries=documents) if named else question
        return self.retriever.search_scoped(question, named, k=k, filters=filters, topic=topic)

    def resolve(self, question: str, history: Sequence[Turn] = ()) -> Resolved:
        """Return ``question`` made standalone against ``history``."""
        if not history:
            return Resolved(question, None, False)
        subs = self.sources.submissions().values()
        return resolve(
            question,
            history,
            countries={s.country for s in subs if s.country},
            submitters={s.submitter for s in subs if s.submitter},
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
        resolved = self.resolve(question, history)
        scope = merge_filters(filters, resolved.filters)
        retrieval = self.retrieval(resolved.question, scope)
        evidence = self.evidence(resolved.question, retrieval)
        timings = {"retrieve": _ms(started)}
        warnings: list[str] = []
        if not evidence.answered:
            extract = closest_material(
                resolved.question, retrieval.ranked, self.sources, glossary=self.glossary
            )
            claims, answered = [], False
            yield from (TextDelta(t) for t in stream_lines(extract.lines))
            text = "\n".join(extract.lines)
        elif self.llm is None:
            extract = extractive_answer(
                resolved.question,
                retrieval.ranked,
                self.sources,
                filters=scope,
                cosine_margin=self.bullet_margin(),
                glossary=self.glossary,
            )
            claims, answered = extract.claims, True
            yield from (TextDelta(t) for t in stream_lines(extract.lines))
            text = "\n".join(extract.lines)
        else:
            result: dict[str, Any] = {}
            yield from self._generate(resolved.question, retrieval, result)
            extract, claims, answered = result["extract"], result["claims"], result["answered"]
            text, warnings = result["text"], result["warnings"]
        timings["total"] = _ms(started)
        citations = tuple(extract.citations)
        yield CitationsReady(citations)
        answer = Answer(
            question=question,
            claims=tuple(claims),
            sources=tuple(retrieval.hits()),
            answered=answered,
            text=text,
            citations=citations,
            resolved_question=resolved.question,
            warnings=tuple(warnings),
            timings_ms=timings,
        )
        logger.info("answered=%s in %.0f ms: %s", answered, timings["total"], evidence.as_dict())
        yield Done(answer)

    def bullet_margin(self) -> float:
        """Return how far below the best cosine a passage may be and still give a bullet."""
        name = getattr(getattr(self.store, "embedder", None), "name", "e5")
        floor_span = COSINE_SCALE.get(name.split(":")[0], COSINE_SCALE["e5"])
        return floor_span[1] * BULLET_MARGIN_SPANS

    def evidence(self, question: str, retrieval: Retrieval) -> Evidence:
        """Return the refusal signals and verdict for ``retrieval``."""
        if self.refusal_threshold is None:
            return assess(question, retrieval)
        return assess(question, retrieval, threshold=self.refusal_threshold)

    def _generate(
        self, question: str, retrieval: Retrieval, result: dict[str, Any]
    ) -> Iterator[Event]:
        shown = retrieval.ranked
        system, user = generation.build_prompt(question, shown, self.sources)
        rewriter = generation.LabelRewriter(len(shown))
        pieces: list[str] = []
        for text in generation.stream_reply(rewriter, self.llm.stream(system, user)):
            pieces.append(text)
            yield TextDelta(text)
        if rewriter.is_no_answer():
            extract = closest_material(question, shown, self.sources, glossary=self.glossary)
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
