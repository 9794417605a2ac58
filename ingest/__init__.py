"""Word submissions -> canonical text, blocks with provenance, passages.

Importing this package makes the process offline-safe before any library that could reach a
model hub or count tokens is imported (see :mod:`ingest.offline`).
"""

from ingest import offline as _offline

_offline.apply()
