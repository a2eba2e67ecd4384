"""The chat panel: messages, settings, Send, and a reply that streams in as it arrives."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from .._chat.messages import ROLES
from .._chat.result import ChatResult
from .._core.constants import DEFAULT_MODELS
from .._core.errors import InvalidInputError, StreamInterruptedError
from ._controls import wrapping_row
from ._panel import Panel

__all__ = ["ChatPanel", "MessageRow"]


class MessageRow(widgets.HBox):
    """One message of the list: role, optional name, content, and a remove button."""

    def __init__(self, role: str = "user", content: str = "", name: str = "") -> None:
        self.role = widgets.Dropdown(options=ROLES, value=role, layout=widgets.Layout(width="110px"))
        self.name = widgets.Text(
            value=name, placeholder="name (optional)", layout=widgets.Layout(width="140px")
        )
        self.content = widgets.Textarea(
            value=content, placeholder="message", layout=widgets.Layout(width="100%", height="60px")
        )
        self.remove_button = widgets.Button(
            icon="trash", tooltip="remove this message", layout=widgets.Layout(width="40px")
        )
        super().__init__(children=[self.role, self.name, self.content, self.remove_button])

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role.value, "content": self.content.value}
        if self.name.value.strip():
            message["name"] = self.name.value.strip()
        return message


class ChatPanel(Panel):
    """Compose a conversation, pick a model and settings, Send; the reply streams in.

    After a reply, it is added to the list as an assistant message, followed by an empty
    user message for the next turn. `result` holds the last ChatResult.
    """

    title = "Chat"
    model_kinds = ("chat", "reasoning")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["chat"])
        self.rows: list[MessageRow] = []
        self.message_list = widgets.VBox()
        self.add_button = widgets.Button(description="Add message", icon="plus")
        self.temperature = widgets.FloatSlider(
            value=1.0, min=0.0, max=2.0, step=0.05, description="Temperature"
        )
        self.max_tokens = widgets.BoundedIntText(
            value=0, min=0, max=10**6, description="Max tokens", tooltip="0: no limit"
        )
        self.top_p = widgets.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.01, description="Top p")
        self.stop = widgets.Textarea(placeholder="one stop sequence per line (up to 4)", description="Stop")
        self.seed = widgets.Text(placeholder="none", description="Seed")
        self.json_mode = widgets.Checkbox(value=False, description="JSON mode", indent=False)
        self.stream = widgets.Checkbox(value=True, description="Stream", indent=False)
        self.advanced = widgets.Accordion(
            children=[widgets.VBox([self.max_tokens, self.top_p, self.stop, self.seed, self.json_mode])],
            titles=("Advanced settings",),
        )
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="paper-plane")
        self.clear_button = widgets.Button(description="Clear", icon="eraser")
        self.reply = widgets.HTML().add_class("ow-chat-reply")
        self.usage = widgets.HTML()
        self.children = [
            self.model_picker,
            self.message_list,
            self.add_button,
            wrapping_row(self.temperature, self.stream),
            self.advanced,
            wrapping_row(self.send_button, self.clear_button),
            self.status,
            self.reply,
            self.usage,
        ]
        self.add_class("ow-panel-chat")
        self.advanced.selected_index = None
        self.add_button.on_click(lambda _button: self.add_message("user"))
        self.send_button.on_click(self.submit)
        self.clear_button.on_click(self.clear)
        self.add_message("user")

    # -- the message list ----------------------------------------------------------

    def add_message(self, role: str = "user", content: str = "", name: str = "") -> MessageRow:
        row = MessageRow(role, content, name)
        row.remove_button.on_click(lambda _button: self.remove_message(row))
        self.rows.append(row)
        self.message_list.children = tuple(self.rows)
        return row

    def remove_message(self, row: MessageRow) -> None:
        self.rows.remove(row)
        self.message_list.children = tuple(self.rows)

    def messages(self) -> list[dict[str, Any]]:
        return [row.message() for row in self.rows]

    # -- actions --------------------------------------------------------------------

    def submit(self, _button: Any = None) -> ChatResult | None:
        return self.act(self.send_button, self._submit, working="waiting for the reply...")

    def _submit(self) -> ChatResult:
        settings = self.settings()
        self.reply.value, self.usage.value = "", ""
        try:
            result = self.client.chat(
                self.messages(),
                model=self.model_picker.value,
                stream=self.stream.value,
                on_update=self._show,
                **settings,
            )
        except StreamInterruptedError as exc:
            if exc.partial is not None:
                self._show(exc.partial)
            raise
        self._show(result)
        self.usage.value = _usage_line(result)
        if result.message is not None:
            self.add_message("assistant", result.text)
        self.add_message("user")
        return result

    def settings(self) -> dict[str, Any]:
        """The request settings the controls hold."""
        settings: dict[str, Any] = {"temperature": round(self.temperature.value, 4)}
        if self.max_tokens.value:
            settings["max_completion_tokens"] = self.max_tokens.value
        if self.top_p.value < 1:
            settings["top_p"] = round(self.top_p.value, 4)
        stops = [line for line in self.stop.value.splitlines() if line]
        if stops:
            settings["stop"] = stops
        seed = self.seed.value.strip()
        if seed:
            try:
                settings["seed"] = int(seed)
            except ValueError:
                raise InvalidInputError(f"seed must be a whole number, not {seed!r}") from None
        if self.json_mode.value:
            settings["response_format"] = {"type": "json_object"}
        return settings

    def clear(self, _button: Any = None) -> None:
        """Back to one empty user message, no reply."""
        self.rows = []
        self.add_message("user")
        self.reply.value = self.usage.value = self.status.value = ""
        self.result = None

    def _show(self, result: ChatResult) -> None:
        self.reply.value = _reply_html(
            result, partial=result.finish_reason is None and not result.interrupted
        )


def _reply_html(result: ChatResult, *, partial: bool) -> str:
    if result.json_mode and not partial:
        table = result.bundle().get("text/html")
        if table:
            return table
    texts = [_choice_html(choice) for choice in result.choices] or [""]
    if len(texts) > 1:
        texts = [f"<b>Choice {n + 1}</b><br>{text}" for n, text in enumerate(texts)]
    body = "<hr>".join(texts) + (" ▌" if partial else "")
    if result.interrupted:
        body += "<br><i>(interrupted: partial reply)</i>"
    return f"<div class='ow-reply-text'>{body}</div>"


def _choice_html(choice: dict[str, Any]) -> str:
    message = choice.get("message") or {}
    parts = [html.escape(message.get("content") or "")]
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        parts.append(
            f"<b>tool call</b> <code>{html.escape(function.get('name') or '?')}"
            f"({html.escape(function.get('arguments') or '')})</code>"
        )
    return "<br>".join(part for part in parts if part)


def _usage_line(result: ChatResult) -> str:
    usage: dict[str, Any] = result.usage or {}
    tokens = (
        f"{usage.get('prompt_tokens', '?')} prompt + {usage.get('completion_tokens', '?')} completion "
        f"= {usage.get('total_tokens', '?')} tokens"
        if usage
        else "token usage not reported"
    )
    return html.escape(f"{tokens} · {result.model} · finish: {result.finish_reason}")
