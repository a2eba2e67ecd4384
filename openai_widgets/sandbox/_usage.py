"""The usage ledger: what the sandbox really served, for the organization usage and costs routes.

The server writes down every successful answer OpenAI would bill (`record_answer`; the
batch route does it for its lines, marked `batch`, and eval runs for the answers and
grader calls they make): the kind of usage, when, who asked and how much. Who asked is
the project (the `OpenAI-Project` header, else "proj_sandbox"), an API key ID derived
from the key by a hash (never the key itself) and one user, "user_sandbox". How much
comes from the answers themselves: tokens from their `usage`, images counted in `data`,
characters of speech input, seconds of transcribed audio.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from ._http import BytesResponse, JSONResponse, Request, StreamResponse
from ._sounds import audio_seconds

__all__ = ["KINDS", "UsageLedger", "UsageRecord", "record_answer", "record_tokens", "who"]

KINDS = (
    "completions",
    "embeddings",
    "moderations",
    "images",
    "audio_speeches",
    "audio_transcriptions",
    "vector_stores",
    "code_interpreter_sessions",
    "file_search_calls",
    "web_search_calls",
)
DEFAULT_PROJECT = "proj_sandbox"
USER = "user_sandbox"
_IMAGE_SOURCES = {
    "/images/generations": "image.generation",
    "/images/edits": "image.edit",
    "/images/variations": "image.variation",
}


@dataclass(frozen=True)
class UsageRecord:
    """One billable answer: its kind, time, the fields usage can be grouped by, its amounts."""

    kind: str
    at: float
    fields: dict[str, Any]  # project_id, user_id, api_key_id, model, batch, service_tier, size, source
    amounts: dict[str, int]


@dataclass
class UsageLedger:
    """The records, in the order they were made (thread-safe)."""

    _records: list[UsageRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: UsageRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self, kind: str | None = None) -> list[UsageRecord]:
        with self._lock:
            return [r for r in self._records if kind is None or r.kind == kind]


def who(headers: dict[str, str]) -> dict[str, str]:
    """The project, user and API key ID a request is billed to (the key only as a hash)."""
    key = headers.get("authorization", "")[7:].strip()
    digest = hashlib.sha256(key.encode()).hexdigest()[:20] if key else "none"
    return {
        "project_id": headers.get("openai-project") or DEFAULT_PROJECT,
        "user_id": USER,
        "api_key_id": f"key_{digest}",
    }


def record_tokens(
    sandbox, headers: dict[str, str], model: str, tokens: dict[str, int], calls: int = 1
) -> None:
    """Completions usage made by the sandbox itself on a request's behalf (eval runs)."""
    amounts = {
        "input_tokens": tokens.get("prompt_tokens", 0),
        "output_tokens": tokens.get("completion_tokens", 0),
        "input_cached_tokens": tokens.get("cached_tokens", 0),
        "num_model_requests": calls,
    }
    fields = {**who(headers), "model": model, "batch": False, "service_tier": "default"}
    sandbox.state.usage.add(UsageRecord("completions", time.time(), fields, amounts))


def record_answer(sandbox, request: Request, response: Any, *, batch: bool = False) -> None:
    """Write down a successful answer if OpenAI would bill it (other answers are ignored)."""
    if request.method != "POST" or not 200 <= getattr(response, "status", 200) < 300:
        return
    reader = _READERS.get(request.path)
    if reader is None:
        return
    found = reader(request, response)
    if found is None:
        return
    kind, fields, amounts = found
    fields = {**who(request.headers), **fields}
    if kind == "completions":
        fields["batch"] = batch
    sandbox.state.usage.add(UsageRecord(kind, time.time(), fields, amounts))


# -- what an answer cost ---------------------------------------------------------------------

Found = tuple[str, dict[str, Any], dict[str, int]] | None


def _body(request: Request) -> dict[str, Any]:
    """The request's JSON or multipart fields (the route has already checked them)."""
    if request.is_multipart:
        return request.form()
    try:
        body = json.loads(request.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _answer_usage(response: Any) -> dict[str, Any] | None:
    if isinstance(response, StreamResponse):
        return response.usage
    if isinstance(response, JSONResponse) and isinstance(response.body, dict):
        return response.body.get("usage")
    if isinstance(response, BytesResponse) and response.content_type == "application/json":
        # Large base64 answers end with `"usage":{...}}`: read only that tail.
        tail = response.content[response.content.rfind(b'"usage":') + 8 : -1]
        try:
            return json.loads(tail)
        except ValueError:
            return None
    return None


def _completions(request: Request, response: Any) -> Found:
    usage = _answer_usage(response) or {}
    body = _body(request)
    details = usage.get("prompt_tokens_details") or {}
    output_details = usage.get("completion_tokens_details") or {}
    amounts = {
        "input_tokens": usage.get("prompt_tokens", usage.get("input_tokens", 0)),
        "output_tokens": usage.get("completion_tokens", usage.get("output_tokens", 0)),
        "input_cached_tokens": details.get("cached_tokens", 0),
        "input_audio_tokens": details.get("audio_tokens", 0),
        "output_audio_tokens": output_details.get("audio_tokens", 0),
        "num_model_requests": 1,
    }
    fields = {"model": body.get("model"), "service_tier": body.get("service_tier") or "default"}
    return "completions", fields, amounts


def _embeddings(request: Request, response: Any) -> Found:
    usage = _answer_usage(response) or {}
    amounts = {"input_tokens": usage.get("prompt_tokens", 0), "num_model_requests": 1}
    return "embeddings", {"model": _body(request).get("model")}, amounts


def _moderations(request: Request, response: Any) -> Found:
    from .routes._replies import count_tokens  # the routes package imports this module

    inputs = _body(request).get("input")
    texts = inputs if isinstance(inputs, list) else [inputs]
    tokens = sum(
        count_tokens(part if isinstance(part, str) else str(part.get("text", "")))
        for part in texts
        if isinstance(part, (str, dict))
    )
    model = response.body.get("model") if isinstance(response, JSONResponse) else None
    return "moderations", {"model": model}, {"input_tokens": tokens, "num_model_requests": 1}


def _images(request: Request, response: Any) -> Found:
    if not isinstance(response, JSONResponse):
        return None
    body = _body(request)
    fields = {
        "model": body.get("model") or "dall-e-2",
        "size": body.get("size") or "1024x1024",
        "source": _IMAGE_SOURCES[request.path],
    }
    return "images", fields, {"images": len(response.body.get("data") or []), "num_model_requests": 1}


def _speech(request: Request, response: Any) -> Found:
    body = _body(request)
    characters = len(body.get("input") or "")
    return "audio_speeches", {"model": body.get("model")}, {"characters": characters, "num_model_requests": 1}


def _transcription(request: Request, response: Any) -> Found:
    uploads = request.files().get("file") or []
    if not uploads:
        return None
    upload = uploads[0]
    fmt = PurePosixPath(upload.filename or "").suffix.lower().lstrip(".")
    seconds = math.ceil(audio_seconds(upload.content, fmt))
    fields = {"model": request.form().get("model")}
    return "audio_transcriptions", fields, {"seconds": seconds, "num_model_requests": 1}


_READERS = {
    "/chat/completions": _completions,
    "/completions": _completions,
    "/responses": _completions,
    "/embeddings": _embeddings,
    "/moderations": _moderations,
    "/images/generations": _images,
    "/images/edits": _images,
    "/images/variations": _images,
    "/audio/speech": _speech,
    "/audio/transcriptions": _transcription,
    "/audio/translations": _transcription,
}
