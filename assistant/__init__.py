"""Submissions Assistant: answers with verbatim, verifiable citations."""

import ingest as _ingest  # noqa: F401  (applies the offline settings first)

__version__ = "0.1.0"
