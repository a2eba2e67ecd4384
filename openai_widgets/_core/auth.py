"""Which key a request carries: the admin key on admin routes, the API key everywhere else.

OpenAI's organization routes (`organization/...`: usage, costs, projects, ...) and the
permissions of fine-tuned checkpoints (`fine_tuning/checkpoints/{id}/permissions`) take
an admin key, and only those do (`admin_routes`). Each key is kept to its own routes: the API key is never
sent to an admin route, and the admin key, which can manage the whole organization, is
never sent anywhere else. The choice is made once, here, from the request's path below the
base URL: `KeyAuth` adds the header when the request is sent, and `require` refuses, before
anything is sent, a request whose key the client does not have.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from .admin_routes import is_admin_path
from .errors import AdminKeyRequiredError, NotConnectedError
from .secrets import Secret

__all__ = ["ADMIN_KEY_ENV", "KeyAuth", "is_admin_path"]

ADMIN_KEY_ENV = "OPENAI_ADMIN_KEY"
_ADMIN_PREFIX = "sk-admin-"  # how OpenAI's admin keys begin


class KeyAuth(httpx.Auth):
    """Adds `Authorization: Bearer <key>` at send time, the key chosen by the request's route.

    The keys stay in `Secret`s until the header is written, so no request object built
    earlier, and no repr, holds them.
    """

    def __init__(self, api_key: Secret, admin_key: Secret, base_path: str) -> None:
        self._api_key = api_key
        self._admin_key = admin_key
        self._base_path = base_path.rstrip("/")

    def relative(self, url: httpx.URL) -> str:
        """The URL's path below the base URL's path (decoded, as the server reads it)."""
        path = url.path
        if self._base_path and path.startswith(self._base_path):
            path = path[len(self._base_path) :]
        return path.lstrip("/")

    def require(self, method: str, url: httpx.URL) -> None:
        """Refuse a request whose route needs a key this client does not have."""
        relative = self.relative(url)
        if is_admin_path(relative):
            if not self._admin_key:
                hint = ""
                if self._api_key.reveal().startswith(_ADMIN_PREFIX):
                    hint = " The API key given looks like an admin key: pass it as admin_key= instead."
                raise AdminKeyRequiredError(
                    f"{method} {relative} needs an admin key, and this client has none: connect with "
                    f"ow.connect(admin_key=...) or ow.Client(admin_key=...), or set {ADMIN_KEY_ENV} "
                    f"(the API key is never sent to admin routes).{hint}"
                )
        elif not self._api_key:
            raise NotConnectedError(
                f"{method} {relative} needs an API key, and this client has only an admin key (which is "
                "only ever sent to admin routes): pass api_key=... or set OPENAI_API_KEY."
            )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.require(request.method, request.url)
        key = self._admin_key if is_admin_path(self.relative(request.url)) else self._api_key
        request.headers["Authorization"] = f"Bearer {key.reveal()}"
        yield request
