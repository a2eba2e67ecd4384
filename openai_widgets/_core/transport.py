"""The HTTP core every API area stands on: one request builder, one send loop.

`BaseClient` holds the settings (keys, organization, project, base URL, timeout,
retries), builds requests, sends them with the retry policy of `_retries`, maps
failures to the error tree of `_errors`, and offers the shapes the API areas need:
JSON, cursor pages, server-sent event streams and multipart uploads. Which key a
request carries (the API key, or the admin key on admin routes) is `_auth`'s rule.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import os
import random
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Collection, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import httpx

from .._version import __version__
from .arguments import header_text, positive_number, type_error, whole_number
from .auth import ADMIN_KEY_ENV, KeyAuth
from .constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InvalidInputError,
    error_from_response,
)
from .keys import as_secret, checked_key
from .paths import resolve_path
from .retries import backoff_delay, retry_delay, should_retry
from .secrets import RedactingFilter, Secret, mask, redact
from .servers import is_openai_host, optional_flag
from .sse import iter_events
from .usage import answered, streamed

if TYPE_CHECKING:
    from .lanes import AsyncLanes

__all__ = ["BaseClient", "RequestInfo"]

# A multipart file: (field, (filename, content, content type)); the content is bytes or a
# readable binary file (httpx reads it while sending, e.g. an upload part read from disk).
FilePart = tuple[str, tuple[str, "bytes | IO[bytes] | io.RawIOBase", str]]

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


class BaseClient:
    """Settings and transport shared by every API area (see `Client` for the API itself)."""

    def __init__(
        self,
        api_key: str | Secret | None = None,
        organization: str | None = None,
        project: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        admin_key: str | Secret | None = None,
        openai_server: bool | None = None,
        stream_usage: bool | None = None,
    ) -> None:
        # First of all: from here on a traceback (even a verbose one, which prints every
        # frame's arguments) shows the keys only as Secret('sk-...abcd').
        api_key = as_secret(api_key)
        admin_key = as_secret(admin_key, "admin_key")
        self.organization = _header_setting(organization, "organization", "OPENAI_ORG_ID")
        self.project = _header_setting(project, "project", "OPENAI_PROJECT_ID")
        # Read through a function: a verbose traceback shows the names on the failing line,
        # and `os.environ` there would print every variable, the key included.
        self.base_url = _clean_base_url(base_url or _environment_key("OPENAI_BASE_URL") or DEFAULT_BASE_URL)
        self.timeout = _positive(timeout, "timeout")
        self.connect_timeout = _positive(connect_timeout, "connect_timeout")
        self.max_retries = _retries(max_retries)
        # What is sent differently to servers that are not OpenAI: see `_core.servers`.
        chosen = optional_flag(openai_server, "openai_server")
        self.openai_server = is_openai_host(self.base_url) if chosen is None else chosen
        self.stream_usage = optional_flag(stream_usage, "stream_usage")
        # The keys are checked last, once every other setting is known to be good. A client
        # with only an admin key is allowed: it reaches the admin routes alone.
        admin = admin_key if admin_key is not None else as_secret(_environment_key(ADMIN_KEY_ENV))
        self._admin_key = checked_key(admin, name="admin_key", required=False)
        key = api_key if api_key is not None else as_secret(_environment_key())
        self._api_key = checked_key(key, required=not self._admin_key)
        headers = {"User-Agent": f"openai-widgets/{__version__} httpx/{httpx.__version__}"}
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            headers["OpenAI-Project"] = self.project
        self._auth = KeyAuth(self._api_key, self._admin_key, urllib.parse.urlsplit(self.base_url).path)
        self._http_options: dict[str, Any] = {
            "auth": self._auth,
            "headers": headers,
            "transport": transport,
            "follow_redirects": False,  # a redirect must never carry the key to another host
            "limits": httpx.Limits(max_connections=64, max_keepalive_connections=32),
        }
        self._transport = transport  # also used for downloads, so tests can stand in for the web
        self._listeners: list[Callable[[RequestInfo], None]] = []
        self._rng = random.Random()
        # Shared with with_options() copies: the last request, and the ID the usage ledger files them under.
        self._state: dict[str, Any] = {"last_request": None, "client_id": uuid.uuid4().hex[:12]}
        # The connection pools, shared with the copies too: "http" now, "async_http" on first use.
        self._shared: dict[str, Any] = {"http": httpx.Client(**self._http_options)}
        self._lock = threading.Lock()

    # -- settings ------------------------------------------------------------------

    @property
    def masked_key(self) -> str:
        """The key as it may be shown: `sk-...abcd`."""
        return mask(self._api_key.reveal())

    @property
    def masked_admin_key(self) -> str | None:
        """The admin key as it may be shown (`sk-...abcd`), or None when the client has none."""
        return mask(self._admin_key.reveal()) if self._admin_key else None

    @property
    def last_request(self) -> RequestInfo | None:
        return self._state["last_request"]

    @property
    def client_id(self) -> str:
        """A short ID of this client, shared with its `with_options()` copies (for `usage_log(client)`)."""
        return self._state["client_id"]

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
        if not hasattr(self, "_auth"):  # still being made (a verbose traceback shows `self` too)
            return f"<{type(self).__name__} not yet connected>"
        parts = [f"base_url={self.base_url!r}", f"api_key={self.masked_key!r}"]
        if self._admin_key:
            parts.append(f"admin_key={self.masked_admin_key!r}")
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
        try:
            built = self._http.build_request(
                verb,
                url,
                params=params,
                json=json,
                data=data,
                files=files,
                headers=headers,
                timeout=httpx.Timeout(seconds, connect=min(self.connect_timeout, seconds)),
            )
        except UnicodeEncodeError as exc:  # the last line of defence: the areas check their text first
            raise InvalidInputError(f"{verb} {path}: {_unencodable(exc)}") from None
        self._auth.require(verb, built.url)  # a missing key is refused before anything is sent
        return built

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
        final: Callable[[httpx.Response], bool] | None = None,
    ) -> httpx.Response:
        """Send `request`, retrying what is worth retrying; return a successful response.

        With `stream=True` the body is left unread for the caller, who must close it.
        `final(response)` True marks a failed answer as not worth retrying as it is (the
        caller changes the request instead).
        """
        retries = self.max_retries if max_retries is None else max_retries
        path = _display_path(request.url, self.base_url)
        started = time.monotonic()
        deadline_seconds = request.extensions.get("timeout", {}).get("read") or self.timeout
        error: APIError  # what is raised when the request fails for good
        for attempt in range(retries + 1):
            last_try = attempt == retries
            try:
                response = self._http.send(request, stream=True)
                if not stream or not response.is_success:
                    _read_with_deadline(response, time.monotonic() + deadline_seconds)
            except httpx.TimeoutException:
                if not last_try:
                    self.sleep(backoff_delay(attempt, rng=self._rng))
                    continue
                error = _timeout_error(request, path, deadline_seconds, attempt)
                self._notify(request, path, None, started, attempt + 1, error=error)
                raise error from None
            except httpx.TransportError as exc:
                if not last_try:
                    self.sleep(backoff_delay(attempt, rng=self._rng))
                    continue
                error = _connection_error(request, path, exc, attempt)
                self._notify(request, path, None, started, attempt + 1, error=error)
                raise error from None

            if response.is_success:
                self._notify(request, path, response, started, attempt + 1)
                if not stream:  # the body is here whole: its usage goes to the ledger
                    answered(
                        self, request.method, path, response.content, response.headers.get("x-request-id")
                    )
                return response
            if 300 <= response.status_code < 400:
                error = _redirect_error(request, path, response)
                self._notify(request, path, response, started, attempt + 1, error=error)
                raise error
            retry = should_retry(response.status_code, response.headers) and not (final and final(response))
            if not last_try and retry:
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
        import asyncio  # with the asynchronous pools: only bulk calls need them

        request = self._build_request(
            method, path, params=params, json=json, headers=headers, timeout=timeout
        )
        seconds = request.extensions.get("timeout", {}).get("read") or self.timeout
        where = _display_path(request.url, self.base_url)
        started = time.monotonic()
        try:
            response = await self._async_http().send(request)
            if not response.is_success:
                try:
                    await asyncio.wait_for(response.aread(), seconds)
                finally:
                    await response.aclose()  # the connection goes back to its pool
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

    def _async_http(self) -> AsyncLanes:
        """The asynchronous pools, made on first use and shared with `with_options()` copies."""
        from .lanes import AsyncLanes

        with self._lock:
            made = self._shared.get("async_http")
            if made is None:
                transport = self._transport if isinstance(self._transport, httpx.AsyncBaseTransport) else None

                def lane(connections: int) -> httpx.AsyncClient:
                    return httpx.AsyncClient(
                        auth=self._http_options["auth"],
                        headers=self._http_options["headers"],
                        transport=transport,
                        follow_redirects=False,
                        limits=httpx.Limits(
                            max_connections=connections, max_keepalive_connections=connections
                        ),
                    )

                made = self._shared["async_http"] = AsyncLanes(lane)
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
        files: Sequence[FilePart],
        **kwargs: Any,
    ) -> httpx.Response:
        """A multipart/form-data POST; `files` are (field, (filename, content, content type))."""
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
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        fields: Mapping[str, Any] | None = None,
        files: Sequence[FilePart] | None = None,
        timeout: float | None = None,
        ends: Collection[str] = (),
        unfinished: Callable[[], str | None] | None = None,
        final: Callable[[httpx.Response], bool] | None = None,
    ) -> Generator[dict[str, Any], None, None]:
        """The JSON events of a streamed answer; the connection closes when iteration stops.

        The body is JSON, or multipart `fields` and `files` (as `_post_multipart` takes
        them). `ends` names the event types that end a typed stream (the Responses API's),
        `unfinished` decides whether a stream that ends without `[DONE]` is whole (see
        `_core.sse`); `final` as in `_send`.
        """
        data = None if fields is None else {k: _form_value(v) for k, v in fields.items() if v is not None}
        request = self._build_request(
            method,
            path,
            json=json,
            data=data,
            files=files,
            timeout=timeout,
            headers={"Accept": "text/event-stream"},
        )
        response = self._send(request, stream=True, final=final)
        last_usage: dict[str, Any] | None = None  # the last event that carried usage
        try:
            if _content_type(response) == "application/json":
                events = _whole_answer(response, request, unfinished)
            else:
                events = iter_events(response, ends, unfinished)
            for event in events:
                if isinstance(event, dict) and (
                    isinstance(event.get("usage"), dict) or isinstance(event.get("response"), dict)
                ):
                    last_usage = event
                yield event
        finally:
            response.close()
            if last_usage is not None:  # a stream stopped before its usage arrived leaves no row
                streamed(
                    self,
                    _display_path(request.url, self.base_url),
                    last_usage,
                    response.headers.get("x-request-id"),
                )

    def _get_json_or_events(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON answer; a server that answers with an event stream instead gives an
        iterator of its JSON events (the connection closes when iteration stops).

        The stream may end cleanly with or without `[DONE]`; a cut one raises
        `StreamInterruptedError` after the events that arrived.
        """
        request = self._build_request("GET", path, params=params)
        response = self._send(request, stream=True)
        if _content_type(response) == "text/event-stream":
            return _closing_events(response)
        seconds = request.extensions.get("timeout", {}).get("read") or self.timeout
        _read_with_deadline(response, time.monotonic() + seconds)
        return decode_json(response)

    def _fetch_external(self, url: str, *, timeout: float | None = None) -> bytes:
        """Download a URL the API handed out (an image), never with our Authorization header.

        A `data:` URL is decoded here (some compatible servers send images that way); a
        relative URL is read against the base URL. Failures name the URL and say why.
        """
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme == "data":
            return data_url_bytes(url)
        if not scheme:
            url = urllib.parse.urljoin(self.base_url + "/", url)  # "/files/img.png" from the server itself
        elif scheme not in {"http", "https"}:
            raise APIResponseValidationError(f"the API returned a URL that is not http(s): {url[:100]!r}")
        seconds = self.timeout if timeout is None else timeout
        own = _same_origin(url, self.base_url)
        with httpx.Client(
            transport=self._transport,
            follow_redirects=True,  # safe: this client holds no key
            timeout=seconds,
            headers={"User-Agent": self._http_options["headers"]["User-Agent"]},
        ) as plain:
            for attempt in range(self.max_retries + 1):
                try:
                    response = plain.get(url)
                except httpx.TransportError as exc:
                    if attempt < self.max_retries:
                        self.sleep(backoff_delay(attempt, rng=self._rng))
                        continue
                    raise APIConnectionError(
                        f"could not download {_short_url(url)}: {type(exc).__name__} "
                        f"({redact(str(exc)) or 'no details'}){_after(attempt)}; "
                        "check the network and try again."
                    ) from None
                if response.is_success:
                    return response.content
                if attempt < self.max_retries and should_retry(response.status_code, response.headers):
                    self.sleep(retry_delay(attempt, response.headers, rng=self._rng) or 0)
                    continue
                raise APIConnectionError(
                    f"could not download {_short_url(url)}: {_download_failure(response, own)}"
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


def _content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _whole_answer(
    response: httpx.Response, request: httpx.Request, unfinished: Callable[[], str | None] | None
) -> Iterator[Any]:
    """A server that ignores `stream: true` answers whole, in JSON: that answer is the one event.

    The caller folds it in like a stream's events; `unfinished` then says whether it is whole.
    """
    seconds = request.extensions.get("timeout", {}).get("read") or 60.0
    _read_with_deadline(response, time.monotonic() + seconds)
    yield decode_json(response)
    missing = unfinished() if unfinished is not None else None
    if missing is not None:
        raise APIResponseValidationError(
            f"the server answered with JSON instead of an event stream (it ignores stream=true), "
            f"and {missing}: leave stream out on this server"
        )


def _closing_events(response: httpx.Response) -> Generator[dict[str, Any], None, None]:
    try:
        yield from iter_events(response, unfinished=lambda: None)  # any clean end is an end
    finally:
        response.close()


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


def _unencodable(exc: UnicodeEncodeError) -> str:
    """What cannot be sent, and what to do, for an encoding failure while building a request."""
    character = exc.object[exc.start] if exc.start < len(exc.object) else ""
    code = f"U+{ord(character):04X}" if character else "a character"
    if exc.encoding == "ascii":
        return (
            f"a header holds the non-ASCII character {code}, which HTTP headers cannot carry; "
            "type the value again in plain ASCII"
        )
    return (
        f"the request holds {code}, a lone surrogate that cannot be sent as UTF-8 (it comes from "
        "text decoded with errors='surrogateescape' or cut between a surrogate pair); remove or "
        "replace it, e.g. text.encode('utf-8', 'replace').decode()"
    )


def _after(attempt: int) -> str:
    return f" after {attempt + 1} attempts" if attempt else ""


def _display_path(url: httpx.URL, base_url: str) -> str:
    text = str(url.copy_with(query=None))
    return text[len(base_url) :] or "/" if text.startswith(base_url) else url.path


def data_url_bytes(url: str) -> bytes:
    """The bytes a `data:` URL holds (base64 or percent-encoded)."""
    head, comma, payload = url.partition(",")
    if not comma:
        raise APIResponseValidationError(f"the API returned a data: URL without data: {url[:60]!r}")
    if head.lower().endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise APIResponseValidationError(
                f"the API returned a data: URL that is not valid base64: {url[:60]!r}"
            ) from None
    return urllib.parse.unquote_to_bytes(payload)


def _same_origin(url: str, base_url: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base_url)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def _download_failure(response: httpx.Response, own_host: bool) -> str:
    """Why a download failed, and what to do: the status, the server's words, a hint."""
    why = f"status {response.status_code} {response.reason_phrase}".rstrip()
    said = _error_words(response)
    if said:
        why += f" ({said})"
    if own_host and response.status_code in (401, 403):
        return (
            f"{why}; the key is never sent with downloads: ask for base64 instead "
            "(response_format='b64_json') or have the server serve its images without a key."
        )
    if response.status_code in (403, 404, 410):
        where = "the server's" if own_host else "the API's"
        return f"{why}; {where} image URLs expire (OpenAI's after an hour): generate again."
    return f"{why}; try again later."


def _error_words(response: httpx.Response) -> str:
    """The server's own message from an error body (JSON `error.message`, else short text), redacted."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else error or body.get("detail")
        return redact(str(message))[:200] if message else ""
    kind = response.headers.get("content-type", "")
    if kind.startswith("text/plain") and response.text.strip():
        return redact(response.text.strip())[:200]
    return ""


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


def _environment_key(variable: str = "OPENAI_API_KEY") -> str | None:
    return os.environ.get(variable)


def _header_setting(value: Any, name: str, variable: str) -> str | None:
    """The organization or project (or its environment variable), checked to fit a header."""
    given = value or os.environ.get(variable)
    if not given or (isinstance(given, str) and not given.strip()):
        return None
    source = name if value else f"{name} (from {variable})"
    return header_text(given, source).strip() or None


def _clean_base_url(url: str) -> str:
    if not isinstance(url, str):
        raise type_error("base_url", "a string", url)
    try:
        parts = urllib.parse.urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is out of range or not a number
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535"...
        raise InvalidInputError(
            f"base_url {url!r} is not a valid URL ({exc}); use e.g. https://api.openai.com/v1 "
            "or http://[::1]:8765/v1"
        ) from None
    if parts.scheme not in {"http", "https"} or not parts.netloc or not parts.hostname:
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
