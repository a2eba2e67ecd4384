"""The HTTP core every API area stands on: one request builder, one send loop.

`BaseClient` holds the settings (key, organization, project, base URL, timeout,
retries), builds requests, sends them with the retry policy of `_retries`, maps
failures to the error tree of `_errors`, and offers the shapes the API areas need:
JSON, cursor pages, server-sent event streams and multipart uploads.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .._version import __version__
from .arguments import positive_number, type_error, whole_number
from .constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_CONNECTIONS,
)
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InvalidInputError,
    NotConnectedError,
    error_from_response,
)
from .paths import resolve_path
from .retries import retry_delay, should_retry
from .secrets import RedactingFilter, Secret, mask, redact
from .sse import iter_events

__all__ = ["BaseClient", "RequestInfo"]

logger = logging.getLogger("openai_widgets")
logger.addFilter(RedactingFilter())

_NOT_GIVEN: Any = object()  # "use the client's setting", distinct from None


@dataclass(frozen=True)
class RequestInfo:
    """What happened to the last request: shown by the studio's status bar."""

    method: str
    path: str
    status: int | None
    duration: float
    request_id: str | None = None
    attempts: int = 1
    error: str | None = None


class _BearerAuth(httpx.Auth):
    """Adds the key at send time, so it never sits in a request object built earlier."""

    def __init__(self, secret: Secret) -> None:
        self._secret = secret

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self._secret.reveal()}"
        yield request


class BaseClient:
    """Settings and transport shared by every API area (see `Client` for the API itself)."""

    def __init__(
        self,
        api_key: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        self._api_key = Secret(_clean_key(key))
        self.organization = organization or os.environ.get("OPENAI_ORG_ID") or None
        self.project = project or os.environ.get("OPENAI_PROJECT_ID") or None
        self.base_url = _clean_base_url(base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL)
        self.timeout = _positive(timeout, "timeout")
        self.connect_timeout = _positive(connect_timeout, "connect_timeout")
        self.max_retries = _retries(max_retries)
        headers = {"User-Agent": f"openai-widgets/{__version__} httpx/{httpx.__version__}"}
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            headers["OpenAI-Project"] = self.project
        self._http_options: dict[str, Any] = {
            "auth": _BearerAuth(self._api_key),
            "headers": headers,
            "transport": transport,
            "follow_redirects": False,  # a redirect must never carry the key to another host
            "limits": httpx.Limits(max_connections=64, max_keepalive_connections=32),
        }
        self._transport = transport  # also used for downloads, so tests can stand in for the web
        self._listeners: list[Callable[[RequestInfo], None]] = []
        self._rng = random.Random()
        self._state = {"last_request": None}  # shared with with_options() copies
        # The connection pools, shared with the copies too: "http" now, "async_http" on first use.
        self._shared: dict[str, Any] = {"http": httpx.Client(**self._http_options)}
        self._lock = threading.Lock()

    # -- settings ------------------------------------------------------------------

    @property
    def masked_key(self) -> str:
        """The key as it may be shown: `sk-...abcd`."""
        return mask(self._api_key.reveal())

    @property
    def last_request(self) -> RequestInfo | None:
        return self._state["last_request"]

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None):
        """A copy of this client with another timeout or retry count, sharing its connections."""
        clone = object.__new__(type(self))  # not copy.copy: pickling support is refused on purpose
        clone.__dict__.update(self.__dict__)
        if timeout is not None:
            clone.timeout = _positive(timeout, "timeout")
        if max_retries is not None:
            clone.max_retries = _retries(max_retries)
        return clone

    def add_listener(self, listener: Callable[[RequestInfo], None]) -> None:
        """Call `listener(info)` after every request (used by the studio's status bar)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[RequestInfo], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @property
    def closed(self) -> bool:
        """Whether the connections are closed now (the next request opens new ones)."""
        return self._shared["http"].is_closed and "async_http" not in self._shared

    def close(self) -> None:
        """Close the connections. The client stays usable: its next request opens new ones."""
        self._shared["http"].close()
        pool = self._shared.pop("async_http", None)
        if pool is not None:
            from .aio import in_background_loop, submit

            if not in_background_loop():
                submit(pool.aclose()).result(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        parts = [f"base_url={self.base_url!r}", f"api_key={self.masked_key!r}"]
        if self.organization:
            parts.append(f"organization={self.organization!r}")
        if self.project:
            parts.append(f"project={self.project!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self):
        raise TypeError("a Client is not pickled (it holds an API key); create one in the new process")

    # -- requests ------------------------------------------------------------------

    def _build_request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Request:
        """The one place where requests are made."""
        url = self._url(path)
        seconds = self.timeout if timeout is None else _positive(timeout, "timeout")
        params = {k: v for k, v in (params or {}).items() if v is not None} or None
        verb = method.upper()
        if verb != "GET":
            # One key for every attempt of this request, so a server that honours it runs a
            # retried POST once even when the first answer was lost on the way back.
            headers = {"Idempotency-Key": f"ow-{uuid.uuid4().hex}", **(headers or {})}
        return self._http.build_request(
            verb,
            url,
            params=params,
            json=json,
            data=data,
            files=files,
            headers=headers,
            timeout=httpx.Timeout(seconds, connect=min(self.connect_timeout, seconds)),
        )

    def _url(self, path: str) -> str:
        relative = resolve_path(path)
        base_path = urllib.parse.urlsplit(self.base_url).path.rstrip("/")
        if base_path.endswith("/v1") and (relative == "v1" or relative.startswith("v1/")):
            relative = relative[3:]  # "/v1/models" pasted from a curl line
        return f"{self.base_url}/{relative}" if relative else self.base_url

    def _send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        max_retries: int | None = None,
    ) -> httpx.Response:
        """Send `request`, retrying what is worth retrying; return a successful response.

        With `stream=True` the body is left unread for the caller, who must close it.
        """
        retries = self.max_retries if max_retries is None else max_retries
        path = _display_path(request.url, self.base_url)
        started = time.monotonic()
        deadline_seconds = request.extensions.get("timeout", {}).get("read") or self.timeout
        for attempt in range(retries + 1):
            last_try = attempt == retries
            try:
                response = self._http.send(request, stream=True)
                if not stream or not response.is_success:
                    _read_with_deadline(response, time.monotonic() + deadline_seconds)
            except httpx.TimeoutException:
                if not last_try:
                    self.sleep(retry_delay(attempt, rng=self._rng))
                    continue
                error = _timeout_error(request, path, deadline_seconds, attempt)
                self._notify(request, path, None, started, attempt + 1, error=error)
                raise error from None
            except httpx.TransportError as exc:
                if not last_try:
                    self.sleep(retry_delay(attempt, rng=self._rng))
                    continue
                error = _connection_error(request, path, exc, attempt)
                self._notify(request, path, None, started, attempt + 1, error=error)
                raise error from None

            if response.is_success:
                self._notify(request, path, response, started, attempt + 1)
                return response
            if 300 <= response.status_code < 400:
                error = _redirect_error(request, path, response)
                self._notify(request, path, response, started, attempt + 1, error=error)
                raise error
            if not last_try and should_retry(response.status_code, response.headers):
                delay = retry_delay(attempt, response.headers, rng=self._rng)
                if delay is not None:
                    logger.info(
                        "%s %s -> %s, retrying in %.2f s", request.method, path, response.status_code, delay
                    )
                    response.close()
                    self.sleep(delay)
                    continue
            error = error_from_response(response, retries=attempt, base_url=self.base_url)
            self._notify(request, path, response, started, attempt + 1, error=error)
            raise error
        raise AssertionError("unreachable")  # pragma: no cover

    def sleep(self, seconds: float) -> None:
        """The one place the client waits: retry backoff, polling, bulk pacing.

        Replace it on an instance to record waits instead of sleeping (the tests do:
        `client.sleep = waits.append`); `with_options()` copies keep the replacement.
        """
        time.sleep(seconds)

    def send_once(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """One attempt at a request, no retries: the successful answer, its body unread.

        The seam for callers that run their own retry policy (the bulk engine). An error
        status raises its mapped error (see `_core.errors`), a failed connection
        `APIConnectionError` or `APITimeoutError`. The caller reads and closes the answer.
        """
        request = self._build_request(
            method, path, params=params, json=json, headers=headers, timeout=timeout
        )
        return self._send(request, stream=True, max_retries=0)

    async def send_once_async(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """`send_once` on the client's asynchronous connection pool (run it on `_core.aio`'s loop).

        The same request builder, auth, error mapping and status-bar notice as the
        synchronous calls; only the sending is asynchronous. The caller reads and closes the
        answer (`await response.aclose()`), bounding the whole read by its own deadline.
        """
        request = self._build_request(
            method, path, params=params, json=json, headers=headers, timeout=timeout
        )
        seconds = request.extensions.get("timeout", {}).get("read") or self.timeout
        where = _display_path(request.url, self.base_url)
        started = time.monotonic()
        try:
            response = await self._async_http().send(request, stream=True)
            if not response.is_success:
                await asyncio.wait_for(response.aread(), seconds)
        except (httpx.TimeoutException, asyncio.TimeoutError):
            error: Exception = _timeout_error(request, where, seconds, 0)
            self._notify(request, where, None, started, 1, error=error)
            raise error from None
        except httpx.TransportError as exc:
            error = _connection_error(request, where, exc, 0)
            self._notify(request, where, None, started, 1, error=error)
            raise error from None
        if response.is_success:
            self._notify(request, where, response, started, 1)
            return response
        error = (
            _redirect_error(request, where, response)
            if 300 <= response.status_code < 400
            else error_from_response(response, retries=0, base_url=self.base_url)
        )
        self._notify(request, where, response, started, 1, error=error)
        raise error

    @property
    def _http(self) -> httpx.Client:
        """The synchronous pool; after `close()` a new one, so a client kept after reconnecting works."""
        http = self._shared["http"]
        if http.is_closed:
            with self._lock:
                http = self._shared["http"]
                if http.is_closed:
                    http = self._shared["http"] = httpx.Client(**self._http_options)
        return http

    def _async_http(self) -> httpx.AsyncClient:
        """The asynchronous pool, made on first use and shared with `with_options()` copies."""
        with self._lock:
            made = self._shared.get("async_http")
            if made is None:
                transport = self._transport if isinstance(self._transport, httpx.AsyncBaseTransport) else None
                made = httpx.AsyncClient(
                    auth=self._http_options["auth"],
                    headers=self._http_options["headers"],
                    transport=transport,
                    follow_redirects=False,
                    limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=256),
                )
                self._shared["async_http"] = made
            return made

    def _notify(
        self,
        request: httpx.Request,
        path: str,
        response: httpx.Response | None,
        started: float,
        attempts: int,
        *,
        error: Exception | None = None,
    ) -> None:
        info = RequestInfo(
            method=request.method,
            path=path,
            status=None if response is None else response.status_code,
            duration=time.monotonic() - started,
            request_id=None if response is None else response.headers.get("x-request-id"),
            attempts=attempts,
            error=None if error is None else str(error),
        )
        self._state["last_request"] = info
        logger.debug(
            "%s %s -> %s in %.3f s (%s attempt(s))",
            info.method,
            info.path,
            info.status,
            info.duration,
            attempts,
        )
        for listener in list(self._listeners):
            try:
                listener(info)
            except Exception:  # a broken display must not break the request
                logger.exception("request listener failed")

    # -- shapes the API areas use ----------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        request = self._build_request(method, path, timeout=timeout, **kwargs)
        return self._send(request, max_retries=max_retries)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send and decode a JSON answer."""
        return decode_json(self._request(method, path, **kwargs))

    def _get(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return self._json("GET", path, params=params, **kwargs)

    def _post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self._json("POST", path, json=body, **kwargs)

    def _delete(self, path: str, **kwargs: Any) -> Any:
        return self._json("DELETE", path, **kwargs)

    def _post_multipart(
        self,
        path: str,
        fields: Mapping[str, Any],
        files: list[tuple[str, tuple[str, bytes, str]]],
        **kwargs: Any,
    ) -> httpx.Response:
        """A multipart/form-data POST; `files` are (field, (filename, bytes, content type))."""
        data = {k: _form_value(v) for k, v in fields.items() if v is not None}
        return self._request("POST", path, data=data, files=files, **kwargs)

    def _paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        max_items: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a cursor-paginated list (`after`, `limit`, `has_more`)."""
        items: list[dict[str, Any]] = []
        query = dict(params or {})
        if page_size:
            query.setdefault("limit", page_size)
        seen_cursors: set[str] = set()
        while True:
            page = self._get(path, query)
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise APIResponseValidationError(
                    f"GET {path}: expected a list object with 'data', got {_describe(page)}"
                )
            items.extend(data)
            if max_items is not None and len(items) >= max_items:
                return items[:max_items]
            if not page.get("has_more") or not data:
                return items
            cursor = page.get("last_id") or (data[-1].get("id") if isinstance(data[-1], dict) else None)
            if not cursor or cursor in seen_cursors:
                raise APIResponseValidationError(
                    f"GET {path}: the server says there are more pages but gives no new cursor"
                )
            seen_cursors.add(cursor)
            query["after"] = cursor

    def _stream_events(
        self, method: str, path: str, *, json: Any = None, timeout: float | None = None
    ) -> Iterator[dict[str, Any]]:
        """The JSON events of a streamed answer; the connection closes when iteration stops."""
        request = self._build_request(
            method, path, json=json, timeout=timeout, headers={"Accept": "text/event-stream"}
        )
        response = self._send(request, stream=True)
        try:
            yield from iter_events(response)
        finally:
            response.close()

    def _fetch_external(self, url: str, *, timeout: float | None = None) -> bytes:
        """Download a URL the API handed out (an image), without our Authorization header."""
        seconds = self.timeout if timeout is None else timeout
        if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
            raise APIResponseValidationError(f"the API returned a URL that is not http(s): {url[:100]!r}")
        with httpx.Client(
            transport=self._transport,
            follow_redirects=True,
            timeout=seconds,
            headers={"User-Agent": self._http_options["headers"]["User-Agent"]},
        ) as plain:
            for attempt in range(self.max_retries + 1):
                try:
                    response = plain.get(url)
                except httpx.TransportError as exc:
                    if attempt < self.max_retries:
                        self.sleep(retry_delay(attempt, rng=self._rng))
                        continue
                    raise APIConnectionError(
                        f"could not download {_short_url(url)} ({type(exc).__name__}); "
                        "URLs from the API expire after an hour: generate again."
                    ) from None
                if response.is_success:
                    return response.content
                if attempt < self.max_retries and should_retry(response.status_code, response.headers):
                    self.sleep(retry_delay(attempt, response.headers, rng=self._rng) or 0)
                    continue
                raise APIConnectionError(
                    f"could not download {_short_url(url)}: status {response.status_code}; "
                    "URLs from the API expire after an hour: generate again."
                )
        raise AssertionError("unreachable")  # pragma: no cover


# -- helpers ---------------------------------------------------------------------------


def decode_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type")
        preview = response.text[:120].replace("\n", " ")
        raise APIResponseValidationError(
            f"{response.request.method} {response.request.url.path}: the server sent a body "
            f"that is not valid JSON ({kind}, {len(response.content)} bytes): {preview!r}"
        ) from None


def _read_with_deadline(response: httpx.Response, deadline: float) -> None:
    """Read the body, failing once `deadline` passes (httpx alone bounds each chunk, not the whole)."""
    chunks = []
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("the body took longer than the timeout", request=response.request)
    except BaseException:
        response.close()
        raise
    response._content = b"".join(chunks)  # what Response.read() stores
    response.close()


def _redirect_error(request: httpx.Request, path: str, response: httpx.Response) -> APIStatusError:
    target = response.headers.get("location", "(no location)")
    return APIStatusError(
        f"{request.method} {path}: the server redirected to {_short_url(target)}; redirects are "
        "not followed, so the key is never sent elsewhere. Use the final address as the base URL.",
        status_code=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )


def _timeout_error(request: httpx.Request, path: str, seconds: float, attempt: int) -> APITimeoutError:
    return APITimeoutError(
        f"{request.method} {path}: no answer within {seconds:g} s"
        f"{_after(attempt)}. Raise the timeout (ow.connect(timeout=...)) or try later."
    )


def _connection_error(request: httpx.Request, path: str, exc: Exception, attempt: int) -> APIConnectionError:
    return APIConnectionError(
        f"{request.method} {path}: the connection to {request.url.host} failed "
        f"({type(exc).__name__}: {redact(str(exc)) or 'no details'}){_after(attempt)}. "
        "Check the base URL and the network, or try again."
    )


def _after(attempt: int) -> str:
    return f" after {attempt + 1} attempts" if attempt else ""


def _display_path(url: httpx.URL, base_url: str) -> str:
    text = str(url.copy_with(query=None))
    return text[len(base_url) :] or "/" if text.startswith(base_url) else url.path


def _short_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:120]


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {str(value)[:100]!r}"


def _form_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def _clean_key(key: str) -> str:
    if not isinstance(key, str):
        raise type_error("api_key", "a string", key)
    key = key.strip()
    if not key:
        raise NotConnectedError(
            "No API key: pass api_key=..., set OPENAI_API_KEY, or run ow.connect() in a notebook "
            "for the credential form (any text works for a server that needs no key)."
        )
    if any(ch.isspace() for ch in key) or not key.isascii():
        raise InvalidInputError(
            "the API key contains spaces, line breaks or non-ASCII characters; "
            "copy it again from the API keys page."
        )
    return key


def _clean_base_url(url: str) -> str:
    if not isinstance(url, str):
        raise type_error("base_url", "a string", url)
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidInputError(
            f"base_url {url!r} is not an http(s) URL; use e.g. https://api.openai.com/v1 "
            "or http://127.0.0.1:8765/v1"
        )
    if parts.query or parts.fragment:
        raise InvalidInputError(f"base_url {url!r} must not have a query or fragment")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _positive(value: Any, name: str) -> float:
    return positive_number(value, name, unit="seconds")


def _retries(value: Any) -> int:
    return whole_number(value, "max_retries", minimum=0)
