"""The notebook's front doors: `ow.connect()` and `ow.studio()`.

They live on the presentation side because they may show a widget: `connect()` shows
the credential form when no key is found in a notebook, `studio()` is one. Importing this
module imports no ipywidgets; the widgets load when one is shown.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .. import _connection
from .._core.constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from .._core.keys import as_secret
from .._core.secrets import Secret

if TYPE_CHECKING:
    from .._client import Client
    from .studio import Studio

__all__ = ["connect", "studio"]


def connect(
    api_key: str | Secret | None = None,
    organization: str | None = None,
    project: str | None = None,
    base_url: str | None = None,
    *,
    sandbox: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int = DEFAULT_MAX_RETRIES,
    admin_key: str | Secret | None = None,
    openai_server: bool | None = None,
    stream_usage: bool | None = None,
) -> Client | None:
    """Create a client, make it the default, and return it.

    Settings come from the arguments, then OPENAI_API_KEY, OPENAI_ORG_ID,
    OPENAI_PROJECT_ID, OPENAI_BASE_URL and OPENAI_ADMIN_KEY. `admin_key` is sent only to the
    admin routes (organization usage and costs, checkpoint permissions), the API key only to
    the others. `sandbox=True` starts the local sandbox server (shared by the process) and
    connects to it: no key, no network (its admin key, for the admin routes, unless
    `admin_key` says otherwise). With no key anywhere,
    in a notebook this shows the credential widget (and returns None: the client it
    connects becomes the default); elsewhere it raises NotConnectedError. No request is
    sent: the credential widget and `%openai connect` verify the connection, `ow.models()`
    does too. `openai_server` and `stream_usage` set what is sent to servers that are not
    OpenAI (see `Client`); the sandbox follows OpenAI's spec, so it counts as OpenAI.
    """
    api_key = as_secret(api_key)  # first: a verbose traceback shows Secret('sk-...abcd'), never the key
    admin_key = as_secret(admin_key, "admin_key")
    options: dict[str, Any] = {"timeout": timeout, "max_retries": max_retries, "stream_usage": stream_usage}
    if sandbox:
        from ..sandbox import SANDBOX_ADMIN_KEY, SANDBOX_KEY, shared

        server = True if openai_server is None else openai_server
        return _connection.connect(
            api_key=SANDBOX_KEY,
            base_url=shared().base_url,
            admin_key=admin_key or SANDBOX_ADMIN_KEY,
            openai_server=server,
            **options,
        )
    options["admin_key"] = admin_key
    options["openai_server"] = openai_server
    if not (api_key or admin_key or os.environ.get("OPENAI_API_KEY", "").strip()) and _in_kernel():
        from IPython.display import display

        from .credential import CredentialWidget

        display(CredentialWidget(organization=organization, project=project, base_url=base_url))
        return None
    return _connection.connect(api_key, organization, project, base_url, **options)


def studio(panel: str | None = None, *, client: Client | None = None) -> Studio:
    """One widget with a tab per module (Connection, Models, Chat, ... Custom call).

    It acts on `client`, or on whichever client is the default (it needs none to open:
    with no connection it opens on Connection).
    """
    from .studio import Studio

    return Studio(panel, client=client)


def _in_kernel() -> bool:
    """Whether we run in a Jupyter kernel, where a widget can be shown."""
    import sys

    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell: Any = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
