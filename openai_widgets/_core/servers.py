"""Which server the client talks to: OpenAI's own API, or another OpenAI-compatible one.

OpenAI-compatible servers (vLLM, Ollama, LM Studio, LiteLLM, TGI, llama.cpp...) follow
the spec's core but not always its newer or older corners. A few things are therefore sent
differently when the server is not OpenAI (README, Configuration):

- `stream_options.include_usage` on streamed chat goes only to OpenAI, or where asked
  (`stream_usage=True`, or `stream_options` in the call): one server crashed on it. A
  server that refuses it by name (a 400 or 5xx naming `stream_options`) gets the request
  once more without it, and is not sent it again by that client.
- fine-tuning hyperparameters go inside `method` (the API's current form) and, for other
  servers, also in the deprecated top-level `hyperparameters`, which older servers read.

`openai_server=None` (the default) decides from the base URL's host; True or False on
`Client` / `connect` overrides it (the sandbox follows the spec, so `connect(sandbox=True)`
counts it as OpenAI).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from .arguments import type_error

__all__ = ["OPENAI_HOSTS", "is_openai_host", "names_field", "optional_flag"]

OPENAI_HOSTS = frozenset({"api.openai.com"})


def is_openai_host(base_url: str) -> bool:
    """Whether `base_url` is OpenAI's own API."""
    host = urllib.parse.urlsplit(base_url).hostname or ""
    return host.lower() in OPENAI_HOSTS


def optional_flag(value: Any, name: str) -> bool | None:
    """True, False or None (None: the package decides)."""
    if value is not None and not isinstance(value, bool):
        raise type_error(name, "True, False or None (decided from the base URL)", value)
    return value


def names_field(body: str, *fields: str) -> bool:
    """Whether an error body mentions one of `fields` (how a server says which field it refuses)."""
    text = body.lower()
    return any(field.lower() in text for field in fields)
