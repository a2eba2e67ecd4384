"""Edits: text changed by an instruction.

OpenAI retired `/v1/edits` (and its edit models) in January 2024. `edit()` keeps its
contract on chat completions: the instruction becomes a system message, the input the
user message, and only the edited text comes back.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from .._core.arguments import model_argument, text
from .._core.errors import InvalidInputError
from .chat import ChatAPI

__all__ = ["EDIT_PROMPT", "EditsAPI"]

EDIT_PROMPT = (
    "You are a careful editor. Apply this instruction to the text in the user's message:\n"
    "{instruction}\n"
    "Answer with the edited text only: no preamble, no explanation, and no quotes or code "
    "fences around it. Keep everything the instruction does not ask to change."
)
_FENCED = re.compile(r"^```[\w-]*\n(.*)\n```$", re.DOTALL)


class EditsAPI(ChatAPI):
    def edit(self, input: str, instruction: str, model: str | None = None, **advanced: Any) -> str:
        """`input` changed as `instruction` says; returns only the edited text.

        Runs on chat completions (`/v1/edits` is retired): the instruction is sent as a
        system message and the input as the user message. `model` defaults to
        gpt-4o-mini; `advanced` settings (temperature, top_p, seed, ...) pass through.
        A reply the model wrapped in a code fence the input did not have is unwrapped.
        A reply cut at the token limit comes back with a RuntimeWarning.
        """
        original = text(input, "input", hint="give the text to edit")
        what = text(instruction, "instruction", hint="say what to change, e.g. 'Fix the spelling'")
        if advanced.get("stream"):
            raise InvalidInputError(
                "edit() returns one whole text, so stream is not taken; use chat(stream=True)"
            )
        if advanced.get("n") not in (None, 1):
            raise InvalidInputError("edit() returns one text, so n is not taken; call it again for another")
        advanced = {k: v for k, v in advanced.items() if k not in {"stream", "n"}}
        messages = [
            {"role": "system", "content": EDIT_PROMPT.format(instruction=what.strip())},
            {"role": "user", "content": original},
        ]
        result = self.chat(messages, model=model_argument(model, "edit"), **advanced)
        if result.finish_reason == "length":
            warnings.warn(
                "the edited text was cut at the token limit; raise max_completion_tokens for all of it",
                RuntimeWarning,
                stacklevel=2,
            )
        return _unfenced(result.text, original)


def _unfenced(reply: str, original: str) -> str:
    match = _FENCED.match(reply.strip())
    if match and not original.lstrip().startswith("```"):
        return match.group(1)
    return reply
