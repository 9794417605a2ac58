"""PassageStore over a real Chroma in tmp_path, with passages built by hand (no parser needed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from ingest.types import Block, Document, Link, Passage, Submission
from vectorstore.embeddings import load_embedder
from vectorstore.errors import IndexMismatchError, UnknownSubmissionError
from vectorstore.exact import ExactVectors
from vectorstore.store import PassageStore, chroma_where, passage_from_metadata, passage_metadata
from vectorstore.sync import add_prepared, file_hash, remove
from vectorstore.types import Filters


@dataclass(frozen=True)
class _Prepared:
    submission: Submission
    document: Document
    passages: tuple[Passage, ...]


def _prepared(source: Path, key: str, country: str, language: str, paras: list[str]) -> _Prepared:
    text = "\n\n".join(paras)
    blocks, passages, pos = [], [], 0
    for i, para in enumerate(paras):
        start, end = pos, pos + len(para)
        links = (Link("site", "https://example.org", start, start + 4),) if i == 0 else ()
        blocks.append(
            Block("paragraph", para, start, end, ("Part I", "Stops"), label=str(i + 1), links=links)
        )
        passages.append(
            Passage(
                id=f"{key}#{i}",
                submission_key=key,
                heading_path=("Part I", "Stops"),
                paragraphs=(str(i + 1),),
                locator=f"para. {i + 1}",
                footnotes=("3",) if i == 0 else (),
                language=language,
                char_start=start,
                char_end=end,
                text=para,
                embed_text="Part I > Stops\n" + para,
                ordinal=i,
            )
        )
        pos = end + 2
    source.write_bytes(text.encode())
    submission = Submission(
        key=key,
        content_hash=file_hash(source),
        file=key,
        submitter=f"Gov {country}",
        submitter_type="State",
        country=country,
        language=language,
    )
    return _Prepared(submission, Document(text, tuple(blocks), {"title": key}), tuple(passages))


US = [
    "Black drivers accounted for 85% of vehicle stops in Ferguson.",
    "Officers used force against people who posed no threat.",
]
FR = ["Le policier respecte la dignité des personnes.", "Le contrôle d'identité est encadré."]


@pytest.fixture
def store(tmp_path: Path) -> PassageStore:
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    for key, country, language, paras in (("us", "US", "en", US), ("fr", "France", "fr", FR)):
        source = tmp_path / f"{key}.docx"
        add_prepared(store, _prepared(source, source.name, country, language, paras), source)
    return store


def test_dense_search_scores_are_cosine_similarities(store: PassageStore) -> None:
    hits = store.dense_search("vehicle stops of Black drivers", 4)
    assert hits[0].passage.id == "us.docx#0"
    exact = store.vectors([h.passage.id for h in hits]) @ store.embed_query(
        "vehicle stops of Black drivers"
    )
    np.testing.assert_allclose([h.score for h in hits], exact, atol=1e-4)


def test_filters_restrict_dense_and_lexical_results(store: PassageStore) -> None:
    only_france = Filters(country=("France",))
    assert {h.passage.submission_key for h in store.dense_search("police", 4, only_france)} == {
        "fr.docx"
    }
    both = Filters(country=("France", "US"), language=("en",))
    assert {h.passage.submission_key for h in store.dense_search("police", 4, both)} == {"us.docx"}
    assert [h.passage.id for h in store.lexical_search("dignité", 4, only_france)] == ["fr.docx#0"]
    assert store.lexical_search("dignité", 4, Filters(country=("US",))) == []


def test_passages_round_trip_through_the_registry(store: PassageStore) -> None:
    passage = store.get_passages(["us.docx#0"])[0]
    assert passage.heading_path == ("Part I", "Stops")
    assert passage.paragraphs == ("1",)
    assert passage.footnotes == ("3",)
    document = store.document("us.docx")
    assert document.text[passage.char_start : passage.char_end] == passage.text
    assert document.blocks[0].links[0].url == "https://example.org"
    assert [p.ordinal for p in store.passages_of("us.docx")] == [0, 1]
    assert store.count() == 4


def test_chroma_metadata_holds_only_scalars_and_rebuilds_the_lists(store: PassageStore) -> None:
    passage = store.get_passages(["us.docx#0"])[0]
    meta = passage_metadata(passage, store.submission("us.docx"))
    assert all(isinstance(v, (str, int, float, bool)) for v in meta.values())
    rebuilt = passage_from_metadata(passage.id, passage.text, meta)
    assert rebuilt.heading_path == passage.heading_path
    assert rebuilt.footnotes == passage.footnotes
    stored = store.collection.get(ids=[passage.id], include=["metadatas"])["metadatas"][0]
    assert stored["country"] == "US"


def test_where_clause_uses_in_and_and() -> None:
    assert chroma_where(None) is None
    assert chroma_where(Filters(country=("US",))) == {"country": {"$in": ["US"]}}
    both = chroma_where(Filters(country=("US",), language=("en", "fr")))
    assert both == {"$and": [{"country": {"$in": ["US"]}}, {"language": {"$in": ["en", "fr"]}}]}


def test_original_is_kept_content_addressed(store: PassageStore, tmp_path: Path) -> None:
    original = store.original_path("us.docx")
    assert original.parent == tmp_path / "index" / "originals"
    assert original.read_bytes() == (tmp_path / "us.docx").read_bytes()


def test_unknown_submission_is_a_clear_error(store: PassageStore) -> None:
    with pytest.raises(UnknownSubmissionError, match="submissions status"):
        store.submission("nope.docx")


def test_opening_with_another_embedder_names_rebuild(store: PassageStore, tmp_path: Path) -> None:
    with pytest.raises(IndexMismatchError, match="submissions rebuild"):
        PassageStore(tmp_path / "index", load_embedder("e5"))


def test_reader_without_embedder_uses_the_recorded_one(store: PassageStore, tmp_path: Path) -> None:
    reader = PassageStore(tmp_path / "index")
    assert reader.recorded_embedder() == ("fast", 256)
    assert reader.dense_search("vehicle stops", 1)[0].passage.id == "us.docx#0"


def test_lexical_scores_for_candidate_ids(store: PassageStore) -> None:
    scores = store.lexical_scores("vehicle drivers", ["us.docx#0", "fr.docx#1"])
    assert scores["us.docx#0"] > 0
    assert scores["fr.docx#1"] == 0.0


def test_empty_index_searches_return_nothing(tmp_path: Path) -> None:
    empty = PassageStore(tmp_path / "empty", load_embedder("fast"))
    assert empty.dense_search("anything", 5) == []
    assert empty.lexical_search("anything", 5) == []
    assert empty.count() == 0


def test_exact_search_agrees_with_chroma_and_breaks_ties_by_id(store: PassageStore) -> None:
    query = store.embed_query("vehicle stops of Black drivers")
    exact = store.exact_search(query, 4)
    approximate = store.dense_search(query, 4)
    assert [h.passage.id for h in exact] == [h.passage.id for h in approximate]
    np.testing.assert_allclose([h.score for h in exact], [h.score for h in approximate], atol=1e-4)
    only_france = Filters(country=("France",))
    assert {h.passage.submission_key for h in store.exact_search(query, 4, only_france)} == {
        "fr.docx"
    }
    flat = np.zeros_like(query)  # every passage scores 0: the order is the passage ids'
    assert [h.passage.id for h in store.exact_search(flat, 4)] == sorted(
        h.passage.id for h in exact
    )


def test_exact_search_sees_a_new_submission_and_a_removal(
    store: PassageStore, tmp_path: Path
) -> None:
    assert len(store.exact_search("police", 10)) == 4  # the matrix is now held
    source = tmp_path / "uk.docx"
    extra = ["Stop and search powers were used disproportionately."]
    add_prepared(store, _prepared(source, source.name, "UK", "en", extra), source)
    assert "uk.docx#0" in {h.passage.id for h in store.exact_search("stop and search", 10)}
    remove(store, ["us.docx"])
    assert {h.passage.submission_key for h in store.exact_search("police", 10)} == {
        "fr.docx",
        "uk.docx",
    }


def test_exact_vectors_reload_when_passage_rows_change_under_the_same_counter(
    store: PassageStore, tmp_path: Path
) -> None:
    # the writer moves Chroma's change counter before it writes the registry's rows: a search
    # in between must not keep a matrix without them (vectorstore/writer.py, steps 2 and 3)
    exact = ExactVectors()
    query = store.embed_query("stop and search")
    same = (store.generation, 0)
    assert len(exact.search(store.registry, same, store.vectors, query, 10)) == 4
    source = tmp_path / "uk.docx"
    extra = ["Stop and search powers were used disproportionately."]
    add_prepared(store, _prepared(source, source.name, "UK", "en", extra), source)
    found = exact.search(store.registry, same, store.vectors, query, 10)
    assert "uk.docx#0" in {h.passage.id for h in found}
