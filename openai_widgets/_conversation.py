"""`Conversation`: a chat that remembers what was said, here (chat) or on the server (responses)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

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

    With `api="responses"` the thread lives on the server, in a conversation of the
    Responses API: each `ask()` sends only the new message (`respond(...,
    conversation=...)`) and returns a `Response`. The conversation is created at the
    first turn (or give `conversation=` an existing ID); `conversation_id` names it and
    `items()` lists what the server holds. `system` is sent as each turn's instructions;
    `messages` is the text of the turns this object saw; `clear()` starts a new one.
    """

    def __init__(
        self,
        system: str | None = None,
        model: str | None = None,
        *,
        api: str = "chat",
        conversation: Any = None,
        client: Any = None,
        messages: Any = None,
        **settings: Any,
    ) -> None:
        from ._chat.messages import normalize_messages
        from ._core.arguments import one_of
        from ._core.errors import InvalidInputError
        from ._responses.body import conversation_id

        self.api = one_of(api, "api", ("chat", "responses"))
        if conversation is not None and self.api != "responses":
            raise InvalidInputError(
                "conversation= names a server-side conversation: use it with api='responses'"
            )
        self.conversation_id = conversation_id(conversation)
        self.model = model
        self.client = client
        self.settings = settings
        self.results: list[Any] = []
        self._messages: list[dict[str, Any]] = normalize_messages(messages) if messages else []
        self._unsent: list[dict[str, Any]] = [m for m in self._messages if m["role"] != "system"]
        if system is not None:
            self.system = system

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The history so far (copies: changing them does not change the conversation)."""
        return [dict(message) for message in self._messages]

    @property
    def system(self) -> str | None:
        """The first system message's text; setting it replaces that message (None removes it)."""
        from ._chat.messages import text_of

        first = self._messages[0] if self._messages else None
        return text_of(first.get("content")) if first and first.get("role") == "system" else None

    @system.setter
    def system(self, text: str | None) -> None:
        from ._chat.messages import normalize_messages

        rest = self._messages[1:] if self.system is not None else self._messages
        head = normalize_messages([{"role": "system", "content": text}]) if text is not None else []
        self._messages = head + rest

    @property
    def last(self) -> Any:
        """The latest reply's result."""
        return self.results[-1] if self.results else None

    def ask(
        self,
        content: Any,
        *,
        stream: bool = False,
        model: str | None = None,
        name: str | None = None,
        on_update: Callable[[Any], Any] | None = None,
        **settings: Any,
    ) -> Any:
        """Send `content` (text, or text with images) as the next user message; returns the reply
        (a ChatResult, or a Response with api="responses")."""
        from ._core.errors import InvalidInputError

        if self.api == "responses":
            if name is not None:
                raise InvalidInputError("name= is a chat message field; with api='responses' leave it out")
            return self._ask_server(content, stream=stream, model=model, on_update=on_update, **settings)
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

    def _ask_server(self, content: Any, **options: Any) -> Any:
        client = self._client()
        if self.conversation_id is None:
            self.conversation_id = client.create_conversation(self._unsent or None)["id"]
            self._unsent = []
        settings = {**self.settings, **{k: v for k, v in options.items() if k not in ("model",)}}
        result = client.respond(
            content,
            model=options.get("model") or self.model,
            instructions=self.system,
            conversation=self.conversation_id,
            **settings,
        )
        self._messages += [
            {"role": "user", "content": content},
            {"role": "assistant", "content": result.text},
        ]
        self.results.append(result)
        return result

    def items(self) -> Any:
        """What the server holds of the conversation (api="responses"), as a DataFrame of items."""
        from ._core.errors import InvalidInputError

        if self.api != "responses":
            raise InvalidInputError("items() lists a server-side conversation: use api='responses'")
        if self.conversation_id is None:
            from ._responses.items import items_frame

            return items_frame([])
        return self._client().conversation_items(self.conversation_id)

    def add(self, role: str, content: Any = None, **fields: Any) -> None:
        """Add a message without asking (a tool's result, an example answer, ...)."""
        from ._chat.messages import normalize_messages

        message = {"role": role, "content": content, **fields}
        added = normalize_messages([message])
        if self.api == "responses" and role != "system":
            if self.conversation_id is None:
                self._unsent += added  # the conversation is created with them at the first turn
            else:
                self._client().add_conversation_items(self.conversation_id, [message])
        self._messages += added

    def clear(self) -> None:
        """Forget everything but the system message (api="responses": the next turn starts a new
        conversation on the server)."""
        self._messages = self._messages[:1] if self.system is not None else []
        self.results.clear()
        self.conversation_id = None
        self._unsent = []

    def __len__(self) -> int:
        return len(self._messages)

    def __repr__(self) -> str:
        where = (
            f", api='responses', conversation_id={self.conversation_id!r}" if self.api == "responses" else ""
        )
        return f"Conversation(model={self.model!r}, messages={len(self._messages)}{where})"

    def _repr_markdown_(self) -> str:
        from ._chat.messages import text_of

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
