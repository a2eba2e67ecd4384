"""`Conversation`: a chat that remembers what was said."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from ._chat.messages import normalize_messages, text_of
from ._chat.result import ChatResult

__all__ = ["Conversation"]


class Conversation:
    """A chat history: each `ask()` sends it with the new message and keeps the reply.

        talk = ow.Conversation(system="You answer in one sentence.", model="gpt-4o-mini")
        talk.ask("What is a kernel?")
        talk.ask("And a notebook?", stream=True)   # knows what was said before
        talk.messages                             # the whole history, as the API takes it

    `settings` (temperature, max_completion_tokens, ...) apply to every turn; settings
    given to `ask()` apply to that turn. `client` is the client to use (None: the default
    client at the time of each turn). A reply that was interrupted is kept as far as it
    got (it was shown); a failed turn (an error, a stream cut by the server) leaves the
    history unchanged, so it can simply be asked again.
    """

    def __init__(
        self,
        system: str | None = None,
        model: str | None = None,
        *,
        client: Any = None,
        messages: Any = None,
        **settings: Any,
    ) -> None:
        self.model = model
        self.client = client
        self.settings = settings
        self.results: list[ChatResult] = []
        self._messages: list[dict[str, Any]] = normalize_messages(messages) if messages else []
        if system is not None:
            self.system = system

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The history so far (copies: changing them does not change the conversation)."""
        return [dict(message) for message in self._messages]

    @property
    def system(self) -> str | None:
        """The first system message's text; setting it replaces that message (None removes it)."""
        first = self._messages[0] if self._messages else None
        return text_of(first.get("content")) if first and first.get("role") == "system" else None

    @system.setter
    def system(self, text: str | None) -> None:
        rest = self._messages[1:] if self.system is not None else self._messages
        head = normalize_messages([{"role": "system", "content": text}]) if text is not None else []
        self._messages = head + rest

    @property
    def last(self) -> ChatResult | None:
        """The latest reply's result."""
        return self.results[-1] if self.results else None

    def ask(
        self,
        content: Any,
        *,
        stream: bool = False,
        model: str | None = None,
        name: str | None = None,
        on_update: Callable[[ChatResult], Any] | None = None,
        **settings: Any,
    ) -> ChatResult:
        """Send `content` (text, or text with images) as the next user message; returns the reply."""
        message: dict[str, Any] = {"role": "user", "content": content}
        if name is not None:
            message["name"] = name
        result = self._client().chat(
            [*self._messages, message],
            model=model or self.model,
            stream=stream,
            on_update=on_update,
            **{**self.settings, **settings},
        )
        self._messages = result.messages
        self.results.append(result)
        return result

    def add(self, role: str, content: Any = None, **fields: Any) -> None:
        """Add a message without asking (a tool's result, an example answer, ...)."""
        message = {"role": role, "content": content, **fields}
        self._messages += normalize_messages([message])

    def clear(self) -> None:
        """Forget everything but the system message."""
        self._messages = self._messages[:1] if self.system is not None else []
        self.results.clear()

    def __len__(self) -> int:
        return len(self._messages)

    def __repr__(self) -> str:
        return f"Conversation(model={self.model!r}, messages={len(self._messages)})"

    def _repr_markdown_(self) -> str:
        if not self._messages:
            return "*(empty conversation)*"
        lines = []
        for message in self._messages:
            text = text_of(message.get("content")) or ""
            images = (
                sum(
                    1
                    for part in message.get("content") or []
                    if isinstance(part, dict) and part.get("type") == "image_url"
                )
                if isinstance(message.get("content"), list)
                else 0
            )
            extra = f" *(+{images} image{'s' if images > 1 else ''})*" if images else ""
            calls = ", ".join(c.get("function", {}).get("name", "?") for c in message.get("tool_calls") or [])
            extra += f" *(calls {html.escape(calls)})*" if calls else ""
            lines.append(f"**{message['role']}**: {text}{extra}")
        return "\n\n".join(lines)

    def _client(self) -> Any:
        if self.client is not None:
            return self.client
        from ._connection import get_client

        return get_client()
