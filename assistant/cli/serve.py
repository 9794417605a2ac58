"""`submissions serve`: the Gradio app on settings.host:settings.port (127.0.0.1:7860).

``--ingest-sample`` indexes the bundled samples when the index is empty (this is what
``make run`` does): in the background, once the app serves, with progress in the app and on
the terminal. ``--add-user NAME`` adds a login to the auth file and exits. Without a login
the app only listens on the loopback interface.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli.factory import build_engine
from assistant.cli.options import add_index_option
from assistant.config import Settings
from assistant.errors import ConfigError
from ingest.metadata import warm_language_detector

if TYPE_CHECKING:
    from assistant.background import BackgroundIndexer
    from assistant.engine import Engine

logger = logging.getLogger(__name__)

BUNDLED_SAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"


def register(sub: argparse._SubParsersAction) -> None:
    """Register `serve`."""
    serve = sub.add_parser("serve", help="open the app in the browser (Gradio)")
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 7860)")
    serve.add_argument(
        "--ingest-sample",
        action="store_true",
        help="index the bundled sample submissions first when the index is empty",
    )
    serve.add_argument(
        "--add-user",
        metavar="NAME",
        help="add (or reset) a login in the auth file, asking for the password, then exit",
    )
    serve.add_argument(
        "--auth-file", metavar="FILE", help="the login file (default: SUBMISSIONS_AUTH_FILE)"
    )
    add_index_option(serve)
    serve.set_defaults(func=cmd_serve)


def sample_dir(settings: Settings) -> Path:
    """Return the folder `--ingest-sample` indexes."""
    folder = Path(settings.sample_dir) if settings.sample_dir else BUNDLED_SAMPLES
    if not folder.is_dir():
        raise ConfigError(
            f"{folder}: the sample folder does not exist; set SUBMISSIONS_SAMPLE_DIR to a folder "
            "of .docx files, or ingest your own with `submissions ingest FOLDER`"
        )
    return folder


def ingest_sample(indexer: BackgroundIndexer, settings: Settings) -> int:
    """Queue the sample folder on the background indexer; print progress lines and a summary.

    The app is already serving: questions are answered over what is indexed so far.
    """
    from assistant.cli.progress import plain_lines

    folder = sample_dir(settings)
    print(f"The index is empty: indexing the samples in {folder} in the background …", flush=True)
    indexer.on_progress = plain_lines("  samples", sys.stdout)
    job_id = indexer.ingest([folder], label="the sample submissions")

    def summary() -> None:
        job = indexer.wait(job_id)
        indexer.on_progress = None
        if job.state == "failed":
            print(f"Samples not indexed: {job.error}", file=sys.stderr, flush=True)
            return
        report = job.report
        counts = ", ".join(f"{n} {action}" for action, n in report.counts().items() if n)
        print(f"Samples indexed: {counts}.", flush=True)
        for outcome in report.failed:
            print(f"  not indexed: {outcome.key}: {outcome.detail}", file=sys.stderr, flush=True)

    threading.Thread(target=summary, name="samples-summary", daemon=True).start()
    return job_id


def read_password() -> str:
    """Ask for a new password twice on a terminal; read one line from a pipe."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        raise ConfigError("the two passwords differ; run the command again")
    return first


def cmd_add_user(name: str, auth_file: str) -> int:
    """Add a login to ``auth_file``."""
    from assistant.ui.auth import add_user

    if not auth_file:
        raise ConfigError(
            "no login file: pass --auth-file FILE or set SUBMISSIONS_AUTH_FILE, then run "
            "`submissions serve --add-user NAME` again"
        )
    add_user(Path(auth_file), name, read_password())
    print(f"Saved the login of {name} in {auth_file}. Serve with SUBMISSIONS_AUTH_FILE={auth_file}")
    return 0


def warm_up(engine: Engine, question: str) -> None:
    """Answer one question unseen, so the first real one finds Chroma open and the models loaded.

    Runs on a thread once the app serves; a failure only leaves the first answer slower.
    """
    try:
        warm_language_detector()  # a short French or Spanish question reads it
        engine.ask(question)
    except Exception:  # never let the warm-up stop the app
        logger.debug("warm-up question failed", exc_info=True)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the app until interrupted."""
    from assistant.ui.auth import check_bind

    settings = dataclasses.replace(
        settings,
        host=args.host or settings.host,
        port=args.port or settings.port,
        auth_file=args.auth_file or settings.auth_file,
    )
    if args.add_user:
        return cmd_add_user(args.add_user, settings.auth_file)
    check_bind(settings.host, settings.auth_file)
    engine = build_engine(settings, must_exist=False)
    if args.ingest_sample:
        sample_dir(settings)  # a missing folder is an error before anything starts
    from assistant import ui
    from assistant.ui.context import background_indexer, example_questions, load_call

    indexer = background_indexer(engine, settings)
    app = ui.build_app(engine, settings, indexer)
    login = " (login required)" if settings.auth_file else ""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    # Serve first, then index: the samples go in while the app already answers.
    ui.launch(app, settings, prevent_thread_lock=True)
    questions = example_questions(load_call(settings.call_file)) or ["warm-up"]
    threading.Thread(target=warm_up, args=(engine, questions[0]), daemon=True).start()
    print(f"Submissions Assistant on http://{host}:{settings.port}{login}; Ctrl+C stops.")
    if args.ingest_sample and engine.store.count() == 0:
        ingest_sample(indexer, settings)
    app.block_thread()  # until Ctrl+C
    return 0
