"""Completions: the legacy `/v1/completions` endpoint, for instruct models (deprecated)."""

from __future__ import annotations

import warnings
from typing import Any

from .._core.arguments import model_argument, text
from .._core.caller import outside_stacklevel
from .._core.errors import APIResponseValidationError, InvalidInputError
from .._core.transport import BaseClient

__all__ = ["DEPRECATION", "CompletionsAPI"]

DEPRECATION = (
    "complete() uses OpenAI's legacy completions endpoint (instruct models only); "
    "use chat() instead, e.g. ow.chat(prompt, model='gpt-4o-mini')."
)


class CompletionsAPI(BaseClient):
    def complete(self, prompt: str, model: str | None = None, **advanced: Any) -> str:
        """The text that continues `prompt` (legacy instruct models; emits DeprecationWarning).

        `model` defaults to gpt-3.5-turbo-instruct. `advanced` settings pass through
        (max_tokens, which the API defaults to 16, temperature, top_p, stop, suffix, echo,
        seed, ...). For anything new use `chat()`.
        """
        from .._chat.sampling import checked_settings

        warnings.warn(DEPRECATION, DeprecationWarning, stacklevel=outside_stacklevel())
        text(prompt, "prompt", hint="write the text to continue")
        if advanced.get("stream"):
            raise InvalidInputError(
                "complete() returns the whole text and does not stream; use chat(..., stream=True)"
            )
        if advanced.get("n") not in (None, 1):
            raise InvalidInputError(
                "complete() returns one text, so n is not taken; call it again for another"
            )
        options = {k: v for k, v in advanced.items() if v is not None and k not in {"stream", "n"}}
        options = checked_settings(options)
        body = {"model": model_argument(model, "completion"), "prompt": prompt, **options}
        response = self._post("completions", body)
        choices = response.get("choices") if isinstance(response, dict) else None
        if not choices or not isinstance(choices[0].get("text"), str):
            raise APIResponseValidationError(
                f"POST completions: the answer holds no text choice: {str(response)[:200]}"
            )
        return choices[0]["text"]
