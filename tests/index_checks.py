"""Consistency checks of an index folder, shared by the crash and kill tests."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from vectorstore.journal import chroma_ids
from vectorstore.store import PassageStore

WORKER = Path(__file__).with_name("crash_worker.py")


def problems(store: PassageStore) -> list[str]:
    """Return what is wrong with the live generation (empty when consistent).

    Every submission complete (its passages, document, lexical rows and vectors all present),
    no vector without a passage (orphan), no passage without a vector.
    """
    found = []
    registry_ids = {row[0] for row in store.registry.query("SELECT id FROM passages")}
    chroma = chroma_ids(store)
    if chroma - registry_ids:
        found.append(f"{len(chroma - registry_ids)} orphan vectors")
    if registry_ids - chroma:
        found.append(f"{len(registry_ids - chroma)} passages without a vector")
    lexical = store.registry.query("SELECT count(*) FROM lexical")[0][0]
    if lexical != len(registry_ids):
        found.append(f"{lexical} lexical rows for {len(registry_ids)} passages")
    for submission in store.registry.submissions():
        stored = len(store.passages_of(submission.key))
        if stored == 0 or stored != submission.passages:
            found.append(f"{submission.key}: {stored} of {submission.passages} passages")
        if store.registry.document(submission.key) is None:
            found.append(f"{submission.key}: no document")
    return found


def incomplete(store: PassageStore) -> list[str]:
    """Return the submissions that are not complete (orphan vectors are not counted)."""
    return [p for p in problems(store) if "orphan" not in p]


def sha256s(folder: Path) -> dict[str, str]:
    """Return {relative path: sha256} of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def start_worker(index: Path, op: str, folder: Path, *extra: str) -> subprocess.Popen:
    """Start tests/crash_worker.py and wait until it is ready to write."""
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(index), op, str(folder), *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = worker.stdout.readline()
    if line.strip() != "ready":
        worker.kill()
        raise AssertionError(f"worker did not start: {line!r} {worker.stderr.read()[-2000:]}")
    return worker


def go(worker: subprocess.Popen) -> None:
    """Let a ready worker write."""
    worker.stdin.write("go\n")
    worker.stdin.flush()
