"""What `respond()` raises beyond the transport's errors, each with the partial `Response`.

    OpenAIError
    ├── ToolLoopError         the model still called tools after max_tool_rounds rounds
    └── APIError
        └── ResponseFailedError   the response ended with status "failed" (its error inside)

Both carry `.partial`: the `Response` as far as it got (every round, the tool outputs sent).
"""

from __future__ import annotations

from typing import Any

from .._core.errors import APIError, OpenAIError

__all__ = ["ResponseFailedError", "ToolLoopError"]


class ToolLoopError(OpenAIError):
    """The model asked for more tool rounds than `max_tool_rounds`; `.partial` has every round."""

    def __init__(self, message: str, partial: Any = None) -> None:
        super().__init__(message)
        self.partial = partial


class ResponseFailedError(APIError):
    """A response ended "failed"; `.code` is the API's error code, `.partial` the Response."""

    def __init__(self, message: str, *, code: str | None = None, partial: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.partial = partial
