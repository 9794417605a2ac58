"""Replace one "## Title" section of docs/benchmarks.md, leaving the others alone."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(title: str, body: str, doc: Path = DOC) -> None:
    """Write ``## title`` + ``body`` into ``doc``, replacing that section if it exists."""
    current = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    heading = f"## {title}"
    section = f"{heading}\n\n{body.strip()}\n"
    start = current.find(f"\n{heading}\n")
    if start == -1:
        updated = current.rstrip() + "\n\n" + section
    else:
        end = current.find("\n## ", start + 1)
        tail = current[end:] if end != -1 else ""
        updated = current[: start + 1] + section + tail
    doc.write_text(updated, encoding="utf-8")
