"""The SQLite registry in the index folder: submissions, documents, passages, vector cache, meta.

It is the source of truth for everything but the HNSW graph: passages are rebuilt from here,
Chroma only answers "which ids are nearest". The lexical (FTS5) table lives in the same file
(see :mod:`vectorstore.lexical`), so registry rows and lexical rows change in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.types import Block, Document, Passage, Submission
from vectorstore.serial import dumps, revive
from vectorstore.types import Filters

# The journal of the commit protocol (see vectorstore.journal), created on open like overrides.
JOURNAL_TABLE = (
    "CREATE TABLE IF NOT EXISTS journal (id TEXT NOT NULL, op TEXT NOT NULL, "
    "PRIMARY KEY (id, op)) WITHOUT ROWID"
)

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    key TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    file TEXT NOT NULL DEFAULT '',
    submitter TEXT NOT NULL DEFAULT '',
    submitter_type TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL,
    root TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT -1,
    mtime_ns INTEGER NOT NULL DEFAULT -1,
    manifest_row TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS submissions_hash ON submissions (content_hash);
CREATE TABLE IF NOT EXISTS documents (
    key TEXT PRIMARY KEY, text TEXT NOT NULL, blocks TEXT NOT NULL, properties TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    language TEXT NOT NULL DEFAULT '',
    text_sha TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_key ON passages (key, ordinal);
CREATE TABLE IF NOT EXISTS vectors (
    embedder TEXT NOT NULL, text_sha TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (embedder, text_sha)
) WITHOUT ROWID;
"""

# Metadata edited by people (the app's library): kept apart so that re-ingesting a changed file,
# which recomputes metadata from the file, never loses them. Created on open, so older indexes
# gain it without a schema change.
_OVERRIDES_TABLE = (
    "CREATE TABLE IF NOT EXISTS overrides (key TEXT PRIMARY KEY, data TEXT NOT NULL DEFAULT '{}')"
)

# Filters fields -> SQL column (submissions s, passages p).
_FILTER_COLUMNS = {
    "submitter_type": "s.submitter_type",
    "country": "s.country",
    "submitter": "s.submitter",
    "file": "s.file",
    "language": "p.language",
    "submission_key": "p.key",
}


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the registry remembers about a submission's source file, to skip unchanged ones."""

    key: str
    content_hash: str
    root: str
    size: int
    mtime_ns: int
    manifest_row: str


def filter_sql(filters: Filters | None) -> tuple[str, list[str]]:
    """Return an SQL condition over ``s`` (submissions) and ``p`` (passages), and its params."""
    if filters is None or filters.is_empty():
        return "1", []
    clauses, params = [], []
    for name, column in _FILTER_COLUMNS.items():
        values = getattr(filters, name)
        if values:
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)
    if filters.theme:  # the passage_themes table of vectorstore.tags
        marks = ",".join("?" * len(filters.theme))
        clauses.append(
            "p.id IN (SELECT passage_id FROM passage_themes"
            f" WHERE theme IN ({marks}) AND score >= 0.5)"
        )
        params.extend(filters.theme)
    return " AND ".join(clauses), params


class Registry:
    """Typed access to ``registry.sqlite`` (WAL mode; one connection shared by threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._commits = 0
        self._submissions: tuple[tuple[int, int], list[Submission]] | None = None
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=10000")
        if self.meta("schema_version") is None:
            with self.transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.set_meta("schema_version", SCHEMA_VERSION)
        with self.transaction() as conn:
            conn.execute(_OVERRIDES_TABLE)
            conn.execute(JOURNAL_TABLE)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one write transaction (nested calls join the outer one)."""
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            self._commits += 1

    def version(self) -> tuple[int, int]:
        """Return a stamp that changes with every commit, by this connection or another."""
        with self._lock:
            return (self.conn.execute("PRAGMA data_version").fetchone()[0], self._commits)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Return all rows of a read query."""
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    # meta -------------------------------------------------------------------------------
    def meta(self, name: str) -> str | None:
        """Return a meta value, or None."""
        try:
            rows = self.query("SELECT value FROM meta WHERE name = ?", (name,))
        except sqlite3.OperationalError:
            return None
        return rows[0][0] if rows else None

    def set_meta(self, name: str, value: str) -> None:
        """Set a meta value."""
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    def write_seq(self) -> int:
        """Return the change counter: it grows with every change of the Chroma side."""
        return int(self.meta("write_seq") or 0)

    def bump(self) -> int:
        """Increase the change counter (readers reopen Chroma when it moves); return it."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta (name, value) VALUES ('write_seq', '1') ON CONFLICT(name) "
                "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
            return int(
                conn.execute("SELECT value FROM meta WHERE name = 'write_seq'").fetchone()[0]
            )

    # submissions ------------------------------------------------------------------------
    def sources(self) -> dict[str, SourceState]:
        """Return the source state of every submission, by key (cheap: no JSON decoding)."""
        rows = self.query(
            "SELECT key, content_hash, root, size, mtime_ns, manifest_row FROM submissions"
        )
        return {row[0]: SourceState(*row) for row in rows}

    def submissions(self) -> list[Submission]:
        """Return every submission, ordered by key (decoded once per change of the registry)."""
        with self._lock:
            version = self.version()
            stale = self._submissions is None or self._submissions[0] != version
            if stale or self.conn.in_transaction:  # own uncommitted rows: no cache
                rows = self.query("SELECT data FROM submissions ORDER BY key")
                decoded = [revive(Submission, json.loads(row[0])) for row in rows]
                self._submissions = (version, decoded)
            return list(self._submissions[1])

    def submission(self, key: str) -> Submission | None:
        """Return one submission, or None."""
        rows = self.query("SELECT data FROM submissions WHERE key = ?", (key,))
        return revive(Submission, json.loads(rows[0][0])) if rows else None

    def key_with_hash(self, content_hash: str) -> str | None:
        """Return the key of a submission with this content hash, or None."""
        rows = self.query(
            "SELECT key FROM submissions WHERE content_hash = ? ORDER BY key LIMIT 1",
            (content_hash,),
        )
        return rows[0][0] if rows else None

    def put_submission(self, submission: Submission, state: SourceState) -> None:
        """Insert or replace a submission row."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO submissions (key, content_hash, file, submitter, "
                "submitter_type, country, language, data, root, size, mtime_ns, manifest_row) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    submission.key,
                    submission.content_hash,
                    submission.file,
                    submission.submitter,
                    submission.submitter_type,
                    submission.country,
                    submission.language,
                    dumps(submission),
                    state.root,
                    state.size,
                    state.mtime_ns,
                    state.manifest_row,
                ),
            )

    def touch(self, key: str, size: int, mtime_ns: int) -> None:
        """Record a new (size, mtime) for an unchanged file, so the next run skips hashing."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE submissions SET size = ?, mtime_ns = ? WHERE key = ?", (size, mtime_ns, key)
            )

    def delete_submission(self, key: str) -> None:
        """Delete a submission's row, document and passages (the caller removes lexical rows)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM passages WHERE key = ?", (key,))
            conn.execute("DELETE FROM documents WHERE key = ?", (key,))
            conn.execute("DELETE FROM submissions WHERE key = ?", (key,))
            conn.execute("DELETE FROM overrides WHERE key = ?", (key,))

    # metadata edits -----------------------------------------------------------------------
    def overrides(self, key: str) -> dict[str, Any]:
        """Return the metadata fields people edited for a submission (may be empty)."""
        rows = self.query("SELECT data FROM overrides WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else {}

    def set_overrides(self, key: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` into a submission's edited fields; return all of them."""
        merged = {**self.overrides(key), **changes}
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO overrides (key, data) VALUES (?, ?)",
                (key, json.dumps(merged, ensure_ascii=False)),
            )
        return merged

    # documents --------------------------------------------------------------------------
    def put_document(self, key: str, document: Document) -> None:
        """Store a submission's canonical text and blocks."""
        blocks = dumps(document.blocks)
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO documents (key, text, blocks, properties) VALUES (?,?,?,?)",
                (key, document.text, blocks, json.dumps(document.properties, ensure_ascii=False)),
            )

    def document(self, key: str) -> Document | None:
        """Return a submission's canonical document, or None."""
        rows = self.query("SELECT text, blocks, properties FROM documents WHERE key = ?", (key,))
        if not rows:
            return None
        text, blocks, properties = rows[0]
        revived = tuple(revive(Block, b) for b in json.loads(blocks))
        return Document(text=text, blocks=revived, properties=json.loads(properties))

    # passages ---------------------------------------------------------------------------
    def passage_ids(self, key: str) -> dict[str, int]:
        """Return {passage id: rowid} for a submission."""
        return dict(self.query("SELECT id, rowid FROM passages WHERE key = ?", (key,)))

    def put_passages(self, passages: Sequence[Passage], text_shas: Sequence[str]) -> list[int]:
        """Insert or replace passages; return their rowids (stable for unchanged ids)."""
        rowids = []
        with self.transaction() as conn:
            for passage, sha in zip(passages, text_shas, strict=True):
                data = dumps(passage)
                row = conn.execute(
                    "INSERT INTO passages (id, key, ordinal, language, text_sha, data) "
                    "VALUES (?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET key = excluded.key, "
                    "ordinal = excluded.ordinal, language = excluded.language, "
                    "text_sha = excluded.text_sha, data = excluded.data RETURNING rowid",
                    (
                        passage.id,
                        passage.submission_key,
                        passage.ordinal,
                        passage.language,
                        sha,
                        data,
                    ),
                ).fetchone()
                rowids.append(row[0])
        return rowids

    def delete_passages(self, ids: Iterable[str]) -> None:
        """Delete passages by id."""
        with self.transaction() as conn:
            conn.executemany("DELETE FROM passages WHERE id = ?", [(i,) for i in ids])

    def passages_of(self, key: str) -> list[Passage]:
        """Return a submission's passages in reading order."""
        rows = self.query("SELECT data FROM passages WHERE key = ? ORDER BY ordinal", (key,))
        return [revive(Passage, json.loads(row[0])) for row in rows]

    def get_passages(self, ids: Sequence[str]) -> dict[str, Passage]:
        """Return {id: Passage} for the ids that exist."""
        found: dict[str, Passage] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            rows = self.query(
                f"SELECT id, data FROM passages WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update((i, revive(Passage, json.loads(d))) for i, d in rows)
        return found

    def count(self) -> int:
        """Return the number of passages."""
        return self.query("SELECT count(*) FROM passages")[0][0]

    def text_shas(self, ids: Sequence[str]) -> dict[str, str]:
        """Return {passage id: sha256 of its embed_text}."""
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            rows = self.query(
                f"SELECT id, text_sha FROM passages WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update(rows)
        return found

    # vector cache -----------------------------------------------------------------------
    def cached_vectors(self, embedder: str, shas: Sequence[str]) -> dict[str, np.ndarray]:
        """Return {text sha: vector} for the cached ones."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(shas))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self.query(
                "SELECT text_sha, vector FROM vectors WHERE embedder = ? AND text_sha IN "
                f"({','.join('?' * len(chunk))})",
                [embedder, *chunk],
            )
            found.update((sha, np.frombuffer(blob, dtype=np.float32)) for sha, blob in rows)
        return found

    def cache_vectors(self, embedder: str, shas: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors in the cache."""
        rows = [
            (embedder, sha, np.asarray(v, dtype=np.float32).tobytes())
            for sha, v in zip(shas, vectors, strict=True)
        ]
        with self.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?)", rows)
