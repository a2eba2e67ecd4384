"""POST /embeddings: deterministic vectors, float or base64, with OpenAI's limits.

A vector is the normalised sum of one pseudo-random direction per word (lower-cased),
plus a smaller direction of the whole text. Texts that share words therefore point the
same way, so similarity search gives sensible sandbox answers; the same text always
gets the same vector. It is not a model.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import zlib
from typing import Any

from .._http import ApiError, BytesResponse, JSONResponse, Request
from ._registry import route

DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
MAX_INPUTS = 2048
MAX_INPUT_TOKENS = 8192
MAX_REQUEST_TOKENS = 300_000
TEXT_WEIGHT = 0.35  # how much of a vector belongs to the text as a whole rather than its words
TABLE_ROWS = 256
_PRIME = 1099511628211  # FNV-64 prime (odd, so it has an inverse mod 2**64)
_INVERSE = pow(_PRIME, -1, 2**64)


@route("POST", "/embeddings")
def create_embedding(request: Request, sandbox) -> JSONResponse | BytesResponse:
    body = request.json_object()
    sandbox.state.model(body.get("model"))  # OpenAI's 400/404 unless it names a known model
    model = str(body.get("model"))
    if "embedding" not in model:
        raise ApiError(400, f"The model `{model}` does not support embeddings.", param="model")
    inputs = _inputs(body.get("input"))
    width = _width(model, body.get("dimensions"))
    encoding = body.get("encoding_format", "float")
    if encoding not in {"float", "base64"}:
        raise ApiError(
            400,
            f"Invalid value for 'encoding_format': {encoding!r}. Supported values are: 'float' and 'base64'.",
            param="encoding_format",
        )
    if "user" in body and not isinstance(body["user"], str):
        raise ApiError(400, "Invalid type for 'user': expected a string.", param="user")
    tokens = [_tokens(item) for item in inputs]
    _check_tokens(tokens)
    vectors = embed(inputs, model, width)
    total = sum(tokens)
    usage = {"prompt_tokens": total, "total_tokens": total}
    if encoding == "base64":
        return _base64_answer(vectors, model, usage)
    data = [{"object": "embedding", "index": i, "embedding": row.tolist()} for i, row in enumerate(vectors)]
    return JSONResponse({"object": "list", "data": data, "model": model, "usage": usage})


def _base64_answer(vectors: Any, model: str, usage: dict[str, int]) -> BytesResponse:
    """The answer written as JSON straight into one buffer, every item the same width.

    Base64 needs no escaping, and JSON allows spaces before a number, so each item is
    `{"object":"embedding","index":    7,"embedding":"..."},` with the index padded to a
    fixed width: the items form one (n, width) byte array, filled with a few numpy passes
    (fresh memory is costly to touch, so nothing large is built twice).
    """
    import numpy as np

    count = len(vectors)
    text, pad = _base64_rows(vectors)  # (count, L) ASCII, the last `pad` characters to become "="
    digits = max(len(str(count - 1)), 1)
    head = b'{"object":"embedding","index":' + b" " * digits + b',"embedding":"'
    tail = b'"},'
    start = b'{"object":"list","data":['
    ending = b'],"model":%s,"usage":%s}' % (json.dumps(model).encode(), json.dumps(usage).encode())
    width = len(head) + text.shape[1] + len(tail)
    buffer = bytearray(len(start) + count * width - 1 + len(ending))  # the last item has no comma
    whole = np.frombuffer(buffer, dtype=np.uint8)
    whole[: len(start)] = np.frombuffer(start, dtype=np.uint8)
    rows = whole[len(start) : len(start) + count * width - 1]
    rows = np.lib.stride_tricks.as_strided(rows, shape=(count, width), strides=(width, 1), writeable=True)
    rows[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    rows[:, len(head) : len(head) + text.shape[1]] = text
    if pad:
        rows[:, len(head) + text.shape[1] - pad : len(head) + text.shape[1]] = ord("=")
    rows[:, len(head) + text.shape[1] :] = np.frombuffer(tail, dtype=np.uint8)
    indexes = np.arange(count)
    first_digit = len(head) - len(b',"embedding":"') - digits
    for place in range(digits):  # right-aligned index digits, spaces before them
        power = 10 ** (digits - 1 - place)
        rows[:, first_digit + place] = np.where(
            (indexes >= power) | (power == 1), indexes // power % 10 + 48, 32
        )
    whole[len(whole) - len(ending) :] = np.frombuffer(
        ending, dtype=np.uint8
    )  # also overwrites the last comma
    return BytesResponse(buffer, "application/json")


def _base64_rows(vectors: Any) -> tuple[Any, int]:
    """Each row's little-endian float32 bytes in base64 (a read-only (rows, characters) uint8 array).

    Rows are padded to a multiple of 3 bytes so one encoding pass can be cut apart; the
    returned count of trailing characters encode that padding and must be written as "=".
    """
    import numpy as np

    count, width = vectors.shape
    size = width * 4
    pad = -size % 3
    raw = np.zeros((count, size + pad), dtype=np.uint8)
    raw[:, :size] = np.ascontiguousarray(vectors, dtype="<f4").view(np.uint8).reshape(count, size)
    line = (size + pad) // 3 * 4
    return np.frombuffer(base64.b64encode(raw.data), dtype=np.uint8).reshape(count, line), pad


def _inputs(value: Any) -> list[Any]:
    """The input as a list of strings or token arrays, refused as OpenAI refuses it."""
    if isinstance(value, str):
        items: list[Any] = [value]
    elif isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        items = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise ApiError(400, "'input' is a required property and must be a string or an array.", param="input")
    if not items:
        raise ApiError(400, "'$.input' is invalid: the array is empty.", param="input")
    if len(items) > MAX_INPUTS:
        raise ApiError(
            400,
            f"'$.input' is invalid: {len(items)} items is more than the maximum of {MAX_INPUTS}.",
            param="input",
        )
    for i, item in enumerate(items):
        if isinstance(item, str) and item:
            continue
        if isinstance(item, list) and item and all(isinstance(t, int) for t in item):
            continue
        raise ApiError(
            400,
            f"'$.input[{i}]' is invalid: expected a non-empty string or array of tokens.",
            param="input",
        )
    return items


def _width(model: str, dimensions: Any) -> int:
    native = DIMENSIONS.get(model, 1536)
    if dimensions is None:
        return native
    if "text-embedding-3" not in model:
        raise ApiError(400, "This model does not support specifying dimensions.", param="dimensions")
    if isinstance(dimensions, bool) or not isinstance(dimensions, int) or not 1 <= dimensions <= native:
        raise ApiError(
            400, f"Invalid value for 'dimensions': must be an integer from 1 to {native}.", param="dimensions"
        )
    return dimensions


def _tokens(item: Any) -> int:
    """About 4 characters per token (the sandbox has no tokenizer), or the token array's length."""
    return len(item) if isinstance(item, list) else max(math.ceil(len(item) / 4), 1)


def _check_tokens(tokens: list[int]) -> None:
    for count in tokens:
        if count > MAX_INPUT_TOKENS:
            raise ApiError(
                400,
                f"This model's maximum context length is {MAX_INPUT_TOKENS} tokens, however you requested "
                f"{count} tokens in the input. Please reduce your input.",
                param="input",
            )
    total = sum(tokens)
    if total > MAX_REQUEST_TOKENS:
        raise ApiError(
            400,
            f"Requested {total} tokens, max {MAX_REQUEST_TOKENS} tokens per request.",
            param="input",
            code="max_tokens_per_request",
        )


def embed(items: list[Any], model: str, width: int) -> Any:
    """Unit vectors (float32, shape (len(items), width)) that depend only on the items and model.

    Each word (and the text as a whole) picks a direction made of two rows of a fixed
    random table; a text's vector is the sum of its directions, normalised. Asking for
    fewer `dimensions` keeps the first columns, as OpenAI's shortened embeddings do.
    """
    import numpy as np

    texts = [item if isinstance(item, str) else " ".join(map(str, item)) for item in items]
    owners, hashes, text_hashes, word_counts = _hashes(texts)
    text_weights = TEXT_WEIGHT * np.sqrt(np.maximum(word_counts, 1))
    mix = _mixing_counts(
        np.concatenate([owners, np.arange(len(texts))]),
        np.concatenate([hashes, text_hashes]),
        np.concatenate([np.ones(len(hashes)), text_weights]),
        len(texts),
    )
    return _unit(mix @ _table(model)[:, :width])


def _hashes(texts: list[str]) -> tuple[Any, Any, Any, Any]:
    """Word hashes (and whose they are), text hashes and word counts, computed with numpy.

    A word is a run of ASCII letters, digits, `_` or any non-ASCII character, after
    lower-casing; hashes are polynomial over the UTF-8 bytes, mod 2**64.
    """
    import numpy as np

    data = np.frombuffer("\x00".join(texts).lower().encode("utf-8"), dtype=np.uint8)
    is_word = (data >= 128) | ((data >= 48) & (data <= 57)) | ((data >= 97) & (data <= 122)) | (data == 95)
    edges = np.diff(np.concatenate([[0], is_word.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    separators = np.flatnonzero(data == 0)
    text_starts = np.concatenate([[0], separators + 1])
    text_ends = np.concatenate([separators, [len(data)]])
    one = np.ones(1, dtype=np.uint64)
    with np.errstate(over="ignore"):  # the arithmetic is mod 2**64 on purpose
        powers = np.concatenate([one, np.cumprod(np.full(len(data), _PRIME, dtype=np.uint64))])
        inverses = np.concatenate([one, np.cumprod(np.full(len(data), _INVERSE, dtype=np.uint64))])
        prefix = np.concatenate([one - one, np.cumsum((data.astype(np.uint64) + one) * powers[:-1])])

        def span_hash(first: Any, last: Any) -> Any:
            return _avalanche(
                (prefix[last] - prefix[first]) * inverses[first] + (last - first).astype(np.uint64)
            )

        owners = np.searchsorted(text_starts, starts, side="right") - 1
        word_counts = np.bincount(owners, minlength=len(texts))
        return (
            owners,
            span_hash(starts, ends),
            span_hash(text_starts, text_ends) ^ np.uint64(0x5BD1E995),
            word_counts,
        )


def _avalanche(x: Any) -> Any:
    """splitmix64's finaliser: every input bit flips about half of the output bits."""
    import numpy as np

    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _mixing_counts(owners: Any, hashes: Any, weights: Any, count: int) -> Any:
    """(texts, table rows) weights: hash h adds one row of the table and, with a sign, another."""
    import numpy as np

    rows = np.uint64(TABLE_ROWS)
    first = (hashes >> np.uint64(11)) % rows
    second = (hashes >> np.uint64(29)) % rows
    sign = np.where((hashes >> np.uint64(50)) & np.uint64(1), 1.0, -1.0)
    cells = np.concatenate(
        [owners * TABLE_ROWS + first.astype(np.int64), owners * TABLE_ROWS + second.astype(np.int64)]
    )
    values = np.concatenate([weights, weights * sign])
    return (
        np.bincount(cells, weights=values, minlength=count * TABLE_ROWS)
        .reshape(count, TABLE_ROWS)
        .astype(np.float32)
    )


@functools.lru_cache(maxsize=4)
def _table(model: str) -> Any:
    """The model's fixed random table: TABLE_ROWS rows of its native width."""
    import numpy as np

    generator = np.random.default_rng(zlib.crc32(model.encode()))
    return generator.standard_normal((TABLE_ROWS, DIMENSIONS.get(model, 1536)), dtype=np.float32)


def _unit(matrix: Any) -> Any:
    """`matrix` (float32) with its rows scaled to length 1, in place."""
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix /= np.where(norms == 0, 1, norms)
    return matrix
