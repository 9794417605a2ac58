"""Keep the process offline: nothing may be downloaded at run time.

The variables are set with ``setdefault`` so that a user can still override them on purpose.
The tiktoken cache is the one llama-index ships inside its wheel, so counting tokens never
fetches an encoding file.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path


def tiktoken_cache_dir() -> Path | None:
    """Return llama-index's bundled tiktoken cache folder, without importing llama-index."""
    spec = importlib.util.find_spec("llama_index")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        candidate = Path(root) / "core" / "_static" / "tiktoken_cache"
        if candidate.is_dir():
            return candidate
    return None


def apply(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Set the offline and no-telemetry variables in ``environ`` unless already set."""
    environ.setdefault("HF_HUB_OFFLINE", "1")
    environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cache = tiktoken_cache_dir()
    if cache is not None:
        environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))
