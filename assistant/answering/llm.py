"""The optional LLM: a ChatModel protocol and its adapter over llama-index's OpenAILike client.

Any OpenAI-compatible chat endpoint works (vLLM, Ollama, llama.cpp server, LM Studio,
OpenAI/Azure). The edge reads the API key from the variable named by ``llm_api_key_env`` and
passes its value here; this module never reads the environment.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from assistant.errors import LLMError

logger = logging.getLogger(__name__)

MAX_ANSWER_TOKENS = 700


@runtime_checkable
class ChatModel(Protocol):
    """A chat model that streams its reply to one system + user message."""

    name: str

    def stream(self, system: str, user: str) -> Iterator[str]:
        """Yield the reply's text pieces as they arrive."""
        ...


def api_base(url: str) -> str:
    """Return ``url`` with "/v1" appended when it has no path ("http://host:8000" → ".../v1")."""
    url = url.rstrip("/")
    return url + "/v1" if urlsplit(url).path in ("", "/") else url


class OpenAILikeChat:
    """ChatModel over ``llama_index.llms.openai_like.OpenAILike`` (streamed chat)."""

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str = "",
        timeout_s: float = 60.0,
        max_tokens: int = MAX_ANSWER_TOKENS,
    ) -> None:
        from llama_index.llms.openai_like import OpenAILike

        if not url:
            raise LLMError("no LLM URL: set SUBMISSIONS_LLM_URL to an OpenAI-compatible base URL")
        self.url = api_base(url)
        self.name = model or "default"
        self._llm = OpenAILike(
            api_base=self.url,
            model=self.name,
            api_key=api_key or "not-needed",  # local servers ignore it; the client requires one
            is_chat_model=True,
            temperature=0.0,
            max_tokens=max_tokens,
            timeout=timeout_s,
            max_retries=0,
            context_window=8192,
        )

    def stream(self, system: str, user: str) -> Iterator[str]:
        """Yield the reply's text pieces; raise LLMError naming the URL when the call fails."""
        from llama_index.core.llms import ChatMessage

        messages = [
            ChatMessage(role="system", content=system),
            ChatMessage(role="user", content=user),
        ]
        try:
            for chunk in self._llm.stream_chat(messages):
                if chunk.delta:
                    yield chunk.delta
        except Exception as exc:  # the openai client raises many types; translate them all
            raise LLMError(
                f"the LLM at {self.url} (model {self.name!r}) failed: {exc}. Check that the "
                "server is running and SUBMISSIONS_LLM_URL / SUBMISSIONS_LLM_MODEL are right, "
                "or unset SUBMISSIONS_LLM_URL to use the built-in extractive answers"
            ) from exc
