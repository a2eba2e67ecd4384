"""A 404 ends with the hint that fits the call: what lists the missing thing, or that the
server does not serve the endpoint at all (named with the base URL)."""

from __future__ import annotations

import httpx
import pytest

import openai_widgets as ow
from openai_widgets._core.not_found import HINTS
from tests.conftest import TEST_KEY

BASE = "https://llm.test/v1"


def openai_404(message, *, param=None, code=None):
    return httpx.Response(
        404,
        json={"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}},
    )


def failing_with(response):
    client = ow.Client(
        api_key=TEST_KEY, base_url=BASE, max_retries=0, transport=httpx.MockTransport(lambda r: response)
    )
    return client


CASES = [
    # (what the call was, the server's answer, the hint expected)
    (
        lambda c: c.file("file-gone"),
        openai_404("No such File object: file-gone", param="id"),
        "ow.files() lists the files and their IDs.",
    ),
    (
        lambda c: c.file_content("file-gone"),
        openai_404("No such File object: file-gone"),
        "ow.files() lists the files and their IDs.",
    ),
    (
        lambda c: c.fine_tuning_job("ftjob-gone"),
        openai_404("Could not find fine-tuning job ftjob-gone.", param="fine_tuning_job_id"),
        "ow.fine_tuning_jobs() lists the fine-tuning jobs and their IDs.",
    ),
    (
        lambda c: c.cancel_fine_tuning("ftjob-gone"),
        openai_404("Not found."),  # no clue in the body: the path says it is a job
        "ow.fine_tuning_jobs() lists the fine-tuning jobs and their IDs.",
    ),
    (
        lambda c: c.batch_job("batch_gone"),
        openai_404("No batch found with id 'batch_gone'.", param="batch_id"),
        "ow.batches() lists the batches and their IDs.",
    ),
    (
        lambda c: c.cancel_batch("batch_gone"),
        openai_404("Not found."),
        "ow.batches() lists the batches and their IDs.",
    ),
    (
        lambda c: c.model("gpt-99"),
        openai_404("The model 'gpt-99' does not exist", param="model", code="model_not_found"),
        "%openai models (or ow.models()) lists the models this key can use.",
    ),
    (
        lambda c: c.chat("hi", model="gpt-99"),
        openai_404(
            "The model `gpt-99` does not exist or you do not have access to it.", code="model_not_found"
        ),
        "%openai models (or ow.models()) lists the models this key can use.",
    ),
    (
        lambda c: c.vector_store("vs_gone"),
        openai_404("No vector store found with id 'vs_gone'.", param="vector_store_id"),
        "ow.vector_stores() lists the vector stores and their IDs.",
    ),
]


@pytest.mark.parametrize(("call", "answer", "hint"), CASES)
def test_a_missing_thing_names_what_lists_those_things(call, answer, hint):
    with pytest.raises(ow.NotFoundError) as info:
        call(failing_with(answer))
    message = str(info.value)
    assert message.startswith("404 Not Found: ")
    assert hint in message
    assert "%openai models" not in message or "models this key" in hint  # no hint of another call


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (httpx.Response(404, text="Not Found"), "Not Found."),  # a plain-text server
        (httpx.Response(404, json={"detail": "Not Found"}), "{"),  # FastAPI's
        (openai_404("Invalid URL (GET /v1/files)"), "Invalid URL"),  # OpenAI's own
        (httpx.Response(404, text="<html><title>404</title></html>"), "an HTML page"),
    ],
)
def test_an_endpoint_the_server_does_not_serve_is_named_with_the_base_url(answer, shown):
    with pytest.raises(ow.NotFoundError) as info:
        failing_with(answer).files()
    message = str(info.value)
    assert shown in message
    assert f"The server at {BASE} does not serve GET /files: check the base URL" in message
    assert "ow.files() lists" not in message


def test_the_sandbox_answers_get_the_same_hints(client):
    with pytest.raises(ow.NotFoundError, match=r"ow\.files\(\) lists the files"):
        client.file("file-nothing")
    with pytest.raises(ow.NotFoundError, match=r"ow\.fine_tuning_jobs\(\) lists"):
        client.fine_tuning_job("ftjob-nothing")
    with pytest.raises(ow.NotFoundError, match=r"ow\.batches\(\) lists"):
        client.batch_job("batch_nothing")
    with pytest.raises(ow.NotFoundError, match=r"%openai models \(or ow\.models\(\)\) lists"):
        client.model("gpt-99")
    with pytest.raises(ow.NotFoundError) as info:
        client.request("GET", "no/such/endpoint")
    assert f"The server at {client.base_url} does not serve GET /no/such/endpoint" in str(info.value)


def test_a_batch_made_from_a_missing_file_is_a_missing_file(client):
    with pytest.raises(ow.NotFoundError, match=r"ow\.files\(\) lists the files"):
        client.request(
            "POST",
            "batches",
            body={"input_file_id": "file-nothing", "endpoint": "/v1/embeddings", "completion_window": "24h"},
        )


def test_every_hint_names_a_public_function_or_magic():
    for entry in HINTS:
        name = entry.hint.split("(")[0].split()[-1]
        assert name == "models" or hasattr(ow, name.removeprefix("ow.")), entry.hint
