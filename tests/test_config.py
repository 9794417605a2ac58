"""Settings come from the environment with one prefix, and the README documents each one."""

from __future__ import annotations

import os
from pathlib import Path

from assistant.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_settings_read_prefixed_variables_and_index_alias() -> None:
    env = {"SUBMISSIONS_TOP_K": "7", "SUBMISSIONS_INDEX": "/tmp/x", "SUBMISSIONS_EMBEDDER": "fast"}
    settings = Settings.from_env(env)
    assert settings.top_k == 7
    assert settings.index_dir == Path("/tmp/x")
    assert settings.embedder == "fast"
    assert Settings.from_env(env, index_dir="/elsewhere").index_dir == Path("/elsewhere")


def test_every_setting_is_in_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [
        name
        for name in Settings.field_names()
        if f"`{name}`" not in text or f"`{Settings.env_name(name)}`" not in text
    ]
    assert not missing, f"add these settings to the README's settings table: {missing}"


def test_offline_settings_are_applied_to_a_clean_environment() -> None:
    from ingest.offline import apply

    env: dict[str, str] = {}
    apply(env)
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["HF_HUB_DISABLE_TELEMETRY"] == "1"
    assert env["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert Path(env["TIKTOKEN_CACHE_DIR"]).is_dir()


def test_importing_the_package_makes_the_process_offline() -> None:
    import assistant  # noqa: F401

    assert os.environ["HF_HUB_OFFLINE"].lower() in {"1", "true"}
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert Path(os.environ["TIKTOKEN_CACHE_DIR"]).is_dir()


def test_nested_settings_come_from_group_variables_and_keep_old_names() -> None:
    env = {
        "SUBMISSIONS_REFUSAL_THRESHOLD": "0.5",
        "SUBMISSIONS_RETRIEVAL_RRF_K": "30",
        "SUBMISSIONS_PER_SUBMITTER_CAP": "2",
        "SUBMISSIONS_ANSWER_MAX_BULLETS": "4",
        "SUBMISSIONS_FITTED_FILE": "off",
    }
    settings = Settings.from_env(env)
    assert settings.refusal.threshold == 0.5
    assert settings.retrieval.rrf_k == 30
    assert settings.retrieval.per_submitter_cap == settings.per_submitter_cap == 2
    assert settings.answer.max_bullets == 4
    assert Settings.env_name("refusal.threshold") == "SUBMISSIONS_REFUSAL_THRESHOLD"


def test_one_default_per_value() -> None:
    from assistant.engine import Engine  # noqa: F401  (the engine takes its defaults from here)
    from assistant.retrieval.retriever import Retriever

    assert Settings().per_submitter_cap == 0
    assert Retriever.__init__.__defaults__ is None or 3 not in Retriever.__init__.__defaults__


def test_a_bad_value_is_a_config_error_naming_the_variable() -> None:
    import pytest

    from assistant.errors import ConfigError

    with pytest.raises(ConfigError, match="SUBMISSIONS_RETRIEVAL_METHOD"):
        Settings.from_env({"SUBMISSIONS_RETRIEVAL_METHOD": "magic"})
    with pytest.raises(ConfigError, match="SUBMISSIONS_TOP_K"):
        Settings.from_env({"SUBMISSIONS_TOP_K": "ten"})
    with pytest.raises(ConfigError, match="SUBMISSIONS_TOP_K"):
        Settings(top_k=0)


def test_fitted_values_load_from_their_file_and_the_environment_wins(tmp_path: Path) -> None:
    import json

    import pytest

    from assistant.errors import ConfigError

    fitted = tmp_path / "fitted.json"
    fitted.write_text(
        json.dumps({"_about": "test", "refusal": {"threshold": 0.55, "coverage_weight": 0.5}})
    )
    settings = Settings.from_env({"SUBMISSIONS_FITTED_FILE": str(fitted)})
    assert (settings.refusal.threshold, settings.refusal.coverage_weight) == (0.55, 0.5)
    env = {"SUBMISSIONS_FITTED_FILE": str(fitted), "SUBMISSIONS_REFUSAL_THRESHOLD": "0.7"}
    assert Settings.from_env(env).refusal.threshold == 0.7
    fitted.write_text(json.dumps({"refusal": {"thresold": 0.5}}))
    with pytest.raises(ConfigError, match="thresold"):
        Settings.from_env({"SUBMISSIONS_FITTED_FILE": str(fitted)})
    with pytest.raises(ConfigError, match="not found"):
        Settings.from_env({"SUBMISSIONS_FITTED_FILE": str(tmp_path / "none.json")})
