"""Call profile, theme tags, coverage matrix, corrections, digest: real store, real embedder."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile

import pytest

from assistant.analyses.coverage import build_coverage, cell_citations, coverage_record
from assistant.analyses.digest import build_digest
from assistant.cli.main import main
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.exports.coverage import write_csv, write_xlsx
from assistant.exports.digest import digest_markdown, write_digest_docx
from assistant.themes.profile import load_profile, parse_profile
from assistant.themes.tagger import scorer_for, tag
from vectorstore.tags import ThemeTags
from vectorstore.types import Filters


@pytest.fixture
def store(fast_index, tmp_path):
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    index = tmp_path / "index"
    shutil.copytree(fast_index.index_dir, index, ignore=shutil.ignore_patterns(".lock"))
    return PassageStore(index, load_embedder("fast"))


def test_bundled_profile_has_seven_themes_with_seeds_in_three_languages() -> None:
    profile = load_profile()
    assert profile.ids == ("T1", "T2", "T3", "T4", "T5", "T6", "T7")
    for theme in profile.themes:
        assert {lang for lang, _ in theme.seeds} == {"en", "fr", "es"}


def test_old_shape_and_bad_fields_name_the_field(tmp_path) -> None:
    old = {
        "title": "x",
        "mechanism": "EMLER",
        "themes": [{"id": "victims", "label": "V", "description": "d", "example": "q"}],
    }
    with pytest.raises(ConfigError, match=r"themes\[0\]\.id"):
        parse_profile(old, "old.json")
    no_seeds = {
        "title": "x",
        "issuing_body": "b",
        "themes": [{"id": "T1", "label": "l", "description": "d"}],
    }
    with pytest.raises(ConfigError, match=r"themes\[0\]\.seeds"):
        parse_profile(no_seeds, "c.json")
    bad = tmp_path / "call.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"call\.json"):
        load_profile(bad)
    with pytest.raises(ConfigError, match="issuing_body"):
        parse_profile({"title": "x", "themes": []}, "c.json")


def test_tagging_is_incremental_and_retag_keeps_corrections(store) -> None:
    settings = Settings(index_dir=store.index_dir, embedder="fast")
    scorer = scorer_for(store, settings)
    first = tag(store, scorer)
    assert first.tagged == store.count()
    assert tag(store, scorer).tagged == 0  # nothing new
    key = store.submissions()[0].key
    ThemeTags(store.registry).correct(key, "T3", 0, note="read by staff")
    again = tag(store, scorer, force=True)
    assert again.tagged == store.count()
    coverage = build_coverage(store, load_profile())
    cell = next(r for r in coverage.rows if r.submission.key == key).cells["T3"]
    assert (cell.corrected and cell.passages == 0 and cell.citation is None) or cell.passages == 0


def test_coverage_json_quotes_are_verbatim_and_csv_has_the_exact_shape(store, tmp_path) -> None:
    profile = load_profile()
    tag(store, scorer_for(store, Settings(embedder="fast"), profile))
    coverage = build_coverage(store, profile)
    record = coverage_record(coverage)
    assert [t["id"] for t in record["themes"]] == list(profile.ids)
    addressed = 0
    for row in record["submissions"]:
        text = store.document(row["submission_key"]).text
        assert set(row) == {
            "submission_key",
            "file",
            "submitter",
            "submitter_type",
            "country",
            "language",
            "cells",
        }
        for cell in row["cells"].values():
            assert set(cell) >= {
                "passages",
                "strength",
                "quote",
                "locator",
                "char_start",
                "char_end",
            }
            if cell["passages"] == 0:
                assert cell["quote"] is None
                assert cell["strength"] == 0
            else:
                addressed += 1
                assert text[cell["char_start"] : cell["char_end"]] == cell["quote"]
    assert addressed > 0
    path = write_csv(coverage, tmp_path / "c.csv")
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0] == ["file", "submitter", "submitter_type", "country", "language", *profile.ids]
    assert len(rows) == 1 + len(coverage.rows)
    assert write_xlsx(coverage, tmp_path / "c.xlsx").stat().st_size > 0


def test_theme_filter_keeps_tagged_passages_only(store) -> None:
    profile = load_profile()
    tag(store, scorer_for(store, Settings(embedder="fast"), profile))
    tagged = {pid for pid, s in ThemeTags(store.registry).scores().items() if s["T4"] >= 0.5}
    hits = store.dense_search("police", 5, Filters(theme=("T4",)))
    assert hits
    assert all(h.passage.id in tagged for h in hits)
    lexical = store.lexical_search("police", 5, Filters(theme=("T4",)))
    assert all(h.passage.id in tagged for h in lexical)


def test_cell_citations_and_digest_with_real_footnotes(store, tmp_path) -> None:
    profile = load_profile()
    tag(store, scorer_for(store, Settings(embedder="fast"), profile))
    coverage = build_coverage(store, profile)
    row, theme = next((r, t) for r in coverage.rows for t in profile.ids if r.cells[t].passages)
    cites = cell_citations(store, profile, row.submission.key, theme)
    assert len(cites) == row.cells[theme].passages or len(cites) == 20
    text = store.document(row.submission.key).text
    assert all(text[c.char_start : c.char_end] == c.quote for c in cites)
    digest = build_digest(store, profile, themes=[theme])
    md = digest_markdown(digest)
    assert "Not addressed by" in md
    assert "[^1]: Submission of " in md
    path = write_digest_docx(digest, tmp_path / "d.docx")
    with zipfile.ZipFile(path) as z:
        notes = z.read("word/footnotes.xml").decode()
    assert "Submission of " in notes


def test_cli_coverage_retag_and_correct(store, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")
    index = str(store.index_dir)
    store.close()
    assert main(["coverage", "--index", index, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    key = data["submissions"][0]["submission_key"]
    assert main(["correct", key, "T2", "3", "--note", "checked", "--index", index]) == 0
    assert main(["retag", "--index", index]) == 0
    capsys.readouterr()
    assert main(["coverage", "--index", index, "--json", "--csv", str(tmp_path / "c.csv")]) == 0
    cell = json.loads(capsys.readouterr().out)["submissions"][0]["cells"]["T2"]
    assert cell["passages"] == 3
    assert cell["corrected"] is True
    assert "T2=3" in (tmp_path / "c.csv").read_text(encoding="utf-8")
    assert main(["search", "police", "--filter", "theme=T4", "--index", index]) == 0


def test_corrections_survive_a_rebuild(store) -> None:
    from vectorstore.sync import rebuild

    settings = Settings(index_dir=store.index_dir, embedder="fast")
    tag(store, scorer_for(store, settings))
    key = store.submissions()[0].key
    ThemeTags(store.registry).correct(key, "T5", 4, note="checked")
    report = rebuild(store)
    assert report.ok
    tag(store, scorer_for(store, settings))
    row = next(r for r in build_coverage(store, load_profile()).rows if r.submission.key == key)
    assert row.cells["T5"].passages == 4
    assert row.cells["T5"].corrected


def test_fitted_weights_cover_every_feature_and_a_list_of_themes_is_about_none(store) -> None:
    import numpy as np

    from assistant.themes.scorer import FEATURES, FITTED_WEIGHTS, ThemeFeatures

    assert {"e5", "fast"} <= set(FITTED_WEIGHTS)
    assert all(len(w) == len(FEATURES) for w in FITTED_WEIGHTS.values())
    # seed words of one theme only, then of every theme alike (a call listing its themes)
    lexical = np.array([[3.0, 0.0, 0.0], [3.0, 3.0, 3.0]])
    zeros = np.zeros_like(lexical)
    feats = ThemeFeatures(zeros, zeros, lexical, zeros)
    assert feats.lexical_relative[0, 0] == pytest.approx(2.0)
    assert np.allclose(feats.lexical_relative[1], 0.0)
    scorer = scorer_for(store, Settings(embedder="fast"))
    passages = store.passages_of(store.submissions()[0].key)
    stacked = scorer.features(passages, store.vectors([p.id for p in passages])).stacked()
    assert stacked.shape == (len(passages), len(scorer.profile.ids), len(FEATURES))
