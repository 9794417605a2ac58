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
