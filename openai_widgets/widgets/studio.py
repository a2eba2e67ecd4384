"""The studio: every panel in one tabbed widget, with a status bar."""

from __future__ import annotations

import html
import importlib
import urllib.parse
from typing import Any

import ipywidgets as widgets

from .._connection import add_connection_listener, current_client, remove_connection_listener

__all__ = ["PANELS", "Studio"]

# Twelve tabs: let each take the width of its title instead of an equal, truncating share.
_TAB_STYLE = """<style>
.ow-studio .lm-TabBar-tab { flex: 0 0 auto !important; min-width: 0 !important; max-width: none !important; }
</style>"""

# (key, tab title, module in this package, class)
PANELS = [
    ("connection", "Connection", "credential", "CredentialWidget"),
    ("models", "Models", "models", "ModelsPanel"),
    ("chat", "Chat", "chat", "ChatPanel"),
    ("edit", "Edit", "edit", "EditPanel"),
    ("moderation", "Moderation", "moderation", "ModerationPanel"),
    ("embeddings", "Embeddings", "embeddings", "EmbeddingsPanel"),
    ("images", "Images", "images", "ImagesPanel"),
    ("audio", "Audio", "audio", "AudioPanel"),
    ("files", "Files", "files", "FilesPanel"),
    ("fine-tuning", "Fine-tuning", "fine_tuning", "FineTuningPanel"),
    ("batches", "Batches", "batches", "BatchesPanel"),
    ("custom", "Custom call", "custom", "CustomCallPanel"),
]


class Studio(widgets.VBox):
    """One tab per module, acting on the connected client, and a status bar.

    The status bar tells who is connected (host, organization, masked key), the last
    request (method, path, status, duration, request id) and errors in plain words. The
    studio opens on Connection when no client is connected, else on `panel` (a key like
    "chat" or a tab title), else on Models.
    """

    def __init__(self, panel: str | None = None, *, client: Any = None) -> None:
        self._fixed_client = client
        self._watched = None
        self.panels: dict[str, widgets.Widget] = {}
        for key, _title, module, name in PANELS:
            self.panels[key] = self._make(key, module, name)
        self.panel_keys = list(self.panels)
        self.tabs = widgets.Tab(children=list(self.panels.values()))
        self.tabs.titles = tuple(title for key, title, *_ in PANELS if key in self.panels)
        self.status_bar = widgets.HTML()
        self.status_bar.add_class("ow-status-bar")
        self._last = ""
        super().__init__(children=[widgets.HTML(_TAB_STYLE), self.tabs, self.status_bar])
        self.add_class("ow-studio")
        add_connection_listener(self._on_connect)
        self._watch(client or current_client())
        self.select(self._opening_tab(panel))

    def select(self, panel: str) -> widgets.Widget:
        """Show the tab for `panel` (a key such as "fine-tuning" or a title such as "Custom call")."""
        key = self._key(panel)
        self.tabs.selected_index = self.panel_keys.index(key)
        return self.panels[key]

    def use_model(self, panel: str, model_id: str) -> None:
        """Switch to `panel` with `model_id` picked in its model picker."""
        self.select(panel).select_model(model_id)

    def close(self) -> None:
        remove_connection_listener(self._on_connect)
        if getattr(self, "_watched", None) is not None:
            self._watched.remove_listener(self._on_request)
            self._watched = None
        super().close()

    # -- internals -------------------------------------------------------------------------

    def _make(self, key: str, module: str, name: str) -> widgets.Widget:
        cls = getattr(importlib.import_module(f"{__package__}.{module}"), name)
        if key == "connection":
            return cls()
        if key == "models":
            return cls(client=self._fixed_client, on_use=self.use_model)
        return cls(client=self._fixed_client)

    def _key(self, panel: str) -> str:
        wanted = panel.strip().lower().replace("_", "-")
        for key, title, *_ in PANELS:
            if wanted in {key, title.lower()} and key in self.panels:
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
            line += f"<br><span style='color:#b00020'>{html.escape(info.error)}</span>"
        self._last = line
        self._render()

    def _render(self) -> None:
        client = self._watched
        if client is None:
            who = "<span style='color:#b00020'>○</span> not connected: use the Connection tab"
        else:
            host = html.escape(urllib.parse.urlsplit(client.base_url).netloc)
            organization = html.escape(client.organization or "default organization")
            who = (
                f"<span style='color:green'>●</span> connected to <b>{host}</b> · {organization} · "
                f"key {html.escape(client.masked_key)}"
            )
        self.status_bar.value = who + (f"<br>{self._last}" if self._last else "")
