"""The credential widget: what `ow.connect()` shows when no key is found."""

from __future__ import annotations

import os
import urllib.parse

import ipywidgets as widgets
from traitlets import Any as AnyTrait

from .._core.constants import DEFAULT_BASE_URL
from .._core.secrets import Secret
from ._output import notice
from ._style import StyledBox

__all__ = ["CredentialWidget"]


class CredentialWidget(StyledBox):
    """API key (a password field), organization, project and base URL, and a Connect button.

    Connect verifies the connection with `GET /models` and makes the client the default.
    The key never stays in the widget's state, so a notebook saved with widget state never
    holds it, submitted or not: the field sends its value only when it loses focus (or on
    Enter), and the kernel takes it at once into a `Secret`, empties the field and shows
    the masked key as its placeholder. "Use the local sandbox" starts the sandbox server
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
        self.key = widgets.Password(
            description="API key",
            placeholder=_KEY_PLACEHOLDER,
            continuous_update=False,  # not a keystroke at a time: the whole key, once
            style=style,
            layout=layout,
        )
        self._typed: Secret | None = None  # the key taken out of the field, until Connect
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
        self.key.observe(self._on_key, names="value")
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

    def _on_key(self, change) -> None:
        """A key arrived from the page: keep it as a Secret, empty the field, show it masked."""
        if not change["new"]:
            return
        self._typed = Secret(change["new"].strip()) if change["new"].strip() else None
        self.key.value = ""
        self.key.placeholder = (
            f"key {self._typed.masked} entered: press Connect (or type another)"
            if self._typed
            else _KEY_PLACEHOLDER
        )

    def _take_key(self) -> Secret | None:
        """The key entered (it leaves the widget for good), or None."""
        secret, self._typed = self._typed, None
        self.key.value = ""
        self.key.placeholder = _KEY_PLACEHOLDER
        return secret

    def _on_connect(self, _button=None) -> None:
        """Connect with what the form holds; the key leaves the form first, whatever happens.

        Nothing escapes this callback: an exception raised past it would be printed into the
        cell's output with every frame's locals under `%xmode Verbose`, and saved with the
        notebook. The key is held as a Secret throughout.
        """
        secret = self._take_key()
        try:
            self._connect_with(secret)
        except Exception as exc:  # shown on the status line, never raised into the cell
            self.client = None
            self.status.value = notice(exc)
        finally:
            secret = None
            self.connect_button.disabled = False

    def _connect_with(self, secret: Secret | None) -> None:
        if not secret and not self.use_sandbox.value:
            self.status.value = notice('Enter an API key, or tick "Use the local sandbox".')
            return
        self.connect_button.disabled = True
        self.status.value = notice("connecting...", "working")
        self.client = None
        client = self._client(secret)
        try:
            count = len(client.models())
        except BaseException:
            client.close()  # it never became the default: nobody else holds it
            raise
        from .._connection import make_default

        make_default(client)  # the form made it: closed when another default replaces it
        self.client = client
        host = urllib.parse.urlsplit(client.base_url).netloc
        organization = client.organization or "default"
        self.status.value = notice(
            f"connected: {count} models, organization {organization} ({host}, key {client.masked_key})",
            "ok",
        )
        self.result = client

    def _client(self, secret: Secret | None):
        from .._client import Client

        if self.use_sandbox.value:
            from ..sandbox import SANDBOX_KEY, shared

            # The sandbox follows the spec: it is sent what OpenAI is sent.
            return Client(api_key=SANDBOX_KEY, base_url=shared().base_url, openai_server=True)
        return Client(
            api_key=secret,
            organization=self.organization.value.strip() or None,
            project=self.project.value.strip() or None,
            base_url=self.base_url.value.strip() or None,
        )


_KEY_PLACEHOLDER = "sk-..."
