"""The sandbox: a real HTTP server on loopback that speaks OpenAI's API shapes.

It is deterministic and in-memory, labels its content as sandbox output, answers
bad requests with OpenAI-style error bodies, refuses requests without a bearer key,
keeps a log of the requests it received (their bodies up to a byte budget), and
injects faults on demand (see `_faults`). Route handlers live in `routes/`, one module
per API area.

Admin keys: the organization routes (usage, costs) and checkpoint permissions need an
admin key, as with OpenAI. The sandbox treats a bearer key that starts with "sk-admin-"
as an admin key (`SANDBOX_ADMIN_KEY` is one); any other key gets a 403 there. Every
billable answer is written to the usage ledger (`_usage`), which those routes report.
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._fault_kinds import DROP, Behaviour, added_headers
from ._faults import Fault, FaultPlan, FaultSettings, behaviour_of, make_fault
from ._http import ApiError, JSONResponse, Request, StreamResponse, error_body
from ._replays import ReplayCache
from ._request_log import LoggedRequest, RequestLog
from ._state import State
from ._usage import record_answer
from .routes import find_route

__all__ = ["SANDBOX_ADMIN_KEY", "LoggedRequest", "Sandbox", "connect", "is_admin_key", "shared"]

SANDBOX_KEY = "sk-sandbox-local"  # what the credential widget's sandbox choice connects with
MiB = 1024 * 1024
ADMIN_KEY_PREFIX = "sk-admin-"  # the sandbox's rule for admin keys
SANDBOX_ADMIN_KEY = "sk-admin-sandbox-local"  # an admin key, for the usage and costs routes


class Sandbox:
    """A local OpenAI-compatible server on 127.0.0.1, in a background thread.

        with Sandbox() as sandbox:
            client = ow.connect(api_key="sk-anything", base_url=sandbox.base_url)

    Any bearer key is accepted unless `api_keys` names the accepted ones. Faults are set
    server-wide with the keyword arguments or `configure()`, or per request with `inject()`.
    `job_seconds`, `batch_seconds`, `index_seconds`, `background_seconds` and `eval_seconds`
    set how long a fine-tuning job, a batch, the indexing of the files added to a vector
    store in one request, a background response and an eval run take.
    Memory is bounded: the request log keeps at most `log_bytes` of request bodies and the
    idempotency cache at most `replay_bytes` of answers, the oldest dropped first.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Iterable[str] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        error_rates: dict[int, float] | None = None,
        rpm: int | None = None,
        tpm: int | None = None,
        burst_seconds: float = 1.0,
        stream_interval: float = 0.0,
        seed: int = 0,
        job_seconds: float = 3.0,
        batch_seconds: float = 2.0,
        index_seconds: float = 0.5,
        background_seconds: float = 0.5,
        eval_seconds: float = 2.0,
        log_bytes: int = 64 * MiB,
        replay_bytes: int = 64 * MiB,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.api_keys = set(api_keys) if api_keys is not None else None
        self.settings = FaultSettings(
            latency=latency,
            jitter=jitter,
            error_rates=dict(error_rates or {}),
            rpm=rpm,
            tpm=tpm,
            burst_seconds=burst_seconds,
            stream_interval=stream_interval,
            seed=seed,
        )
        self.faults = FaultPlan(self.settings)
        self.state = State(seed)
        self.job_seconds = job_seconds  # how long a fine-tuning job takes
        self.batch_seconds = batch_seconds  # how long a batch takes
        self.index_seconds = index_seconds  # how long a vector store takes to index the files of one request
        self.background_seconds = background_seconds  # how long a background response takes
        self.eval_seconds = eval_seconds  # how long an eval run takes
        self.requests = RequestLog(log_bytes)
        self.replays = ReplayCache(replay_bytes)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is None:
            self._server = _Server((self.host, self.requested_port), _Handler, self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                name="openai-sandbox",
                kwargs={"poll_interval": 0.1},
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The URL to give a client: `http://127.0.0.1:PORT/v1`."""
        return f"{self.url}/v1"

    def __repr__(self) -> str:
        where = self.base_url if self._server else "stopped"
        return f"Sandbox({where})"

    # -- faults and log --------------------------------------------------------------

    def configure(self, **settings: Any) -> None:
        """Change server-wide faults: latency, jitter, error_rates, rpm, tpm, burst_seconds, ..."""
        for name, value in settings.items():
            if not hasattr(self.settings, name):
                raise TypeError(f"unknown sandbox setting {name!r}")
            setattr(self.settings, name, value)
        self.faults.limiter.reset()

    def inject(
        self, kind: str, *, path: str | None = None, method: str | None = None, times: int = 1, **params: Any
    ) -> None:
        """Make the next `times` requests (to `path`, if given) fail with fault `kind` (see `_faults`)."""
        fault = make_fault(kind, params)  # ValueError for an unknown kind or parameter
        fault.path, fault.method, fault.times = path, method, times
        self.faults.inject(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    def requests_to(self, path: str, method: str | None = None) -> list[LoggedRequest]:
        """Logged requests whose path starts with `path` (relative to /v1)."""
        return [
            r
            for r in list(self.requests)
            if r.path.startswith(path) and (method is None or r.method == method.upper())
        ]

    def clear_requests(self) -> None:
        self.requests.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that left mid-answer is not news


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "openai-widgets-sandbox"

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the connection may have been reset on purpose
            super().finish()

    # -- one request -----------------------------------------------------------------

    def _handle(self) -> None:
        sandbox = self.server.sandbox
        body = self._read_body()
        split = urllib.parse.urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        full_path = urllib.parse.unquote(split.path)
        path = full_path[3:] if full_path.startswith("/v1/") or full_path == "/v1" else full_path
        logged = LoggedRequest(
            self.command, path, urllib.parse.parse_qs(split.query), headers, body, target=self.path
        )
        sandbox.requests.append(logged)
        request = Request(self.command, path, logged.query, headers, body)
        self._started = time.monotonic()
        self._limit_headers: dict[str, str] = {}
        self._replay_key: str | None = None
        try:
            self._respond(sandbox, request, logged, under_v1=full_path.startswith("/v1"))
        except (TimeoutError, ConnectionError, BrokenPipeError):
            self.close_connection = True

    def _respond(self, sandbox: Sandbox, request: Request, logged: LoggedRequest, *, under_v1: bool) -> None:
        try:
            fault = sandbox.faults.fault_for(
                request.method, request.path, request.headers.get("x-sandbox-fault")
            )
        except ValueError as exc:
            refusal = JSONResponse(error_body(f"X-Sandbox-Fault: {exc}.", param="x-sandbox-fault"), 400)
            self._send(refusal, logged, request, None)
            return
        logged.fault = request.fault = fault.kind if fault else None
        behaviour = behaviour_of(fault)
        delay = sandbox.faults.delay() + behaviour.delay(fault)
        if delay:
            time.sleep(delay)
        response = behaviour.answer(fault) or self._route(sandbox, request, under_v1=under_v1)
        if response is DROP:
            self._reset(logged)
        else:
            self._send(response, logged, request, fault)

    def _route(self, sandbox: Sandbox, request: Request, *, under_v1: bool) -> Any:
        """The route's answer, or the 404 / 401 / 429 / replay that comes before it."""
        found = find_route(request.method, request.path) if under_v1 else None
        if found is None:
            url = self.path.split("?")[0]
            return JSONResponse(error_body(f"Invalid URL ({request.method} {url})"), 404)
        route, request.params = found
        if route.auth:
            refusal = _auth_refusal(sandbox, request.headers.get("authorization"))
            if refusal:
                return JSONResponse(refusal, 401)
        if route.admin and not is_admin_key(request.headers.get("authorization")):
            return JSONResponse(_admin_refusal(request), 403)
        key = request.headers.get("idempotency-key") if request.method != "GET" else None
        replay = sandbox.replays.get(key)
        if replay is not None:
            return replay
        wait, self._limit_headers = sandbox.faults.limiter.take(sandbox.settings, _estimate_tokens(request))
        if wait > 0:
            return _rate_limited(sandbox, wait, self._limit_headers)
        try:
            response = route.handler(request, sandbox)
        except ApiError as exc:
            return JSONResponse(exc.body, exc.status, exc.headers)
        except Exception as exc:  # a sandbox bug must still look like a server error
            return JSONResponse(
                error_body(f"sandbox error: {type(exc).__name__}: {exc}", type="server_error"), 500
            )
        with contextlib.suppress(Exception):  # the usage report must never cost an answer
            record_answer(sandbox, request, response)
        self._replay_key = key  # remembered once encoded, in _send
        return response

    # -- writing ---------------------------------------------------------------------

    def _headers_for(
        self, request: Request, answer_headers: dict[str, Any], fault: Fault | None
    ) -> dict[str, str]:
        """The sandbox's headers, then the answer's, then the fault's; None removes one."""
        headers: dict[str, Any] = dict(self._limit_headers)
        headers["x-request-id"] = request.request_id
        headers["openai-processing-ms"] = str(int((time.monotonic() - self._started) * 1000))
        headers["openai-version"] = "2020-10-01"
        headers.update(answer_headers)
        headers.update(added_headers(fault))
        return {name: value for name, value in headers.items() if value is not None}

    def _send(self, response: Any, logged: LoggedRequest, request: Request, fault: Fault | None) -> None:
        behaviour = behaviour_of(fault)
        if isinstance(response, StreamResponse):
            self._send_stream(response, logged, request, fault, behaviour)
            return
        if isinstance(response, JSONResponse):
            content_type, data = "application/json", _encode(response.body)
            self._remember(response.status, content_type, data, response.headers)
            changed = behaviour.body(response.body, fault)
            if changed is not response.body:
                data = _encode(changed)
        else:
            content_type, data = response.content_type, response.content
            self._remember(response.status, content_type, data, response.headers)
        data = behaviour.payload(data, content_type, fault)
        logged.status = response.status
        self.send_response(response.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in self._headers_for(request, response.headers, fault).items():
            self.send_header(name, value)
        self.end_headers()
        behaviour.send(_Wire(self, logged, chunked=False), data, fault)

    def _remember(self, status: int, content_type: str, data: bytes, headers: dict[str, str]) -> None:
        """Keep a route's answer for a retry with the same Idempotency-Key."""
        if self._replay_key:
            self.server.sandbox.replays.put(self._replay_key, status, content_type, data, headers)
            self._replay_key = None

    def _send_stream(
        self,
        response: StreamResponse,
        logged: LoggedRequest,
        request: Request,
        fault: Fault | None,
        behaviour: Behaviour,
    ) -> None:
        logged.status = 200
        logged.stream_completed = False
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in self._headers_for(request, response.headers, fault).items():
            self.send_header(name, value)
        self.end_headers()
        wire = _Wire(self, logged, chunked=True)
        cut_after = behaviour.cut_after(fault)
        interval = response.interval or self.server.sandbox.settings.stream_interval
        try:
            for event in response.events:
                if cut_after is not None and logged.events_sent >= cut_after:
                    return self._reset(logged)
                behaviour.send_event(wire, _sse(event, named=response.event_names), fault)
                logged.events_sent += 1
                if interval:
                    time.sleep(interval)
            if cut_after is not None:
                return self._reset(logged)
            if not response.event_names:  # typed streams end when the last event is sent
                behaviour.send_event(wire, b"data: [DONE]\n\n", fault)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            logged.stream_completed = True
        except OSError:
            self.close_connection = True  # the client went away: an interrupt, most likely

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _reset(self, logged: LoggedRequest) -> None:
        """Drop the connection with a TCP reset, as a crashing proxy would."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


def is_admin_key(header: str | None) -> bool:
    """Whether an Authorization header carries an admin key (the sandbox's rule: "sk-admin-...")."""
    return (
        header is not None
        and header.startswith("Bearer ")
        and header[7:].strip().startswith(ADMIN_KEY_PREFIX)
    )


def _admin_refusal(request: Request) -> dict[str, Any]:
    return error_body(
        f"You have insufficient permissions for this operation: {request.method} /v1{request.path} "
        f"needs an admin API key (in the sandbox, a bearer key that starts with '{ADMIN_KEY_PREFIX}').",
        code="insufficient_permissions",
    )


def _auth_refusal(sandbox: Sandbox, header: str | None) -> dict[str, Any] | None:
    if not header or not header.startswith("Bearer ") or not header[7:].strip():
        return error_body(
            "You didn't provide an API key. You need to provide your API key in an Authorization "
            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    key = header[7:].strip()
    if sandbox.api_keys is not None and key not in sandbox.api_keys:
        shown = f"{key[:3]}...{key[-4:]}" if len(key) > 8 else "***"
        return error_body(
            f"Incorrect API key provided: {shown}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )
    return None


def _rate_limited(sandbox: Sandbox, wait: float, limit_headers: dict[str, str]) -> JSONResponse:
    which = "tokens" if sandbox.settings.tpm and not _requests_exhausted(limit_headers) else "requests"
    headers = {"retry-after": str(math.ceil(wait)), "retry-after-ms": str(math.ceil(wait * 1000))}
    message = (
        f"Rate limit reached for {which} per minute in the sandbox. Please try again in {wait * 1000:.0f}ms."
    )
    return JSONResponse(error_body(message, type=which, code="rate_limit_exceeded"), 429, headers)


def _requests_exhausted(headers: dict[str, str]) -> bool:
    return headers.get("x-ratelimit-remaining-requests") == "0"


def _estimate_tokens(request: Request) -> int:
    """Tokens a request counts against `tpm`: about 4 characters per token, plus max_tokens."""
    if request.method != "POST" or request.is_multipart or not request.body:
        return 1
    try:
        body = json.loads(request.body)
    except ValueError:
        return 1
    if not isinstance(body, dict):
        return 1
    total = 0
    for key in ("input", "prompt", "messages"):
        total += _text_tokens(body.get(key))
    for key in ("max_tokens", "max_completion_tokens"):
        if isinstance(body.get(key), int):
            total += body[key]
    return max(total, 1)


def _text_tokens(value: Any) -> int:
    if isinstance(value, str):
        return max(math.ceil(len(value) / 4), 1)
    if isinstance(value, list):
        return sum(_text_tokens(item) for item in value)
    if isinstance(value, dict):
        return sum(_text_tokens(item) for item in value.values())
    return 0


def _encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _sse(event: Any, *, named: bool) -> bytes:
    """One server-sent event; a typed one also names its `type` on an `event:` line."""
    data = f"data: {json.dumps(event, separators=(',', ':'))}\n\n"
    return (f"event: {event['type']}\n" + data if named else data).encode()


class _Wire:
    """The connection as fault hooks write to it: whole bytes, or HTTP chunks in a stream."""

    def __init__(self, handler: _Handler, logged: LoggedRequest, *, chunked: bool) -> None:
        self._handler, self._logged, self._chunked = handler, logged, chunked

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self._chunked:
            self._handler._write_chunk(data)
        else:
            self._handler.wfile.write(data)
            self._handler.wfile.flush()

    def reset(self) -> None:
        self._handler._reset(self._logged)


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared() -> Sandbox:
    """The process-wide sandbox (started on first use), for the credential widget and notebooks."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox().start()
        return _shared


def connect(**client_options: Any):
    """Deprecated (removed in 0.3): use `ow.connect(sandbox=True)`.

    Kept for one release; it reaches the client through `importlib` because the sandbox
    itself imports nothing of the client package.
    """
    import importlib
    import warnings

    warnings.warn(
        "ow.sandbox.connect() is deprecated and goes in 0.3; use ow.connect(sandbox=True)",
        DeprecationWarning,
        stacklevel=2,
    )
    front = importlib.import_module("openai_widgets.widgets._front")
    return front.connect(sandbox=True, **client_options)
