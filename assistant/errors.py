"""Errors of the assistant layer.

    AssistantError
    ├── ConfigError        a setting is missing or wrong
    └── LLMError           the optional LLM endpoint failed or answered badly

Store errors live in ``vectorstore.errors`` (StoreError and its leaves); the edges translate
them the same way as these.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: the message says what happened and what to do next."""


class ConfigError(AssistantError):
    pass


class LLMError(AssistantError):
    pass
