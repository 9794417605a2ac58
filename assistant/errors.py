"""Errors of the assistant layer.

    AssistantError
    ├── ConfigError             a setting is missing or wrong
    │   ├── GlossaryError       the glossary file is missing or has a bad line
    │   ├── QuestionsFileError  a labelled questions file (eval) has a bad line
    │   └── UnknownModeError    a retrieval mode or fusion method that does not exist
    ├── LLMError                the optional LLM endpoint failed or answered badly
    └── QuoteMismatchError      a citation's quote is not the verbatim slice it claims to be

Store errors live in ``vectorstore.errors`` (StoreError and its leaves) and reading errors in
``ingest.errors`` (IngestError); the edges (CLI, app) translate all three the same way: a one-line
message, no traceback.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: the message says what happened and what to do next."""


class ConfigError(AssistantError):
    pass


class GlossaryError(ConfigError):
    pass


class QuestionsFileError(ConfigError, ValueError):
    pass


class UnknownModeError(ConfigError, ValueError):
    pass


class LLMError(AssistantError):
    pass


class QuoteMismatchError(AssistantError, AssertionError):
    """A quote that is not ``text[char_start:char_end]``: a bug, never shown to a user as is."""
