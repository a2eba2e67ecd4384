"""A custom API call: any method and path under the base URL, with the key added for you."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._core.arguments import header_text, type_error
from .._core.constants import HTTP_METHODS
from .._core.errors import InvalidInputError
from .._core.json_text import parse_json
from .._core.transport import BaseClient, decode_json
from .._tables.records import as_record

__all__ = ["CustomAPI"]

# Set by the client itself; a caller setting them would send the key elsewhere or break framing.
_RESERVED_HEADERS = {"authorization", "host", "content-length", "transfer-encoding"}
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110's token


class CustomAPI(BaseClient):
    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | str | None = None,
        query: Mapping[str, Any] | str | None = None,
        body: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """Call `method path` (relative to the base URL) and return the parsed JSON.

        `headers`, `query` and `body` may be dicts or JSON text. A JSON object comes back
        as a record, other JSON as it is, and a non-JSON answer as `bytes`. Authorization
        is added automatically; absolute URLs, `//host` and `..` are refused, so the key
        only ever goes to the base URL's host.
        """
        verb = _method(method)
        header_map = _headers(parse_json(headers, "headers", object_only=True))
        params = parse_json(query, "query", object_only=True)
        payload = parse_json(body, "body")
        if payload is not None and verb == "GET":
            raise InvalidInputError("a GET request takes no body; put the values in query instead")
        response = self._request(verb, path, params=params, headers=header_map, json=payload, timeout=timeout)
        if not response.content:
            return None
        if "json" in response.headers.get("content-type", ""):
            return as_record(decode_json(response))  # JSON that does not parse is an error
        try:
            return as_record(response.json())
        except ValueError:
            return response.content


def _method(method: Any) -> str:
    if not isinstance(method, str):
        raise type_error("method", "a string such as 'GET'", method)
    verb = method.strip().upper()
    if verb not in HTTP_METHODS:
        raise InvalidInputError(f"method {method!r} is not supported; use one of {', '.join(HTTP_METHODS)}")
    return verb


def _headers(headers: Mapping[str, Any] | None) -> dict[str, str] | None:
    if not headers:
        return None
    clean = {}
    for name, value in headers.items():
        if not isinstance(name, str):
            raise type_error(f"header name {name!r}", "a string", name)
        if not name.strip():
            raise InvalidInputError(f"header name {name!r} is empty; name the header, e.g. 'OpenAI-Beta'")
        if name.strip().lower() in _RESERVED_HEADERS:
            raise InvalidInputError(f"header {name!r} is set by the client; remove it from headers")
        if not _HEADER_NAME.fullmatch(name.strip()):
            raise InvalidInputError(
                f"header name {name!r} holds a character a header name cannot have (a space, a colon, "
                "a line break or a control character); use letters, digits and '-'"
            )
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise type_error(f"header {name!r}", "a text value", value)
        clean[name.strip()] = header_text(str(value), f"header {name!r}")
    return clean
