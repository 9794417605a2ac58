"""Embeddings, the Chroma passage store, the lexical index and incremental sync."""

import ingest as _ingest  # noqa: F401  (applies the offline settings first)
