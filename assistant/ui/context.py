"""What the screens' handlers share: the engine, its store, the settings, a downloads folder."""

from __future__ import annotations

import atexit
import hashlib
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings, ingest_options

if TYPE_CHECKING:
    from assistant.background import BackgroundIndexer
    from assistant.engine import Engine
    from assistant.protocols import PassageIndex

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^\w.\- ]+")


def load_call(call_file: str = "") -> dict[str, Any]:
    """Return the call for input (title, themes with example questions) from ``call_file`` or
    the bundle; the file is validated as a call profile (a ConfigError names the bad field)."""
    from assistant.themes.profile import load_profile

    return load_profile(call_file).as_dict()


def background_indexer(engine: Engine, settings: Settings) -> BackgroundIndexer:
    """Return the app's background indexer for ``engine.store`` (themes tagged after jobs)."""
    from assistant.background import BackgroundIndexer
    from assistant.themes.tagger import tag_after_sync

    store = engine.store
    return BackgroundIndexer(
        store, ingest_options(settings), after=lambda _report: tag_after_sync(store, settings)
    )


def example_questions(call: dict[str, Any]) -> list[str]:
    """Return one example question per theme of the call, in order."""
    return [t["example"] for t in call.get("themes", []) if t.get("example")]


def safe_name(name: str, default: str = "file") -> str:
    """Return ``name`` reduced to a harmless file name."""
    cleaned = _UNSAFE.sub("_", Path(name).name).strip(" .")
    return cleaned or default


@dataclass
class AppContext:
    """The engine and settings behind the app, and a private folder for files handed out."""

    engine: Engine
    settings: Settings
    call: dict[str, Any] = field(default_factory=dict)
    downloads: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="submissions-")))
    indexer: BackgroundIndexer | None = None  # runs uploads and rebuilds

    @classmethod
    def create(
        cls, engine: Engine, settings: Settings, indexer: BackgroundIndexer | None = None
    ) -> AppContext:
        """Return the context for ``engine`` with the call description named by ``settings``.

        ``indexer`` (a :class:`~assistant.background.BackgroundIndexer` over the engine's
        store) runs uploads and rebuilds; one is made when none is given.
        """
        if indexer is None:
            indexer = background_indexer(engine, settings)
        ctx = cls(
            engine=engine, settings=settings, call=load_call(settings.call_file), indexer=indexer
        )
        atexit.register(shutil.rmtree, ctx.downloads, ignore_errors=True)
        return ctx

    @property
    def store(self) -> PassageIndex:
        """Return the engine's PassageStore."""
        return self.engine.store

    def hand_out(self, source: Path, name: str) -> Path:
        """Return a copy of ``source`` named ``name`` in the downloads folder (made once)."""
        digest = hashlib.sha256(f"{source}\0{name}".encode()).hexdigest()[:20]
        target = self.downloads / digest / safe_name(name)
        if not target.is_file() or target.stat().st_size != source.stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        return target

    def new_file(self, name: str) -> Path:
        """Return a fresh path in the downloads folder for a file the app writes."""
        folder = Path(tempfile.mkdtemp(dir=self.downloads))
        return folder / safe_name(name)
