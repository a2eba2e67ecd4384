"""The studio: every panel in one tabbed widget, with a status bar."""

from __future__ import annotations

import html
import importlib
import urllib.parse
from typing import Any

import ipywidgets as widgets
from traitlets import Any as AnyTrait

from .._connection import add_connection_listener, current_client, remove_connection_listener
from .._costs import ledger
from .._costs.estimate import money
from .._tables.display import in_notebook
from ._contract import ModelPanel, PanelFactory, StudioPanel
from ._output import notice
from ._style import StyledBox

__all__ = ["PANELS", "Studio"]

# (key, module in this package, class), in tab order; each tab's title is its panel's `title`.
PANELS = [
    ("connection", "credential", "CredentialWidget"),
    ("models", "models", "ModelsPanel"),
    ("chat", "chat", "ChatPanel"),
    ("responses", "responses", "ResponsesPanel"),
    ("edit", "edit", "EditPanel"),
    ("moderation", "moderation", "ModerationPanel"),
    ("embeddings", "embeddings", "EmbeddingsPanel"),
    ("images", "images", "ImagesPanel"),
    ("audio", "audio", "AudioPanel"),
    ("files", "files", "FilesPanel"),
    ("knowledge", "knowledge", "KnowledgePanel"),
    ("fine-tuning", "fine_tuning", "FineTuningPanel"),
    ("evals", "evals", "EvalsPanel"),
    ("batches", "batches", "BatchesPanel"),
    ("custom", "custom", "CustomCallPanel"),
]


class Studio(StyledBox):
    """One tab per module, acting on the connected client, and a status bar.

    The status bar tells who is connected (host, organization, masked key), the last
    request (method, path, status, duration, request id), errors in plain words, and the
    session's usage so far (tokens and estimated cost, from `ow.usage_log()`). The
    studio opens on Connection when no client is connected, else on `panel` (a key like
    "chat" or a tab title), else on Models. It relies on the panel contract (`_contract`):
    each tab has a `title` and a `result` it observes, so `result` here is the last result
    of any tab; `use_model` needs a panel that picks models.

    When a tab is first shown while connected, its panel fills its lists and model pickers
    in the background (`first_view`); connecting again fills them again when next shown.
    Tabs are shown only where widgets are drawn, in a notebook's kernel: a studio made in a
    terminal or a script loads nothing.
    """

    result = AnyTrait(None, allow_none=True, help="the last result of any of the studio's panels")

    def __init__(self, panel: str | None = None, *, client: Any = None) -> None:
        self._fixed_client = client
        self._watched = None
        self.panels: dict[str, StudioPanel] = {}
        for key, module, name in PANELS:
            made = self._make(key, module, name)
            made.observe(self._on_result, names="result")
            self.panels[key] = made
        self.panel_keys = list(self.panels)
        self.tabs = widgets.Tab(children=list(self.panels.values()))
        self.tabs.titles = tuple(made.title for made in self.panels.values())
        self.tabs.observe(lambda _: self._first_view(), names="selected_index")
        self.status_bar = widgets.HTML()
        self.status_bar.add_class("ow-status-bar")
        self._last = ""
        super().__init__(children=[self.tabs, self.status_bar])
        self.add_class("ow-studio")
        add_connection_listener(self._on_connect)
        ledger.add_listener(self._on_usage)
        self._watch(client or current_client())
        self.select(self._opening_tab(panel))
        self._first_view()

    def select(self, panel: str) -> Any:
        """Show the tab for `panel` (a key such as "fine-tuning" or a title such as "Custom call")."""
        key = self._key(panel)
        self.tabs.selected_index = self.panel_keys.index(key)
        return self.panels[key]

    def use_model(self, panel: str, model_id: str) -> None:
        """Switch to `panel` with `model_id` picked in its model picker."""
        chosen = self.panels[self._key(panel)]
        if not isinstance(chosen, ModelPanel):
            raise ValueError(f"the {chosen.title} panel picks no model")
        self.select(panel)
        chosen.select_model(model_id)

    def describe(self) -> str:
        shown = self.tabs.titles[self.tabs.selected_index or 0]
        where = urllib.parse.urlsplit(self._watched.base_url).netloc if self._watched else "not connected"
        return f"{len(self.panels)} tabs, on {shown}; {where}; a widget for Jupyter"

    def close(self) -> None:
        remove_connection_listener(self._on_connect)
        ledger.remove_listener(self._on_usage)
        watched = getattr(self, "_watched", None)
        if watched is not None:
            watched.remove_listener(self._on_request)
            self._watched = None
        super().close()

    # -- internals -------------------------------------------------------------------------

    def _make(self, key: str, module: str, name: str) -> StudioPanel:
        cls = getattr(importlib.import_module(f"{__package__}.{module}"), name)
        if key == "connection":
            return cls()  # the connection form makes a client rather than taking one
        if key == "models":
            return cls(client=self._fixed_client, on_use=self.use_model)
        factory: PanelFactory = cls
        return factory(client=self._fixed_client)

    def _on_result(self, change: Any) -> None:
        self.result = change["new"]

    def _key(self, panel: str) -> str:
        wanted = panel.strip().lower().replace("_", "-")
        for key, made in self.panels.items():
            if wanted in {key, made.title.lower()}:
                return key
        choices = ", ".join(self.panel_keys)
        raise ValueError(f"no panel {panel!r} in the studio; one of: {choices}")

    def _opening_tab(self, panel: str | None) -> str:
        if self._watched is None:
            return "connection"
        return panel or "models"

    def _on_connect(self, client: Any) -> None:
        if self._fixed_client is None:
            self._watch(client)
            for made in self.panels.values():
                if hasattr(made, "reset_view"):
                    made.reset_view()  # another server, other lists: load them again when shown
            self._first_view()

    def _first_view(self) -> None:
        """Let the panel on show load its lists, once, when there is a client to ask."""
        index = self.tabs.selected_index
        if index is None or self._watched is None or not in_notebook():
            return
        shown = self.panels[self.panel_keys[index]]
        if hasattr(shown, "first_view"):
            shown.first_view()

    def _watch(self, client: Any) -> None:
        if self._watched is not None:
            self._watched.remove_listener(self._on_request)
        self._watched = client
        if client is not None:
            client.add_listener(self._on_request)
        self._last = ""
        self._render()

    def _on_request(self, info: Any) -> None:
        request_id = f" ({html.escape(info.request_id)})" if info.request_id else ""
        status = info.status if info.status is not None else "no answer"
        line = (
            f"last: <code>{html.escape(info.method)} {html.escape(info.path)}</code> → {status} in "
            f"{info.duration * 1000:.0f} ms{request_id}"
        )
        if info.error:
            line += f"<br>{notice(info.error)}"
        self._last = line
        self._render()

    def _on_usage(self, row: Any) -> None:
        self._render()

    def _render(self) -> None:
        client = self._watched
        if client is None:
            who = "<span class='ow-error'>○</span> not connected: use the Connection tab"
        else:
            host = html.escape(urllib.parse.urlsplit(client.base_url).netloc)
            organization = html.escape(client.organization or "default organization")
            who = (
                f"<span class='ow-ok'>●</span> connected to <b>{host}</b> · {organization} · "
                f"key {html.escape(client.masked_key)}"
            )
        self.status_bar.value = who + (f"<br>{self._last}" if self._last else "") + _usage_line()


def _usage_line() -> str:
    """'session: 12,345 tokens, ~$0.03' over every request recorded (nothing before the first)."""
    spent = ledger.totals()
    if not spent.requests:
        return ""
    cost = f"~{money(spent.estimated_cost)}"
    if spent.unpriced:
        cost += f" + {spent.unpriced:,} request{'s' if spent.unpriced > 1 else ''} without a price"
    requests = f"{spent.requests:,} request{'s' if spent.requests > 1 else ''}"
    return f"<br>session: {spent.tokens:,} tokens, {cost} ({requests}; see ow.usage_log())"
