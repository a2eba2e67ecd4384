"""The default client that module-level functions and magics use.

A default the package made itself (`connect()`, the credential form, the environment) is
closed when another replaces it, so reconnecting leaves no socket open. Closing does not
break it: whoever still holds it can go on using it (its next request opens new
connections). A client given to `set_client()` belongs to its maker and is never closed here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from ._client import Client
from ._core.constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._core.errors import NotConnectedError
from ._core.keys import as_secret
from ._core.secrets import Secret

__all__ = ["connect", "get_client", "make_default", "set_client"]

_default: Client | None = None
_made: Client | None = None  # the default, when the package made it: closed when replaced
_lock = threading.Lock()
_listeners: list[Callable[[Client | None], None]] = []


def connect(
    api_key: str | Secret | None = None,
    organization: str | None = None,
    project: str | None = None,
    base_url: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int = DEFAULT_MAX_RETRIES,
    admin_key: str | Secret | None = None,
    openai_server: bool | None = None,
    stream_usage: bool | None = None,
) -> Client:
    """Create a client from these settings (or the environment), make it the default, return it.

    Raises NotConnectedError when no key is found. `admin_key` (or OPENAI_ADMIN_KEY) is
    used for the admin routes only (organization usage and costs, checkpoint permissions).
    `ow.connect()` (in `widgets._front`) adds the notebook's credential form and the sandbox on top of this.
    """
    api_key = as_secret(api_key)  # first: a verbose traceback shows Secret('sk-...abcd'), never the key
    admin_key = as_secret(admin_key, "admin_key")
    client = Client(
        api_key=api_key,
        organization=organization,
        project=project,
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        admin_key=admin_key,
        openai_server=openai_server,
        stream_usage=stream_usage,
    )
    make_default(client)
    return client


def set_client(client: Client | None) -> None:
    """Make `client` the default (None forgets the default); the caller keeps closing it."""
    _replace(client, made=False)


def make_default(client: Client) -> None:
    """Make `client`, which the package made, the default: it is closed when replaced."""
    _replace(client, made=True)


def _replace(client: Client | None, *, made: bool) -> None:
    global _default, _made
    with _lock:
        previous, previous_made = _default, _made
        _default = client
        _made = client if made else None
    if previous is not None and previous is previous_made and previous is not client:
        previous.close()
    for listener in list(_listeners):
        listener(client)


def add_connection_listener(listener: Callable[[Client | None], None]) -> None:
    """Call `listener(client)` whenever the default client changes (the studio's status bar)."""
    _listeners.append(listener)


def remove_connection_listener(listener: Callable[[Client | None], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def current_client() -> Client | None:
    """The default client if one is set; never creates one."""
    return _default


def get_client() -> Client:
    """The default client; created from the environment when OPENAI_API_KEY is set."""
    global _default, _made
    with _lock:
        if _default is None:
            if not os.environ.get("OPENAI_API_KEY", "").strip():
                raise NotConnectedError(
                    "Not connected: run ow.connect() (or %openai connect), or set OPENAI_API_KEY."
                )
            _default = _made = Client()
        return _default
