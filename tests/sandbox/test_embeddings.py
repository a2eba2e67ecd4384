"""The sandbox's POST /embeddings: shapes that validate, determinism, shortened vectors, limits."""

from __future__ import annotations

import base64

import httpx
import numpy as np
import pytest

MODEL = "text-embedding-3-small"


def post(sandbox, body):
    return httpx.post(f"{sandbox.base_url}/embeddings", json=body, headers={"Authorization": "Bearer sk-x"})


def vectors(answer):
    data = sorted(answer["data"], key=lambda item: item["index"])
    if isinstance(data[0]["embedding"], str):
        return np.stack([np.frombuffer(base64.b64decode(item["embedding"]), "<f4") for item in data])
    return np.asarray([item["embedding"] for item in data], dtype=np.float32)


def test_float_answers_validate_against_the_spec(sandbox, spec):
    response = post(sandbox, {"input": ["a cat", "a dog"], "model": MODEL, "dimensions": 16})
    assert response.status_code == 200
    answer = response.json()
    spec.validate_response("POST", "/embeddings", answer)
    assert answer["model"] == MODEL
    assert answer["usage"] == {"prompt_tokens": 4, "total_tokens": 4}
    assert vectors(answer).shape == (2, 16)
    assert np.allclose(np.linalg.norm(vectors(answer), axis=1), 1.0, atol=1e-6)


def test_base64_holds_the_same_little_endian_float32_vectors(sandbox, spec):
    body = {"input": ["one", "two", "three"], "model": MODEL, "dimensions": 7}
    floats = post(sandbox, body).json()
    packed = post(sandbox, {**body, "encoding_format": "base64"}).json()
    assert isinstance(packed["data"][0]["embedding"], str)
    assert np.array_equal(vectors(packed), vectors(floats))
    as_floats = {**packed, "data": [{**item, "embedding": [0.0]} for item in packed["data"]]}
    spec.validate_response("POST", "/embeddings", as_floats)  # everything but the encoding is as documented


def test_vectors_are_deterministic_and_shared_words_point_the_same_way(sandbox):
    texts = ["the cat sat on the mat", "The CAT sat on the mat!", "stock markets fell today"]
    first = vectors(post(sandbox, {"input": texts, "model": MODEL}).json())
    again = vectors(post(sandbox, {"input": texts[::-1], "model": MODEL}).json())[::-1]
    assert np.array_equal(first, again)
    assert first[0] @ first[1] > 0.8 > 0.3 > abs(first[0] @ first[2])
    large = vectors(post(sandbox, {"input": texts[:1], "model": "text-embedding-3-large"}).json())
    assert large.shape == (1, 3072)


def test_fewer_dimensions_keep_the_first_columns_like_openai(sandbox):
    full = vectors(post(sandbox, {"input": ["shorten me"], "model": MODEL}).json())[0]
    short = vectors(post(sandbox, {"input": ["shorten me"], "model": MODEL, "dimensions": 32}).json())[0]
    assert np.allclose(short, full[:32] / np.linalg.norm(full[:32]), atol=1e-6)


def test_token_arrays_are_accepted(sandbox):
    answer = post(sandbox, {"input": [[1, 2, 3], [4, 5]], "model": MODEL, "dimensions": 4}).json()
    assert vectors(answer).shape == (2, 4)
    assert answer["usage"]["prompt_tokens"] == 5


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"input": ["ok", ""], "model": MODEL}, 400, "'$.input[1]' is invalid"),
        ({"input": [], "model": MODEL}, 400, "empty"),
        ({"input": ["x"] * 2049, "model": MODEL}, 400, "maximum of 2048"),
        ({"input": ["x" * 40_000], "model": MODEL}, 400, "maximum context length is 8192 tokens"),
        ({"input": ["x" * 30_000] * 41, "model": MODEL}, 400, "max 300000 tokens per request"),
        ({"input": "x", "model": "nope"}, 404, "does not exist"),
        ({"input": "x", "model": "gpt-4o"}, 400, "does not support embeddings"),
        (
            {"input": "x", "model": "text-embedding-ada-002", "dimensions": 8},
            400,
            "does not support specifying",
        ),
        ({"input": "x", "model": MODEL, "dimensions": 5000}, 400, "from 1 to 1536"),
        ({"input": "x", "model": MODEL, "encoding_format": "hex"}, 400, "encoding_format"),
        ({"input": 42, "model": MODEL}, 400, "'input' is a required property"),
        ({"model": MODEL}, 400, "'input' is a required property"),
    ],
)
def test_limits_and_mistakes_get_openai_style_errors(sandbox, spec, body, status, words):
    response = post(sandbox, body)
    assert response.status_code == status
    assert words in response.json()["error"]["message"]
    spec.validate_schema("ErrorResponse", response.json())
