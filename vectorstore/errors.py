"""Errors of the index.

StoreError
├── IndexMismatchError  the index was built with another embedder: run `submissions rebuild`
├── IndexLockedError    another process holds the writer lock
├── EmbedderError       the embedder could not load or answer
└── UnknownSubmissionError  no submission with that key
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class: the message says what happened and what to do next."""


class IndexMismatchError(StoreError):
    pass


class IndexLockedError(StoreError):
    pass


class EmbedderError(StoreError):
    pass


class UnknownSubmissionError(StoreError):
    pass
