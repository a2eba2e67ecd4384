"""The credential widget: what `ow.connect()` shows when no key is found."""

from __future__ import annotations

import os
import urllib.parse

import ipywidgets as widgets
from traitlets import Any as AnyTrait

from .._core.constants import DEFAULT_BASE_URL
from .._core.errors import OpenAIError
from ._output import notice
from ._style import StyledBox

__all__ = ["CredentialWidget"]


class CredentialWidget(StyledBox):
    """API key (a password field), organization, project and base URL, and a Connect button.

    Connect verifies the connection with `GET /models` and makes the client the default.
    The key is cleared from the widget as soon as Connect is pressed, so a notebook saved
    with widget state never holds it. "Use the local sandbox" starts the sandbox server
    and connects to it, so everything can be tried without a key. `result` (a traitlet,
    not synced) is the client of the last successful Connect.
    """

    title = "Connection"
    result = AnyTrait(None, allow_none=True, help="the client of the last successful Connect")

    def __init__(
        self, *, organization: str | None = None, project: str | None = None, base_url: str | None = None
    ) -> None:
        style = {"description_width": "110px"}
        layout = widgets.Layout(width="460px")
        self.key = widgets.Password(description="API key", placeholder="sk-...", style=style, layout=layout)
        self.organization = widgets.Text(
            value=organization or os.environ.get("OPENAI_ORG_ID", ""),
            description="Organization",
            placeholder="org-... (optional)",
            style=style,
            layout=layout,
        )
        self.project = widgets.Text(
            value=project or os.environ.get("OPENAI_PROJECT_ID", ""),
            description="Project",
            placeholder="proj_... (optional)",
            style=style,
            layout=layout,
        )
        self.base_url = widgets.Text(
            value=base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL,
            description="Base URL",
            style=style,
            layout=layout,
        )
        self.use_sandbox = widgets.Checkbox(description="Use the local sandbox (no key needed)", indent=False)
        self.connect_button = widgets.Button(description="Connect", button_style="primary", icon="plug")
        self.status = widgets.HTML(value="<i>Enter a key, or use the local sandbox.</i>")
        self.client = None
        self.connect_button.on_click(self._on_connect)
        self.use_sandbox.observe(self._on_sandbox_toggle, names="value")
        super().__init__(
            children=[
                widgets.HTML("<b>Connect to the OpenAI API</b>"),
                self.key,
                self.organization,
                self.project,
                self.base_url,
                self.use_sandbox,
                widgets.HBox([self.connect_button, self.status]),
            ]
        )
        self.add_class("openai-credential-widget")

    def _on_sandbox_toggle(self, change) -> None:
        for field in (self.key, self.organization, self.project, self.base_url):
            field.disabled = change["new"]

    def _on_connect(self, _button=None) -> None:
        """Connect with what the form holds; the key leaves the form first, whatever happens."""
        key, self.key.value = self.key.value.strip(), ""
        if not key and not self.use_sandbox.value:
            self.status.value = notice('Enter an API key, or tick "Use the local sandbox".')
            return
        self.connect_button.disabled = True
        self.status.value = notice("connecting...", "working")
        client = None
        try:
            self.client = client = self._connect(key)
            key = None
            count = len(self.client.models())
            from .._connection import make_default

            make_default(self.client)
            host = urllib.parse.urlsplit(self.client.base_url).netloc
            organization = self.client.organization or "default"
            self.status.value = notice(
                f"connected: {count} models, organization {organization} "
                f"({host}, key {self.client.masked_key})",
                "ok",
            )
            self.result = self.client
        except OpenAIError as exc:
            if client is not None:
                client.close()  # it never became the default: nobody else holds it
            self.client = None
            self.status.value = notice(exc)
        finally:
            self.connect_button.disabled = False

    def _connect(self, key: str):
        from .._client import Client

        if self.use_sandbox.value:
            from ..sandbox import SANDBOX_KEY, shared

            return Client(api_key=SANDBOX_KEY, base_url=shared().base_url)
        return Client(
            api_key=key,
            organization=self.organization.value.strip() or None,
            project=self.project.value.strip() or None,
            base_url=self.base_url.value.strip() or None,
        )
