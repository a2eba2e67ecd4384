"""An OpenAI-compatible HTTP/1.1 server that enforces rate limits the way OpenAI does, for benchmarks.

    python benchmarks/ratelimited_server.py --port 8900 --rpm 12000 --tpm 10000000 --latency 0.5

It stands in for api.openai.com when measuring how close a bulk client gets to its rate
limits. It is independent of the package (it imports nothing from openai_widgets) and runs
in its own process, on stdlib asyncio streams with keep-alive, so hundreds of connections
cost one coroutine each.

Routes (OpenAI's shapes): POST /v1/chat/completions, POST /v1/embeddings (encoding_format
float or base64, any `dimensions` up to the model's width, 1536 by default), GET /stats
(counters, JSON) and POST /stats/reset (zero them). Answers are deterministic
(benchmarks/answers.py: a chat reply is a digest of the conversation; a vector is a
function of its input), so a benchmark can check every row.

Latency: a chat answer takes --latency seconds ±--jitter (uniform, 0.5 s ±20 % by default);
an embeddings answer --embed-latency + --embed-token-latency per input token (100 ms + 20 µs).
The time spent making the answer is part of that latency, not added to it.

Rate limits, as OpenAI enforces them (for the one API key the server knows, all models together):
- a request costs 1 request and tokens: the prompt tokens counted by the server (see
  answers.py: ceil(characters / 4)) plus `max_completion_tokens` / `max_tokens` for chat;
- two budgets per limit, both refilling continuously at limit/60 per second: the
  per-minute budget (capacity: the limit; it is what the `x-ratelimit-*` headers report)
  and a short window holding --burst seconds of the rate (1 s by default), which is what
  stops a burst ("60,000 RPM may be enforced as 1,000 requests per second"). A request is
  taken when both hold its cost (a cost above the short window's capacity needs it full);
- otherwise it is answered at once with 429, `retry-after` (whole seconds, rounded up),
  `retry-after-ms` (exact) and an OpenAI error body (code rate_limit_exceeded, type
  requests or tokens); a request costing more tokens than the per-minute limit gets a 429
  with no retry-after, since it can never pass. As OpenAI documents, a refused request
  still counts against the requests limit (one request, never below an empty budget);
  --free-refusals turns that off;
- every answer carries `x-ratelimit-limit-requests/tokens` (per minute),
  `x-ratelimit-remaining-requests/tokens` (what the per-minute budget holds after this
  request) and `x-ratelimit-reset-requests/tokens` (until that budget is full again, as
  OpenAI writes durations: 6ms, 1.5s, 2m0s).

--log FILE appends a JSON line for every request taken, refused (429) or answered, with
its time since the counters started, to see how a client paced itself.

Prints `listening on http://HOST:PORT/v1 ...` when ready (port 0 picks a free one).
Stops on SIGINT / SIGTERM, and with --until-stdin-closes when its standard input ends
(so a benchmark that dies does not leave it running).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import random
import signal
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from answers import VectorPool, chat_reply, count_tokens, input_tokens, prompt_tokens, reply_within

NATIVE_DIMENSIONS = {"text-embedding-3-large": 3072}  # any other embedding model: 1536
DEFAULT_DIMENSIONS = 1536
MAX_INPUTS = 2048  # per embeddings request, as OpenAI allows
MAX_INPUT_TOKENS = 8192
MAX_REQUEST_TOKENS = 300_000
MAX_HEADER_BYTES = 64 * 1024
ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
}


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 0
    rpm: float = 12_000
    tpm: float = 10_000_000
    burst: float = 1.0
    latency: float = 0.5
    jitter: float = 0.2
    embed_latency: float = 0.1
    embed_token_latency: float = 20e-6
    free_refusals: bool = False
    seed: int = 0
    log: str | None = None


class Bucket:
    """Capacity refilling continuously at `rate` per second up to `capacity`; starts full."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate, self.capacity, self.level, self.stamp = rate, capacity, capacity, now

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, cost: float) -> float:
        """Seconds until the bucket holds `cost` (all of it, or a full bucket if cost is larger)."""
        needed = min(cost, self.capacity)
        return 0.0 if self.level >= needed else (needed - self.level) / self.rate

    def until_full(self) -> float:
        return (self.capacity - self.level) / self.rate


class Limit:
    """One per-minute limit (requests or tokens): the reported minute budget and the short window."""

    def __init__(self, name: str, per_minute: float, burst: float, now: float) -> None:
        self.name, self.per_minute = name, per_minute
        rate = per_minute / 60.0
        self.minute = Bucket(rate, per_minute, now)
        self.window = Bucket(rate, max(rate * burst, 1.0), now)

    def refill(self, now: float) -> None:
        self.minute.refill(now)
        self.window.refill(now)

    def wait(self, cost: float) -> float:
        return max(self.minute.wait(cost), self.window.wait(cost))

    def take(self, cost: float) -> None:
        self.minute.level -= cost
        self.window.level -= cost

    def charge_refusal(self, cost: float) -> None:
        """A refused request still spends what is there, down to empty."""
        for bucket in (self.minute, self.window):
            bucket.level = max(bucket.level - cost, min(bucket.level, 0.0))

    def headers(self) -> dict[str, str]:
        return {
            f"x-ratelimit-limit-{self.name}": str(int(self.per_minute)),
            f"x-ratelimit-remaining-{self.name}": str(max(int(self.minute.level), 0)),
            f"x-ratelimit-reset-{self.name}": duration(self.minute.until_full()),
        }


def duration(seconds: float) -> str:
    """A wait as OpenAI writes it: 6ms, 1.5s, 2m0s, 1h2m3s."""
    if seconds <= 0.0:
        return "0s"
    if seconds < 1.0:
        return f"{math.ceil(seconds * 1000)}ms"
    if seconds < 60.0:
        return f"{math.ceil(seconds * 1000) / 1000:g}s"
    whole = math.ceil(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return (f"{hours}h" if hours else "") + f"{minutes}m{secs}s"


class RateLimiter:
    """The requests and tokens limits of the server's one key."""

    def __init__(self, settings: Settings) -> None:
        now = time.monotonic()
        self.requests = Limit("requests", settings.rpm, settings.burst, now)
        self.tokens = Limit("tokens", settings.tpm, settings.burst, now)
        self.charge_refusals = not settings.free_refusals

    def admit(self, tokens: int) -> tuple[dict[str, Any] | None, float | None]:
        """(None, None) when the request is taken; else (the error, seconds to wait or None for never)."""
        now = time.monotonic()
        self.requests.refill(now)
        self.tokens.refill(now)
        if tokens > self.tokens.per_minute:
            return _rate_error("tokens", self.tokens, tokens, too_large=True), None
        waits = {"requests": self.requests.wait(1), "tokens": self.tokens.wait(tokens)}
        blocking = max(waits, key=lambda name: waits[name])
        if waits[blocking] > 0:
            limit = self.requests if blocking == "requests" else self.tokens
            error = _rate_error(
                blocking, limit, 1 if blocking == "requests" else tokens, wait=waits[blocking]
            )
            if self.charge_refusals:
                self.requests.charge_refusal(1)
            return error, waits[blocking]
        self.requests.take(1)
        self.tokens.take(tokens)
        return None, None

    def headers(self) -> dict[str, str]:
        now = time.monotonic()
        self.requests.refill(now)
        self.tokens.refill(now)
        return {**self.requests.headers(), **self.tokens.headers()}


def _rate_error(
    kind: str, limit: Limit, requested: int, *, wait: float = 0.0, too_large: bool = False
) -> dict[str, Any]:
    unit = "requests per min (RPM)" if kind == "requests" else "tokens per min (TPM)"
    used = int(limit.per_minute - max(limit.minute.level, 0))
    if too_large:
        message = (
            f"Request too large on {unit}: Limit {int(limit.per_minute)}, Requested {requested}. "
            "The input or output tokens must be reduced in order to run successfully."
        )
    else:
        message = (
            f"Rate limit reached on {unit}: Limit {int(limit.per_minute)}, Used {used}, "
            f"Requested {requested} (enforced over {limit.window.capacity / limit.window.rate:g} s windows). "
            f"Please try again in {duration(wait)}."
        )
    return {"message": message, "type": kind, "param": None, "code": "rate_limit_exceeded"}


@dataclass
class Stats:
    """Counters since the start or the last POST /stats/reset."""

    requests: int = 0  # API requests received
    answered: int = 0  # answered 200
    rate_limited: int = 0  # answered 429
    errors: int = 0  # answered another 4xx
    chat_requests: int = 0
    embedding_requests: int = 0
    embedding_inputs: int = 0
    prompt_tokens: int = 0  # server-counted input tokens of the answered requests
    completion_tokens: int = 0
    charged_tokens: int = 0  # what the answered requests cost against the tokens limit
    in_flight: int = 0  # answered requests between being taken and their answer written
    peak_in_flight: int = 0
    connections_open: int = 0
    peak_connections: int = 0
    connections: int = 0
    bytes_sent: int = 0
    first_request: float | None = None  # seconds since the reset
    last_answer: float | None = None
    started: float = field(default_factory=time.monotonic)
    cpu_started: float = field(default_factory=time.process_time)

    def report(self, settings: Settings) -> dict[str, Any]:
        out = asdict(self)
        del out["started"], out["cpu_started"]
        out["seconds"] = time.monotonic() - self.started
        out["cpu_seconds"] = time.process_time() - self.cpu_started  # the server's own CPU time
        out["settings"] = asdict(settings)
        return out

    def since_start(self) -> float:
        return time.monotonic() - self.started


class ApiError(Exception):
    """An answer other than 200, with OpenAI's error body."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        *,
        param: str | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = {"message": message, "type": kind, "param": param, "code": code}
        self.retry_after = retry_after


class Server:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings)
        self.stats = Stats()
        self.random = random.Random(settings.seed)
        self.pools = {DEFAULT_DIMENSIONS: VectorPool(DEFAULT_DIMENSIONS)}  # others are made when first asked
        self.log = open(settings.log, "a", buffering=1) if settings.log else None  # noqa: SIM115 (lives as long as the server)
        self.routes = {
            ("POST", "/v1/chat/completions"): self.chat,
            ("POST", "/v1/embeddings"): self.embeddings,
        }

    # --- connections -------------------------------------------------------------------------

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stats = self.stats
        stats.connections += 1
        stats.connections_open += 1
        stats.peak_connections = max(stats.peak_connections, stats.connections_open)
        try:
            while await self.one_exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: nothing to answer
        finally:
            self.stats.connections_open -= 1
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def one_exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request, answer it; False when the connection is to close."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as end:
            if end.partial.strip():
                raise
            return False  # closed between requests, as keep-alive clients do
        except asyncio.LimitOverrunError:
            await self.send(writer, 431, {}, _error_body(431, "request headers are too large"), close=True)
            return False
        request_line, *lines = head[:-4].decode("latin-1").split("\r\n")
        try:
            method, target, version = request_line.split(" ", 2)
        except ValueError:
            await self.send(writer, 400, {}, _error_body(400, "malformed request line"), close=True)
            return False
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await _read_chunked(reader)
        else:
            body = await reader.readexactly(int(headers.get("content-length") or 0))
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        path = target.split("?", 1)[0]
        status, extra, payload = await self.dispatch(method, path, headers, body)
        await self.send(writer, status, extra, payload, close=not keep_alive)
        return keep_alive

    async def send(
        self, writer: asyncio.StreamWriter, status: int, headers: dict[str, str], body: bytes, *, close: bool
    ) -> None:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}", "content-type: application/json"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines += [f"content-length: {len(body)}", f"connection: {'close' if close else 'keep-alive'}", "", ""]
        writer.write("\r\n".join(lines).encode("latin-1"))
        writer.write(body)
        self.stats.bytes_sent += len(body)
        await writer.drain()

    # --- requests ----------------------------------------------------------------------------

    def note(self, event: str, **fields: Any) -> None:
        """One line of the --log file: seconds since the counters started, the event, its figures."""
        if self.log is not None:
            self.log.write(
                json.dumps({"t": round(self.stats.since_start(), 4), "event": event, **fields}) + "\n"
            )

    async def dispatch(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if path == "/stats" and method == "GET":
            return 200, {}, json.dumps(self.stats.report(self.settings)).encode()
        if path == "/stats/reset" and method == "POST":
            still_open = self.stats.connections_open
            self.stats = Stats(connections_open=still_open, peak_connections=still_open)
            self.note("reset")
            return 200, {}, b"{}"
        handler = self.routes.get((method, path))
        if handler is None:
            known = any(route_path == path for _, route_path in self.routes)
            status = 405 if known else 404
            return status, {}, _error_body(status, f"{method} {path} is not served here")
        stats = self.stats
        stats.requests += 1
        if stats.first_request is None:
            stats.first_request = stats.since_start()
        try:
            if not headers.get("authorization", "").startswith("Bearer "):
                raise ApiError(401, "You didn't provide an API key (Authorization: Bearer ...).")
            request = _json_object(body)
            headers_out, payload = await handler(request)
        except ApiError as error:
            if error.status == 429:
                stats.rate_limited += 1
            else:
                stats.errors += 1
            extra = self.limiter.headers()
            if error.retry_after is not None:
                extra["retry-after"] = str(max(math.ceil(error.retry_after), 1))
                extra["retry-after-ms"] = str(max(math.ceil(error.retry_after * 1000), 1))
            return error.status, extra, json.dumps({"error": error.error}).encode()
        except Exception:  # a fault of this server: say so instead of dropping the connection
            traceback.print_exc()
            stats.errors += 1
            return 500, {}, _error_body(500, "the benchmark server failed on this request")
        return 200, headers_out, payload

    def take(self, tokens: int) -> dict[str, str]:
        """Admit a request costing `tokens` (or raise the 429); the rate headers as of now."""
        error, wait = self.limiter.admit(tokens)
        self.note("taken" if error is None else "refused", tokens=tokens)
        if error is not None:
            raise ApiError(429, error["message"], error["type"], code=error["code"], retry_after=wait)
        return self.limiter.headers()

    async def answer_after(
        self, latency: float, make: Callable[[], bytes], rate_headers: dict[str, str], begun: float
    ) -> tuple[dict[str, str], bytes]:
        """Make the answer, then wait out the rest of `latency` from `begun`; counted in flight meanwhile."""
        stats = self.stats
        stats.in_flight += 1
        stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
        try:
            body = make()
            remaining = begun + latency - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)
        finally:
            stats.in_flight -= 1
        stats.answered += 1
        stats.last_answer = stats.since_start()
        self.note("answered", ms=round((time.monotonic() - begun) * 1000))
        headers = {
            **rate_headers,
            "openai-processing-ms": str(round((time.monotonic() - begun) * 1000)),
            "x-request-id": f"req_{uuid.uuid4().hex}",
        }
        return headers, body

    async def chat(self, request: dict[str, Any]) -> tuple[dict[str, str], bytes]:
        begun = time.monotonic()
        model = _model(request)
        messages = request.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, "'messages' must be a non-empty array of messages", param="messages")
        for position, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise ApiError(
                    400, f"messages[{position}] needs a 'role' of {sorted(ROLES)}", param="messages"
                )
        if request.get("stream"):
            raise ApiError(400, "stream=true is not served by this benchmark server", param="stream")
        cap = _optional_count(request, "max_completion_tokens") or _optional_count(request, "max_tokens")
        choices = _optional_count(request, "n") or 1
        prompt = prompt_tokens(messages)
        rate_headers = self.take(prompt + (cap or 0))
        self.stats.chat_requests += 1

        def make() -> bytes:
            reply, cut = reply_within(chat_reply(messages), cap)
            completion = count_tokens(reply) * choices
            self.stats.prompt_tokens += prompt
            self.stats.completion_tokens += completion
            self.stats.charged_tokens += prompt + (cap or 0)
            answer = {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": index,
                        "message": {"role": "assistant", "content": reply, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "length" if cut else "stop",
                    }
                    for index in range(choices)
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
                "system_fingerprint": "fp_ratelimited",
            }
            return json.dumps(answer).encode()

        spread = self.settings.latency * self.settings.jitter
        latency = self.random.uniform(self.settings.latency - spread, self.settings.latency + spread)
        return await self.answer_after(latency, make, rate_headers, begun)

    async def embeddings(self, request: dict[str, Any]) -> tuple[dict[str, str], bytes]:
        begun = time.monotonic()
        model = _model(request)
        inputs = _embedding_inputs(request.get("input"))
        counts = [input_tokens(item) for item in inputs]
        for position, count in enumerate(counts):
            if count == 0:
                raise ApiError(
                    400, f"input[{position}] is empty; every input must be non-empty", param="input"
                )
            if count > MAX_INPUT_TOKENS:
                raise ApiError(
                    400,
                    f"input[{position}] has {count} tokens; the maximum context length is {MAX_INPUT_TOKENS}",
                    param="input",
                )
        tokens = sum(counts)
        if tokens > MAX_REQUEST_TOKENS:
            raise ApiError(
                400, f"Requested {tokens} tokens, max {MAX_REQUEST_TOKENS} tokens per request", param="input"
            )
        native = NATIVE_DIMENSIONS.get(model, DEFAULT_DIMENSIONS)
        dimensions = _optional_count(request, "dimensions") or native
        if dimensions > native:
            raise ApiError(400, f"dimensions must be at most {native} for {model}", param="dimensions")
        encoding = request.get("encoding_format", "float")
        if encoding not in ("float", "base64"):
            raise ApiError(400, "encoding_format must be 'float' or 'base64'", param="encoding_format")
        rate_headers = self.take(tokens)
        self.stats.embedding_requests += 1

        def make() -> bytes:
            pool = self.pools.get(dimensions)
            if pool is None:
                pool = self.pools[dimensions] = VectorPool(dimensions)
            quote = b'"' if encoding == "base64" else b""
            parts_of = pool.base64_parts if encoding == "base64" else pool.json_parts
            pieces = [b'{"object":"list","data":[']
            for index, item in enumerate(inputs):
                head, tail = parts_of(item)
                opening = b'{"object":"embedding","index":%d,"embedding":' % index
                pieces += [b"," if index else b"", opening, quote, head, tail, quote, b"}"]
            self.stats.embedding_inputs += len(inputs)
            self.stats.prompt_tokens += tokens
            self.stats.charged_tokens += tokens
            usage = {"prompt_tokens": tokens, "total_tokens": tokens}
            pieces.append(f'],"model":{json.dumps(model)},"usage":{json.dumps(usage)}}}'.encode())
            return b"".join(pieces)  # the one copy of the vectors' text

        latency = self.settings.embed_latency + self.settings.embed_token_latency * tokens
        return await self.answer_after(latency, make, rate_headers, begun)


def _error_body(status: int, message: str) -> bytes:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return json.dumps({"error": {"message": message, "type": kind, "param": None, "code": None}}).encode()


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        raise ApiError(400, "the request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return value


def _model(request: dict[str, Any]) -> str:
    model = request.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, "you must provide a model parameter", param="model")
    return model


def _optional_count(request: dict[str, Any], name: str) -> int | None:
    value = request.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ApiError(400, f"'{name}' must be a positive integer, not {value!r}", param=name)
    return value


def _embedding_inputs(value: Any) -> list[Any]:
    """The inputs of an embeddings request: a text, texts, token ids, or lists of token ids."""
    problem = "'input' must be a string, an array of strings, or token ids (array of integers or arrays)"
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not value:
        raise ApiError(400, problem, param="input")
    if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        return [value]
    if len(value) > MAX_INPUTS:
        raise ApiError(
            400, f"'input' holds {len(value)} items; at most {MAX_INPUTS} per request", param="input"
        )
    for item in value:
        ids = isinstance(item, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in item)
        if not (isinstance(item, str) or ids):
            raise ApiError(400, problem, param="input")
    return value


def parse_args(argv: list[str] | None = None) -> tuple[Settings, bool]:
    defaults = Settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=defaults.host)
    parser.add_argument("--port", type=int, default=defaults.port, help="0 picks a free port")
    parser.add_argument("--rpm", type=float, default=defaults.rpm, help="requests per minute")
    parser.add_argument("--tpm", type=float, default=defaults.tpm, help="tokens per minute")
    parser.add_argument(
        "--burst", type=float, default=defaults.burst, help="seconds of the rate a burst may use"
    )
    parser.add_argument("--latency", type=float, default=defaults.latency, help="seconds per chat answer")
    parser.add_argument(
        "--jitter", type=float, default=defaults.jitter, help="± fraction of the chat latency"
    )
    parser.add_argument(
        "--embed-latency", type=float, default=defaults.embed_latency, help="seconds per request"
    )
    parser.add_argument(
        "--embed-token-latency",
        type=float,
        default=defaults.embed_token_latency,
        help="seconds per input token",
    )
    parser.add_argument("--free-refusals", action="store_true", help="a 429 does not count against the RPM")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seeds the latency jitter")
    parser.add_argument(
        "--log", help="append a JSON line per request taken, refused and answered to this file"
    )
    parser.add_argument("--until-stdin-closes", action="store_true", help="stop when standard input ends")
    args = vars(parser.parse_args(argv))
    until_stdin_closes = args.pop("until_stdin_closes")
    settings = Settings(**args)
    for name in ("rpm", "tpm", "burst"):
        if getattr(settings, name) <= 0:
            parser.error(f"--{name} must be above 0")
    if not 0 <= settings.jitter < 1:
        parser.error("--jitter must be in [0, 1)")
    return settings, until_stdin_closes


async def main(settings: Settings, until_stdin_closes: bool) -> None:
    server = Server(settings)
    listener = await asyncio.start_server(
        server.serve, settings.host, settings.port, backlog=2048, limit=MAX_HEADER_BYTES
    )
    host, port = listener.sockets[0].getsockname()[:2]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if until_stdin_closes:
        loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.buffer.read1() or stop.set())
    print(
        f"listening on http://{host}:{port}/v1 (rpm {settings.rpm:g}, tpm {settings.tpm:g}, "
        f"burst {settings.burst:g} s, chat {settings.latency:g} s ±{settings.jitter:.0%}, "
        f"embeddings {settings.embed_latency:g} s + {settings.embed_token_latency * 1e6:g} µs/token)",
        flush=True,
    )
    async with listener:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(*parse_args()))
