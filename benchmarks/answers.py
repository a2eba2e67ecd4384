"""What the rate-limited benchmark server answers, as pure functions: token counts, chat replies, vectors.

Everything here is deterministic, so a benchmark can recompute what every row of a bulk
job must hold and count the wrong or missing ones. The server (ratelimited_server.py)
and the benchmarks both import this module; it imports nothing from openai_widgets.

Token rule (the server's own count, used for `usage` and for the tokens-per-minute limit):
a text costs ceil(characters / 4) tokens, about what tiktoken's cl100k_base / o200k_base
give for English prose; an empty text costs 0; an input given as token ids costs one
token per id. A chat request's prompt counts, as OpenAI's cookbook does, 3 tokens per
message plus its content (and its `name`), plus 3 tokens that prime the reply.

Vectors: row i of a pool of POOL_SIZE random vectors per width (picked by a hash of the
input), whose first UNIQUE components are replaced by numbers from the same hash, so two
inputs that share a pool row still get different vectors. Every component is a multiple
of 1/10,000 stored as float32: `repr` of the float64 value writes it exactly (e.g. 0.0123),
and the JSON text and the base64 bytes decode to the same float32. The base64 text of a
pool row's tail is precomputed, so an answer is joined from ready pieces.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "CHARS_PER_TOKEN",
    "POOL_SIZE",
    "UNIQUE",
    "VectorPool",
    "chat_reply",
    "count_tokens",
    "expected_matrix",
    "input_tokens",
    "prompt_tokens",
    "reply_within",
]

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 3
REPLY_PRIMING = 3
POOL_SIZE = 1024
UNIQUE = 3  # 3 float32 = 12 bytes = exactly 16 base64 characters, so the pool tail's text follows on
SCALE = 10_000  # components are k / SCALE
_UNIQUE_RANGE = 999  # |k| of the per-input components


def count_tokens(text: str) -> int:
    """The server's token count of a text: ceil(characters / 4)."""
    return -(-len(text) // CHARS_PER_TOKEN)


def input_tokens(item: str | Sequence[int]) -> int:
    """Tokens of one embeddings input: a text, or a list of token ids (one token each)."""
    return count_tokens(item) if isinstance(item, str) else len(item)


def text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def prompt_tokens(messages: Iterable[dict[str, Any]]) -> int:
    """Tokens of a chat prompt: 3 per message + its content and name, + 3 priming the reply."""
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE + count_tokens(text_of(message.get("content")))
        if isinstance(message.get("name"), str):
            total += count_tokens(message["name"])
    return total


def chat_reply(messages: Iterable[dict[str, Any]]) -> str:
    """The full reply to a conversation: a digest of every role and text, and the last text's size."""
    lines = [f"{m.get('role')}:{text_of(m.get('content'))}" for m in messages]
    digest = hashlib.blake2b("\n".join(lines).encode(), digest_size=8).hexdigest()
    return f"reply {digest} to {len(lines[-1]) if lines else 0} characters"


def reply_within(reply: str, max_tokens: int | None) -> tuple[str, bool]:
    """The reply cut to `max_tokens` (4 characters a token), and whether it was cut."""
    if max_tokens is None or count_tokens(reply) <= max_tokens:
        return reply, False
    return reply[: max_tokens * CHARS_PER_TOKEN], True


def _input_key(item: str | Sequence[int]) -> bytes:
    if isinstance(item, str):
        return item.encode("utf-8")
    return b"ids:" + ",".join(map(str, item)).encode()


def _hash(item: str | Sequence[int]) -> int:
    return int.from_bytes(hashlib.blake2b(_input_key(item), digest_size=16).digest(), "little")


def _slot_and_head(item: str | Sequence[int]) -> tuple[int, tuple[int, int, int]]:
    """The pool row an input uses, and its own first components (as integers k of k / SCALE)."""
    h = _hash(item)
    span = 2 * _UNIQUE_RANGE + 1
    head = tuple((h >> (32 + 24 * j)) % span - _UNIQUE_RANGE for j in range(UNIQUE))
    return h % POOL_SIZE, head  # type: ignore[return-value]


class VectorPool:
    """The vectors of one width, and their JSON and base64 texts, made once and reused.

    An answer's text for an input comes in two pieces (its own head, the shared tail of its
    pool row), as bytes, so a server joins a whole answer with one copy.
    """

    def __init__(self, dimensions: int) -> None:
        rng = np.random.default_rng(dimensions)
        spread = SCALE / math.sqrt(dimensions)  # unit length, roughly, like OpenAI's vectors
        self.dimensions = dimensions
        self.steps = np.rint(rng.standard_normal((POOL_SIZE, dimensions)) * spread).astype(np.int64)
        self.rows = (self.steps / SCALE).astype(np.float32)
        self.head = min(UNIQUE, dimensions)
        self._tails_b64 = [base64.b64encode(row[UNIQUE:].tobytes()) for row in self.rows]
        self._tails_json: dict[int, bytes] = {}

    def vector(self, item: str | Sequence[int]) -> np.ndarray:
        slot, head = _slot_and_head(item)
        row = self.rows[slot].copy()
        row[: self.head] = np.asarray(head[: self.head], dtype=np.float64) / SCALE
        return row

    def base64_parts(self, item: str | Sequence[int]) -> tuple[bytes, bytes]:
        """The vector's little-endian float32 bytes in base64, as (head, tail)."""
        slot, head = _slot_and_head(item)
        if self.dimensions < UNIQUE:
            return base64.b64encode(self.vector(item).tobytes()), b""
        first = [k / SCALE for k in head]
        return base64.b64encode(struct.pack("<3f", *first)), self._tails_b64[slot]

    def json_parts(self, item: str | Sequence[int]) -> tuple[bytes, bytes]:
        """The vector as a JSON list of floats (exact decimal texts), as (head, tail)."""
        slot, head = _slot_and_head(item)
        first = ",".join(repr(k / SCALE) for k in head[: self.head])
        if self.dimensions <= UNIQUE:
            return f"[{first}]".encode(), b""
        tail = self._tails_json.get(slot)
        if tail is None:
            tail = ("," + ",".join(map(repr, (self.steps[slot, UNIQUE:] / SCALE).tolist())) + "]").encode()
            self._tails_json[slot] = tail
        return f"[{first}".encode(), tail


def expected_matrix(items: Sequence[str | Sequence[int]], dimensions: int) -> np.ndarray:
    """What an embeddings job over `items` must return, row by row (float32)."""
    pool = VectorPool(dimensions)
    slots = np.empty(len(items), dtype=np.int64)
    heads = np.empty((len(items), UNIQUE), dtype=np.float64)
    for position, item in enumerate(items):
        slots[position], heads[position] = _slot_and_head(item)
    matrix = pool.rows[slots]
    matrix[:, : pool.head] = heads[:, : pool.head] / SCALE
    return matrix
