"""embed(): inputs, the result frame, batching limits, encodings, faults, interrupts and resume."""

from __future__ import annotations

import base64
import json
import time

import httpx
import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets import bulk
from openai_widgets._embeddings import tokens as _tokens
from openai_widgets.bulk import embedding_job as _embedding_job
from tests.conftest import TEST_KEY

MODEL = "text-embedding-3-small"


@pytest.fixture(autouse=True)
def _estimated_tokens(monkeypatch):
    """Token counts from the estimate, so batch boundaries do not depend on tiktoken's download."""
    monkeypatch.setattr(_tokens, "encoding_for", lambda model: None)


def bodies(sandbox):
    return [r.json() for r in sandbox.requests_to("/embeddings")]


def vector_of(text: str, width: int = 8) -> list[float]:
    """A stand-in server's vector for a text (deterministic, not normalised)."""
    seed = sum(text.encode()) + len(text)
    return [float((seed * (i + 3)) % 97) / 97.0 for i in range(width)]


def fake_server(*, encoding: str = "float", delay=None, fail=None, log=None):
    """A MockTransport embeddings server: floats or base64, optional delays and failures per batch."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        texts = body["input"]
        if log is not None:
            log.append(body)
        if delay is not None:
            time.sleep(delay(texts))
        if fail is not None and fail(texts):
            error = {
                "message": "this batch is refused",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
            return httpx.Response(400, json={"error": error})
        data = []
        for index, text in enumerate(texts):
            vector = vector_of(text)
            if encoding == "base64":
                vector = base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode()
            data.append({"object": "embedding", "index": index, "embedding": vector})
        data.reverse()  # items may come in any order: `index` says where they go
        usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
        return httpx.Response(
            200, json={"object": "list", "data": data, "model": body["model"], "usage": usage}
        )

    return handler


def fake_client(handler):
    client = ow.Client(
        api_key=TEST_KEY, base_url="https://embed.test/v1", transport=httpx.MockTransport(handler)
    )
    client.sleep = lambda seconds: None
    return client


# -- inputs and the result ----------------------------------------------------------------


def test_a_string_gives_a_one_row_frame_of_float32_with_model_dimensions_and_usage(client, sandbox, spec):
    frame = client.embed("The cat sat on the mat.")
    assert list(frame.columns) == ["input", "embedding"]
    assert frame.index.equals(pd.RangeIndex(1))
    vector = frame["embedding"].iloc[0]
    assert isinstance(vector, np.ndarray)
    assert vector.dtype == np.float32
    assert vector.shape == (1536,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert frame.attrs["model"] == MODEL
    assert frame.attrs["dimensions"] == 1536
    assert frame.attrs["usage"] == {"prompt_tokens": 6, "total_tokens": 6}
    (body,) = bodies(sandbox)
    assert body == {"input": ["The cat sat on the mat."], "model": MODEL, "encoding_format": "base64"}
    spec.validate_request("POST", "/embeddings", body)


def test_a_series_keeps_its_index_and_user_and_dimensions_are_sent(client, sandbox, spec):
    series = pd.Series(["alpha", "beta", "gamma"], index=["r1", "r2", "r3"], name="text")
    frame = client.embed(series, user="user-42", dimensions=64)
    assert list(frame.index) == ["r1", "r2", "r3"]
    assert list(frame["input"]) == ["alpha", "beta", "gamma"]
    assert ow.as_matrix(frame).shape == (3, 64)
    assert frame.attrs["dimensions"] == 64
    assert frame.attrs["requested_dimensions"] == 64
    (body,) = bodies(sandbox)
    assert body["user"] == "user-42"
    assert body["dimensions"] == 64
    spec.validate_request("POST", "/embeddings", body)


def test_a_one_column_dataframe_works_and_limit_caps_the_inputs(client, sandbox):
    frame = client.embed(pd.DataFrame({"text": [f"row {i}" for i in range(10)]}), limit=4, dimensions=8)
    assert list(frame["input"]) == ["row 0", "row 1", "row 2", "row 3"]
    assert bodies(sandbox)[0]["input"] == ["row 0", "row 1", "row 2", "row 3"]


def test_identical_inputs_are_sent_once_and_share_their_vector(client, sandbox):
    frame = client.embed(["same", "other", "same", "same"], dimensions=16)
    assert bodies(sandbox)[0]["input"] == ["same", "other"]
    matrix = ow.as_matrix(frame)
    assert matrix.shape == (4, 16)
    assert np.array_equal(matrix[0], matrix[2])
    assert np.array_equal(matrix[0], matrix[3])
    assert not np.array_equal(matrix[0], matrix[1])


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        (
            pd.Series(["ok", "", "fine"], index=["a", "b", "c"]),
            ow.InvalidInputError,
            "index 'b' is an empty string",
        ),
        (pd.Series(["ok", None]), ow.InvalidInputError, "index 1 is missing"),
        (pd.Series(["ok", float("nan")]), ow.InvalidInputError, "index 1 is missing"),
        (["ok", 3], ow.InvalidTypeError, "index 1 is a int, not text"),
        ([], ow.InvalidInputError, "is empty"),
        (42, ow.InvalidTypeError, "not int"),
        ({"a": "b"}, ow.InvalidTypeError, "not dict"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), ow.InvalidInputError, "pass one column"),
    ],
)
def test_bad_inputs_are_refused_naming_the_input_before_anything_is_sent(
    client, sandbox, value, error, words
):
    with pytest.raises(error, match=words):
        client.embed(value)
    assert not sandbox.requests_to("/embeddings")


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"dimensions": 0}, ow.InvalidInputError, "dimensions must be 1 or more"),
        ({"dimensions": "64"}, ow.InvalidTypeError, "dimensions must be a whole number"),
        ({"limit": 0}, ow.InvalidInputError, "limit must be 1 or more"),
        ({"user": 7}, ow.InvalidTypeError, "user must be a string"),
        (
            {"model": ""},
            ow.InvalidInputError,
            "model is empty; pass a model ID such as 'text-embedding-3-small'",
        ),
        (
            {"model": 3},
            ow.InvalidTypeError,
            "model must be a model ID string such as 'text-embedding-3-small', not int",
        ),
        ({"max_concurrency": 5000}, ow.InvalidInputError, "between 1 and 2048"),
        ({"cache": 3}, ow.InvalidTypeError, "cache must be True, False, None or a file path"),
        ({"resume": "yes"}, ow.InvalidTypeError, "resume must be True or a DataFrame"),
    ],
)
def test_bad_options_are_refused_before_anything_is_sent(client, sandbox, options, error, words):
    with pytest.raises(error, match=words):
        client.embed("text", **options)
    assert not sandbox.requests_to("/embeddings")


def test_the_matrix_comes_back_without_a_copy_and_is_read_only(client):
    frame = client.embed([f"text {i}" for i in range(20)], dimensions=8)
    matrix = ow.as_matrix(frame)
    assert matrix.flags.c_contiguous
    assert matrix.dtype == np.float32
    assert matrix.shape == (20, 8)
    assert np.shares_memory(matrix, frame["embedding"].iloc[7])
    assert matrix is not None
    assert not matrix.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        frame["embedding"].iloc[0][0] = 1.0
    assert np.shares_memory(frame.embeddings.matrix, matrix)
    assert np.asarray(frame.embeddings).shape == (20, 8)
    assert frame.embeddings.shape == (20, 8)
    part = frame.iloc[5:9]
    assert np.shares_memory(ow.as_matrix(part), matrix)
    assert np.array_equal(ow.as_matrix(part), matrix[5:9])
    shuffled = frame.iloc[[3, 1, 2]]
    assert np.array_equal(ow.as_matrix(shuffled), matrix[[3, 1, 2]])  # reordered rows: a correct copy
    assert not np.shares_memory(ow.as_matrix(shuffled), matrix)


# -- batching limits ------------------------------------------------------------------------


def test_requests_carry_at_most_2048_inputs(client, sandbox):
    frame = client.embed([f"t{i}" for i in range(2049)], dimensions=4, progress=False)
    assert sorted(len(b["input"]) for b in bodies(sandbox)) == [1, 2048]
    assert list(frame["input"]) == [f"t{i}" for i in range(2049)]
    sandbox.clear_requests()
    client.embed([f"u{i}" for i in range(2048)], dimensions=4)
    assert [len(b["input"]) for b in bodies(sandbox)] == [2048]


def test_requests_stay_under_300k_tokens(client, sandbox):
    texts = [f"{i:05d} " + "word " * 2400 for i in range(100)]  # about 4,000 estimated tokens each
    frame = client.embed(texts, dimensions=4, progress=False)
    sizes = sorted((len(b["input"]) for b in bodies(sandbox)), reverse=True)
    assert sizes == [74, 26]
    assert len(frame) == 100
    counts, exact = _tokens.count_tokens(texts, MODEL)
    assert not exact
    assert sum(counts[:74]) <= 300_000 < sum(counts[:75])


def test_an_input_over_8192_tokens_is_refused_naming_its_index(client, sandbox):
    texts = pd.Series(["short", "x " * 15_000, "y " * 15_000], index=["a", "b", "c"])
    with pytest.raises(ow.InvalidInputError) as info:
        client.embed(texts)
    message = str(info.value)
    assert "index 'b' has 10,000 tokens (estimated" in message
    assert "8,192-token limit" in message
    assert "1 more inputs are too long" in message
    assert "chunk_long=True" in message
    assert not sandbox.requests_to("/embeddings")


def test_chunk_long_embeds_pieces_and_averages_them(client, sandbox):
    long_text = "alpha beta gamma delta " * 1400  # about 10,700 estimated tokens
    frame = client.embed(["short", long_text], dimensions=32, chunk_long=True)
    pieces = _tokens.split_text(long_text, MODEL)
    assert len(pieces) == 2
    assert "".join(p for p, _ in pieces) == long_text
    assert all(count <= 8192 for _, count in pieces)
    sent = [text for body in bodies(sandbox) for text in body["input"]]
    assert sent == ["short", pieces[0][0], pieces[1][0]]
    parts = ow.as_matrix(client.embed([p for p, _ in pieces], dimensions=32))
    weights = np.array([count for _, count in pieces], dtype=np.float32)[:, None]
    expected = (parts * weights).sum(axis=0) / weights.sum()
    expected /= np.linalg.norm(expected)
    assert np.allclose(ow.as_matrix(frame)[1], expected, atol=1e-6)


def test_tiktoken_counts_when_it_loads(monkeypatch):
    class Encoding:
        def encode_ordinary_batch(self, texts):
            return [text.split() for text in texts]

    monkeypatch.setattr(_tokens, "encoding_for", lambda model: Encoding())
    assert _tokens.count_tokens(["a b c", "d"], MODEL) == ([3, 1], True)


def test_a_tiktoken_that_cannot_load_falls_back_to_the_estimate(monkeypatch):
    monkeypatch.undo()  # the real encoding_for
    tiktoken = pytest.importorskip("tiktoken")
    monkeypatch.setattr(_tokens, "LOAD_TIMEOUT", 0.5)
    _tokens._load_encoding.cache_clear()

    def offline(name):
        raise OSError("no network")

    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    try:
        assert _tokens.count_tokens(["abcdef"], MODEL) == ([2], False)
    finally:
        _tokens._load_encoding.cache_clear()


# -- encodings -------------------------------------------------------------------------------


def test_float_lists_from_a_server_without_base64_work():
    log = []
    frame = fake_client(fake_server(encoding="float", log=log)).embed(["a", "bb", "ccc"])
    assert np.allclose(ow.as_matrix(frame), [vector_of(t) for t in ["a", "bb", "ccc"]])
    assert ow.as_matrix(frame).dtype == np.float32
    assert log[0]["encoding_format"] == "base64"


def test_base64_answers_decode_to_the_same_floats():
    frame = fake_client(fake_server(encoding="base64")).embed(["a", "bb", "ccc"])
    assert np.array_equal(
        ow.as_matrix(frame), np.asarray([vector_of(t) for t in ["a", "bb", "ccc"]], np.float32)
    )


def test_a_server_refusing_base64_is_asked_again_for_floats():
    log = []
    floats = fake_server(encoding="float", log=log)

    def picky(request):
        if json.loads(request.content).get("encoding_format") == "base64":
            error = {"message": "Unknown parameter: 'encoding_format'.", "type": "invalid_request_error"}
            return httpx.Response(400, json={"error": {**error, "param": "encoding_format", "code": None}})
        return floats(request)

    client = fake_client(picky)
    frame = client.embed([f"t{i}" for i in range(5000)], progress=False)
    assert len(frame) == 5000
    assert [body["encoding_format"] for body in log] == ["float"] * 3


def test_a_server_that_ignores_dimensions_is_named_not_followed():
    log = []
    client = fake_client(fake_server(log=log))  # it answers 8 wide whatever is asked
    with pytest.raises(ow.APIResponseValidationError) as caught:
        client.embed(["a", "bb"], dimensions=4, progress=False)
    assert log[0]["dimensions"] == 4
    message = str(caught.value)
    assert (
        "the server sent embeddings of 8 dimensions, not the 4 asked for: it ignores `dimensions`" in message
    )
    assert "Leave dimensions out to take its 8" in message
    assert len(client.embed(["a", "bb"], dimensions=8, progress=False).embeddings.matrix[0]) == 8


def test_base64_and_float_answers_of_the_sandbox_agree_and_validate(client, sandbox, spec):
    floats = client.request(
        "POST", "embeddings", body={"input": ["one", "two"], "model": MODEL, "dimensions": 8}
    )
    spec.validate_response("POST", "/embeddings", dict(floats))
    frame = client.embed(["one", "two"], dimensions=8)
    assert np.allclose(ow.as_matrix(frame), [item["embedding"] for item in floats["data"]], atol=1e-7)


# -- concurrency, order and faults -------------------------------------------------------------


def test_order_is_kept_when_later_batches_finish_first():
    texts = [f"text {i}" for i in range(6000)]
    client = fake_client(fake_server(delay=lambda batch: 0.1 if batch[0] == "text 0" else 0.0))
    frame = client.embed(texts, max_concurrency=4, progress=False)
    assert list(frame["input"]) == texts
    assert np.allclose(ow.as_matrix(frame), [vector_of(t) for t in texts])


def test_a_429_storm_is_survived_without_losing_or_repeating_rows(client, sandbox):
    texts = [f"storm {i}" for i in range(5000)]
    clean = ow.as_matrix(client.embed(texts, dimensions=8, progress=False))
    sandbox.clear_requests()
    sandbox.inject("status", path="/embeddings", times=5, status=429, retry_after_ms=30)
    frame = client.embed(texts, dimensions=8, max_concurrency=2, progress=False)
    assert frame.attrs["rate_limited"] == 5
    assert frame.attrs["requests"] == 8
    assert np.array_equal(ow.as_matrix(frame), clean)
    assert list(frame["input"]) == texts
    statuses = [r.status for r in sandbox.requests_to("/embeddings")]
    assert statuses.count(429) == 5
    assert statuses.count(200) == 3


def test_server_errors_and_dropped_connections_are_retried(client, sandbox, sleeps):
    texts = [f"fault {i}" for i in range(2000)]  # one request: its retries are the only waits
    sandbox.inject("status", path="/embeddings", times=2, status=503)
    sandbox.inject("drop", path="/embeddings", times=1)
    frame = client.embed(texts, dimensions=8, progress=False, max_retries=3)
    assert list(frame["input"]) == texts
    assert frame.attrs["requests"] == 4
    assert len(sleeps) == 3
    assert all(0 < s <= 8 for s in sleeps)


def test_a_failed_batch_keeps_the_finished_rows_and_resume_sends_only_the_rest():
    texts = [f"text {i}" for i in range(5000)]
    log = []
    client = fake_client(fake_server(fail=lambda batch: "text 4500" in batch, log=log))
    with pytest.raises(bulk.BulkError) as info:
        client.embed(texts, max_concurrency=1, progress=False)
    error = info.value
    assert isinstance(error, ow.BadRequestError)
    assert "4096 of 5000 inputs are embedded" in str(error)
    assert "resume=True" in str(error)
    partial = error.partial
    assert list(partial["input"]) == texts[:4096]
    assert list(partial.index) == list(range(4096))
    assert np.allclose(ow.as_matrix(partial), [vector_of(t) for t in texts[:4096]])

    log.clear()
    healthy = fake_client(fake_server(log=log))
    frame = healthy.embed(texts, resume=partial, progress=False)
    assert [b["input"] for b in log] == [texts[4096:]]  # only what was missing
    assert list(frame["input"]) == texts
    assert frame.attrs["reused"] == 4096
    assert np.allclose(ow.as_matrix(frame), [vector_of(t) for t in texts])


def test_an_interrupt_keeps_what_finished_and_resume_true_finishes_the_rest(client, sandbox, monkeypatch):
    texts = [f"interrupt {i}" for i in range(5000)]
    clean = ow.as_matrix(client.embed(texts, dimensions=8, progress=False))
    sandbox.clear_requests()
    calls = []
    original = _embedding_job.EmbeddingJob.collect

    def interrupted_collect(self, owners, result):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second answer is being stored
        original(self, owners, result)

    monkeypatch.setattr(_embedding_job.EmbeddingJob, "collect", interrupted_collect)
    with pytest.raises(KeyboardInterrupt) as info:
        client.embed(texts, dimensions=8, max_concurrency=1, progress=False)
    error = info.value
    assert isinstance(error, ow.BulkInterrupted)
    assert "2048 of 5000 inputs are embedded" in str(error)
    assert list(error.partial["input"]) == texts[:2048]
    monkeypatch.setattr(_embedding_job.EmbeddingJob, "collect", original)

    sandbox.clear_requests()
    frame = client.embed(texts, dimensions=8, resume=True, progress=False)
    assert sorted(len(b["input"]) for b in bodies(sandbox)) == [904, 2048]
    assert np.array_equal(ow.as_matrix(frame), clean)
    assert list(frame["input"]) == texts
    with pytest.raises(ow.InvalidInputError, match="no embed\\(\\) call stopped"):
        client.embed(texts, resume=True)


def test_resume_refuses_vectors_of_another_model_or_size(client):
    partial = client.embed(["a", "b"], dimensions=8)
    with pytest.raises(ow.InvalidInputError, match="resume with the same dimensions"):
        client.embed(["a", "b", "c"], dimensions=16, resume=partial)
    with pytest.raises(ow.InvalidInputError, match="resume with the same model"):
        client.embed(["a", "b", "c"], model="text-embedding-3-large", dimensions=8, resume=partial)


def test_module_level_embed_uses_the_default_client(connected, sandbox):
    frame = ow.embed(["module level"], dimensions=4)
    assert ow.as_matrix(frame).shape == (1, 4)
    assert len(sandbox.requests_to("/embeddings")) == 1


# -- reading answers ------------------------------------------------------------------------


def answer_bytes(vectors, *, indent=None, order=None, encoding="base64", with_object=True):
    items = []
    for index in order or range(len(vectors)):
        vector = vectors[index]
        value = (
            base64.b64encode(np.asarray(vector, "<f4").tobytes()).decode() if encoding == "base64" else vector
        )
        item = {"object": "embedding", "index": index, "embedding": value}
        if not with_object:
            del item["object"]
        items.append(item)
    body = {"object": "list", "data": items, "model": MODEL, "usage": {"prompt_tokens": 3, "total_tokens": 3}}
    return json.dumps(body, indent=indent).encode()


VECTORS = [[0.5, -1.25, 3.0], [1.0, 2.0, 4.5], [-0.75, 0.0, 8.0]]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"indent": 2},  # as OpenAI writes it
        {"order": [2, 0, 1]},
        {"with_object": False},
        {"encoding": "float"},
    ],
)
def test_answers_decode_in_index_order_whatever_their_layout(options):
    from openai_widgets._embeddings.vectors import decode_answer

    matrix, usage = decode_answer(answer_bytes(VECTORS, **options), 3)
    assert matrix.dtype == np.float32
    assert matrix.tolist() == VECTORS
    assert usage == {"prompt_tokens": 3, "total_tokens": 3}


@pytest.mark.parametrize(
    ("content", "count", "words"),
    [
        (answer_bytes(VECTORS)[:60], 3, "not valid JSON"),
        (answer_bytes(VECTORS), 2, "holds 3 items for 2 inputs"),
        (answer_bytes(VECTORS, order=[0, 0, 1]), 3, "bad or repeated index"),
        (b"[1, 2]", 1, "is a list, not an object"),
    ],
)
def test_broken_answers_are_reported(content, count, words):
    from openai_widgets._embeddings.vectors import decode_answer

    with pytest.raises(ow.APIResponseValidationError, match=words):
        decode_answer(content, count)
