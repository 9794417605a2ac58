"""A writer process for the crash tests: it is SIGKILLed by its parent, or kills itself.

    python tests/crash_worker.py INDEX OP FOLDER [--crash WHEN:METHOD:N] [--batch N]

OP is ``ingest`` (sync FOLDER), ``remove`` (remove every submission) or ``rebuild``. The worker
imports everything and loads the ``fast`` embedder, prints ``ready``, waits for a line on stdin,
then writes and prints ``done``. ``--crash after:chroma_upsert:1`` makes it SIGKILL itself right
after the first call of ``PassageStore.chroma_upsert`` returns (``before:`` kills just before the
call): the real code runs unchanged up to the kill, which lands at an exact point of the protocol.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vectorstore.embeddings import load_embedder
from vectorstore.store import PassageStore
from vectorstore.sync import rebuild, remove, sync


def _arm(spec: str) -> None:
    """Make the N-th call of PassageStore.METHOD kill this process before or after it runs."""
    when, method, nth = spec.split(":")
    real = getattr(PassageStore, method)
    calls = {"n": 0}

    def wrapped(self: PassageStore, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == int(nth) and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(self, *args, **kwargs)
        if calls["n"] == int(nth) and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(PassageStore, method, wrapped)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", type=Path)
    parser.add_argument("op", choices=("ingest", "remove", "rebuild"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--crash", default="")
    parser.add_argument("--batch", type=int, default=0)
    parser.add_argument("--chroma-url", default="")
    args = parser.parse_args()
    embedder = load_embedder("fast")
    embedder.embed_query("warm up")
    if args.crash:
        _arm(args.crash)
    print("ready", flush=True)
    sys.stdin.readline()
    store = PassageStore(
        args.index, embedder, check_embedder=args.op != "rebuild", chroma_url=args.chroma_url
    )
    if args.op == "ingest":
        report = sync(store, [args.folder], workers=1, batch_passages=args.batch)
    elif args.op == "remove":
        report = remove(store, [s.key for s in store.submissions()])
    else:
        report = rebuild(store, workers=1, batch_passages=args.batch)
    print("done" if report.ok else f"failed {report.failed}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
