"""The official `openai` SDK against the sandbox: every route the sandbox serves, parsed by the SDK.

The sandbox claims to speak OpenAI's API; the SDK is the most used client of that API, so
each route is called the way the SDK calls it, the SDK's typed result is checked for real
values, and the raw JSON answer is validated against the official spec as well. `ROUTES`
says which test reaches which route; `test_sdk_coverage.py` checks every route the sandbox
serves is claimed by one of the `test_*sdk*.py` modules, and conftest checks each claim.
"""

from __future__ import annotations

import base64
import io
import json
import time
from typing import Any

import openai
import pytest
from pydantic import BaseModel

from tests.support.media import encoded, mask_for, picture, tone
from tests.support.tuning import examples, jsonl

# Every route these tests reach through the SDK -> the test (see test_sdk_coverage.py).
ROUTES = {
    "GET /models": "test_models_list_and_retrieve",
    "GET /models/{model}": "test_models_list_and_retrieve",
    "DELETE /models/{model}": "test_models_delete_a_fine_tuned_model",
    "POST /chat/completions": "test_chat_whole",
    "POST /completions": "test_completions_with_echo_and_logprobs",
    "POST /embeddings": "test_embeddings_float_and_base64",
    "POST /moderations": "test_moderations",
    "POST /images/generations": "test_images_generate",
    "POST /images/edits": "test_images_edit",
    "POST /images/variations": "test_images_create_variation",
    "POST /audio/transcriptions": "test_audio_transcriptions",
    "POST /audio/translations": "test_audio_translations",
    "POST /audio/speech": "test_audio_speech",
    "POST /files": "test_files_lifecycle",
    "GET /files": "test_files_lifecycle",
    "GET /files/{file_id}": "test_files_lifecycle",
    "GET /files/{file_id}/content": "test_files_lifecycle",
    "DELETE /files/{file_id}": "test_files_lifecycle",
    "POST /fine_tuning/jobs": "test_fine_tuning_job_lifecycle",
    "GET /fine_tuning/jobs": "test_fine_tuning_job_lifecycle",
    "GET /fine_tuning/jobs/{job_id}": "test_fine_tuning_job_lifecycle",
    "GET /fine_tuning/jobs/{job_id}/events": "test_fine_tuning_job_lifecycle",
    "GET /fine_tuning/jobs/{job_id}/checkpoints": "test_fine_tuning_job_lifecycle",
    "POST /fine_tuning/jobs/{job_id}/cancel": "test_fine_tuning_cancel",
    "POST /batches": "test_batches_lifecycle",
    "GET /batches": "test_batches_lifecycle",
    "GET /batches/{batch_id}": "test_batches_lifecycle",
    "POST /batches/{batch_id}/cancel": "test_batches_cancel",
}


@pytest.fixture
def quick(sandbox):
    """Fine-tuning jobs take 0.3 s and batches 0.2 s in this test."""
    jobs, batches = sandbox.job_seconds, sandbox.batch_seconds
    sandbox.job_seconds, sandbox.batch_seconds = 0.3, 0.2
    yield sandbox
    sandbox.job_seconds, sandbox.batch_seconds = jobs, batches


def checked(spec, raw, schema: str | None = None) -> Any:
    """The SDK's parsed result of a `with_raw_response` call, after the raw JSON passed the spec.

    `schema` names a components/schemas entry to check against instead of the operation's
    answer, where the spec's oneOf cannot tell the answer's kind (verbose transcripts).
    """
    http = raw.http_response
    if schema:
        spec.validate_schema(schema, http.json())
    else:
        path = http.request.url.path.removeprefix("/v1")
        spec.validate_response(http.request.method, path, http.json(), status=http.status_code)
    return raw.parse()


def until(fetch, done, seconds: float = 5.0):
    """Poll `fetch()` until `done(result)`, for sandbox jobs that follow the clock."""
    deadline = time.monotonic() + seconds
    while True:
        result = fetch()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


# -- models ----------------------------------------------------------------------------------


def test_models_list_and_retrieve(sdk, spec):
    page = checked(spec, sdk.models.with_raw_response.list())
    ids = [model.id for model in page]
    assert {"gpt-4o-mini", "text-embedding-3-small", "whisper-1", "dall-e-3"} <= set(ids)
    assert all(isinstance(model.created, int) and model.owned_by for model in page)
    model = checked(spec, sdk.models.with_raw_response.retrieve("gpt-4o-mini"))
    assert (model.id, model.object, model.created) == ("gpt-4o-mini", "model", 1721172741)
    with pytest.raises(openai.NotFoundError) as info:
        sdk.models.retrieve("no-such-model")
    assert info.value.status_code == 404
    assert "no-such-model" in info.value.message


def test_models_delete_a_fine_tuned_model(sdk, spec, quick):
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload_training(sdk).id)
    job = until(lambda: sdk.fine_tuning.jobs.retrieve(job.id), lambda j: j.status == "succeeded")
    assert job.fine_tuned_model.startswith("ft:gpt-4o-mini")
    assert job.fine_tuned_model in {model.id for model in sdk.models.list()}
    deleted = checked(spec, sdk.models.with_raw_response.delete(job.fine_tuned_model))
    assert (deleted.id, deleted.deleted) == (job.fine_tuned_model, True)
    assert job.fine_tuned_model not in {model.id for model in sdk.models.list()}
    with pytest.raises(openai.PermissionDeniedError) as info:
        sdk.models.delete("gpt-4o")
    assert info.value.code == "model_not_deletable"


# -- chat ------------------------------------------------------------------------------------

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}


class Weather(BaseModel):
    city: str
    days: int


def test_chat_whole(sdk, spec, sandbox):
    completion = checked(
        spec,
        sdk.chat.completions.with_raw_response.create(
            model="gpt-4o-mini",
            messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}],
            n=2,
            max_completion_tokens=200,
        ),
    )
    assert completion.object == "chat.completion"
    assert [choice.index for choice in completion.choices] == [0, 1]
    first = completion.choices[0]
    assert first.message.role == "assistant"
    assert first.message.content.startswith("[sandbox]")
    assert "Hello there" in first.message.content
    assert first.finish_reason == "stop"
    usage = completion.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0
    assert sandbox.requests_to("/chat/completions")[-1].json()["n"] == 2


def test_chat_stream_with_usage(sdk, sandbox):
    whole = sdk.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Stream this reply"}]
    )
    stream = sdk.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Stream this reply"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert len(chunks) > 3
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert len({chunk.id for chunk in chunks}) == 1
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    finishing = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishing == ["stop"]
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert sandbox.requests_to("/chat/completions")[-1].stream_completed is True


def test_chat_stream_helper_assembles_the_final_completion(sdk):
    with sdk.chat.completions.stream(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Assemble me"}]
    ) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta"]
        final = stream.get_final_completion()
    assert "".join(deltas) == final.choices[0].message.content
    assert final.choices[0].message.content.startswith("[sandbox]")


def test_chat_with_tools(sdk, spec):
    completion = checked(
        spec,
        sdk.chat.completions.with_raw_response.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Weather in Paris for 3 days?"}],
            tools=[WEATHER],
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
        ),
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.type == "function" and call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    assert set(arguments) == {"city", "days"}
    assert isinstance(arguments["city"], str) and isinstance(arguments["days"], int)

    # The tool's result goes back; the model then answers in text.
    answer = sdk.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "user", "content": "Weather in Paris for 3 days?"},
            choice.message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
        ],
        tools=[WEATHER],
    )
    assert answer.choices[0].finish_reason == "stop"
    assert answer.choices[0].message.content


def test_chat_streamed_tool_call_and_parsed_arguments(sdk):
    with sdk.chat.completions.stream(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Weather in Oslo?"}],
        tools=[openai.pydantic_function_tool(Weather, name="get_weather")],
    ) as stream:
        final = stream.get_final_completion()
    (call,) = final.choices[0].message.tool_calls
    assert call.function.name == "get_weather"
    assert isinstance(call.function.parsed_arguments, Weather)


def test_chat_response_format_json_schema(sdk, spec):
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "score": {"type": "number"},
        },
        "required": ["name", "tags", "score"],
        "additionalProperties": False,
    }
    completion = checked(
        spec,
        sdk.chat.completions.with_raw_response.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Describe a cat"}],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "card", "schema": schema, "strict": True},
            },
        ),
    )
    card = json.loads(completion.choices[0].message.content)
    assert set(card) == {"name", "tags", "score"}
    assert isinstance(card["tags"], list) and isinstance(card["score"], (int, float))


def test_chat_parse_into_a_pydantic_model(sdk):
    completion = sdk.chat.completions.parse(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Weather in Rome"}],
        response_format=Weather,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Weather)
    assert isinstance(parsed.city, str) and isinstance(parsed.days, int)


def test_chat_logprobs(sdk, spec):
    completion = checked(
        spec,
        sdk.chat.completions.with_raw_response.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Count tokens"}],
            logprobs=True,
            top_logprobs=3,
        ),
    )
    choice = completion.choices[0]
    tokens = choice.logprobs.content
    assert "".join(token.token for token in tokens) == choice.message.content
    assert all(token.logprob <= 0 and len(token.top_logprobs) == 3 for token in tokens)
    assert all(token.top_logprobs[0].token == token.token for token in tokens)


# -- completions -----------------------------------------------------------------------------


def test_completions_with_echo_and_logprobs(sdk, spec):
    completion = checked(
        spec,
        sdk.completions.with_raw_response.create(
            model="gpt-3.5-turbo-instruct", prompt="Once upon a time", echo=True, logprobs=2, max_tokens=8
        ),
    )
    (choice,) = completion.choices
    assert completion.object == "text_completion"
    assert choice.text.startswith("Once upon a time")
    assert choice.finish_reason in {"stop", "length"}
    logprobs = choice.logprobs
    assert "".join(logprobs.tokens) == choice.text  # the echoed prompt's tokens included
    assert [
        choice.text[at : at + len(token)]
        for at, token in zip(logprobs.text_offset, logprobs.tokens, strict=True)
    ] == (logprobs.tokens)
    assert len(logprobs.token_logprobs) == len(logprobs.tokens)
    assert all(len(top) <= 3 for top in logprobs.top_logprobs if top)  # up to logprobs + 1
    assert completion.usage.completion_tokens <= 8 + completion.usage.prompt_tokens


def test_completions_stream(sdk):
    whole = sdk.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi", max_tokens=12)
    chunks = list(
        sdk.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi", max_tokens=12, stream=True)
    )
    assert "".join(c.choices[0].text for c in chunks if c.choices) == whole.choices[0].text
    assert whole.choices[0].text


# -- embeddings ------------------------------------------------------------------------------


def test_embeddings_float_and_base64(sdk, spec, sandbox):
    texts = ["the cat sat", "a dog ran"]
    floats = checked(
        spec,
        sdk.embeddings.with_raw_response.create(
            model="text-embedding-3-small", input=texts, encoding_format="float", dimensions=256
        ),
    )
    assert [item.index for item in floats.data] == [0, 1]
    assert all(len(item.embedding) == 256 for item in floats.data)
    assert floats.usage.prompt_tokens > 0

    # The spec describes only float vectors, so the base64 answer is not checked against it.
    explicit = sdk.embeddings.create(
        model="text-embedding-3-small", input=texts, encoding_format="base64", dimensions=256
    )
    import numpy as np

    decoded = [np.frombuffer(base64.b64decode(item.embedding), dtype="<f4") for item in explicit.data]
    for row, item in zip(decoded, floats.data, strict=True):
        np.testing.assert_allclose(row, item.embedding, rtol=1e-6)

    # With no encoding_format the SDK asks for base64 itself and hands back floats.
    default = sdk.embeddings.create(model="text-embedding-3-small", input=texts, dimensions=256)
    assert sandbox.requests_to("/embeddings")[-1].json()["encoding_format"] == "base64"
    np.testing.assert_allclose(default.data[1].embedding, floats.data[1].embedding, rtol=1e-6)


# -- moderations -----------------------------------------------------------------------------


def test_moderations(sdk, spec):
    answer = checked(
        spec,
        sdk.moderations.with_raw_response.create(
            model="omni-moderation-latest", input=["I will kill you", "What a lovely day"]
        ),
    )
    assert answer.model == "omni-moderation-latest"
    violent, calm = answer.results
    assert violent.flagged is True and violent.categories.violence is True
    assert violent.category_scores.violence > 0.5
    assert calm.flagged is False and not any(calm.categories.model_dump().values())
    assert violent.category_applied_input_types.violence == ["text"]


# -- images ----------------------------------------------------------------------------------


def open_b64(data: str):
    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(data)))


def test_images_generate(sdk, spec):
    made = checked(
        spec,
        sdk.images.with_raw_response.generate(
            model="dall-e-2", prompt="a red fox", n=2, size="256x256", response_format="b64_json"
        ),
    )
    assert len(made.data) == 2
    assert all(open_b64(item.b64_json).size == (256, 256) for item in made.data)

    linked = sdk.images.generate(model="dall-e-3", prompt="a red fox", response_format="url")
    (item,) = linked.data
    assert item.revised_prompt == "[sandbox] a red fox"
    import httpx
    from PIL import Image

    fetched = httpx.get(item.url, timeout=10)
    assert fetched.status_code == 200
    assert Image.open(io.BytesIO(fetched.content)).size == (1024, 1024)


def test_images_edit(sdk, spec):
    image = encoded(picture((64, 64), hole=(8, 8, 40, 40)))
    edited = checked(
        spec,
        sdk.images.with_raw_response.edit(
            model="dall-e-2",
            image=("cat.png", image, "image/png"),
            prompt="add a hat",
            size="256x256",
            response_format="b64_json",
        ),
    )
    assert open_b64(edited.data[0].b64_json).size == (256, 256)

    with_mask = sdk.images.edit(
        model="gpt-image-1",
        image=[("a.png", encoded(picture())), ("b.png", encoded(picture(color=(9, 9, 9, 255))))],
        mask=("mask.png", encoded(mask_for())),
        prompt="merge them",
        size="1024x1024",
    )
    assert open_b64(with_mask.data[0].b64_json).size == (1024, 1024)


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # newer SDKs deprecate it
def test_images_create_variation(sdk, spec):
    varied = checked(
        spec,
        sdk.images.with_raw_response.create_variation(
            image=("fox.png", encoded(picture((64, 64), mode="RGB")), "image/png"),
            n=2,
            size="256x256",
            response_format="b64_json",
        ),
    )
    assert [open_b64(item.b64_json).size for item in varied.data] == [(256, 256), (256, 256)]


# -- audio -----------------------------------------------------------------------------------


def test_audio_transcriptions(sdk, spec):
    sound = ("tone.wav", tone(2.0), "audio/wav")
    plain = checked(spec, sdk.audio.transcriptions.with_raw_response.create(model="whisper-1", file=sound))
    assert plain.text.startswith("[sandbox]")

    verbose = checked(
        spec,
        sdk.audio.transcriptions.with_raw_response.create(
            model="whisper-1",
            file=sound,
            response_format="verbose_json",
            timestamp_granularities=["word", "segment"],
            language="en",
        ),
        schema="CreateTranscriptionResponseVerboseJson",
    )
    assert verbose.language == "english"
    assert verbose.duration == pytest.approx(2.0, abs=0.05)
    assert verbose.segments and verbose.words
    assert verbose.segments[-1].end <= verbose.duration + 1e-6

    text = sdk.audio.transcriptions.create(model="whisper-1", file=sound, response_format="text")
    assert isinstance(text, str) and text.strip() == plain.text


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # newer SDKs deprecate it
def test_audio_translations(sdk, spec):
    translated = checked(
        spec,
        sdk.audio.translations.with_raw_response.create(
            model="whisper-1", file=("tone.wav", tone(1.0), "audio/wav")
        ),
    )
    assert translated.text.startswith("[sandbox] English translation:")
    srt = sdk.audio.translations.create(
        model="whisper-1", file=("tone.wav", tone(1.0), "audio/wav"), response_format="srt"
    )
    assert isinstance(srt, str) and "-->" in srt


def test_audio_speech(sdk):
    import wave

    speech = sdk.audio.speech.create(model="tts-1", voice="alloy", input="Hello there", response_format="wav")
    audio = speech.read()
    assert audio[:4] == b"RIFF"
    with wave.open(io.BytesIO(audio)) as reader:
        assert reader.getnframes() > 0
    with sdk.audio.speech.with_streaming_response.create(
        model="gpt-4o-mini-tts", voice="coral", input="Streamed", response_format="mp3"
    ) as response:
        assert response.headers["content-type"] == "audio/mpeg"
        assert len(b"".join(response.iter_bytes())) > 0


# -- files -----------------------------------------------------------------------------------


def upload_training(sdk):
    return sdk.files.create(file=("train.jsonl", jsonl(examples(12))), purpose="fine-tune")


def test_files_lifecycle(sdk, spec):
    content = jsonl(examples(12))
    made = checked(
        spec, sdk.files.with_raw_response.create(file=("train.jsonl", content), purpose="fine-tune")
    )
    assert (made.filename, made.bytes, made.purpose) == ("train.jsonl", len(content), "fine-tune")
    others = [sdk.files.create(file=(f"n{i}.txt", b"x"), purpose="user_data") for i in range(3)]

    listed = checked(spec, sdk.files.with_raw_response.list(purpose="fine-tune"))
    assert made.id in {item.id for item in listed}
    # The SDK walks the pages itself (after = the last ID of a page).
    walked = [item.id for item in sdk.files.list(purpose="user_data", limit=1, order="asc")]
    assert walked[-3:] == [item.id for item in others]

    fetched = checked(spec, sdk.files.with_raw_response.retrieve(made.id))
    assert fetched.id == made.id and fetched.status == "processed"
    assert sdk.files.content(made.id).read() == content

    gone = checked(spec, sdk.files.with_raw_response.delete(made.id))
    assert (gone.id, gone.deleted) == (made.id, True)
    with pytest.raises(openai.NotFoundError):
        sdk.files.retrieve(made.id)
    for item in others:
        sdk.files.delete(item.id)


# -- fine-tuning -----------------------------------------------------------------------------


def test_fine_tuning_job_lifecycle(sdk, spec, quick):
    training = upload_training(sdk)
    job = checked(
        spec,
        sdk.fine_tuning.jobs.with_raw_response.create(
            model="gpt-4o-mini",
            training_file=training.id,
            suffix="compat",
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
        ),
    )
    assert job.status in {"validating_files", "queued", "running"}
    assert job.training_file == training.id

    listed = checked(spec, sdk.fine_tuning.jobs.with_raw_response.list(limit=5))
    assert listed.data[0].id == job.id
    walked = [item.id for item in sdk.fine_tuning.jobs.list(limit=1)]  # the SDK follows `after`
    assert walked[0] == job.id and len(walked) == len(set(walked)) >= 1

    done = until(lambda: sdk.fine_tuning.jobs.retrieve(job.id), lambda j: j.status == "succeeded")
    assert done.status == "succeeded"
    checked(spec, sdk.fine_tuning.jobs.with_raw_response.retrieve(job.id))
    assert done.fine_tuned_model.startswith("ft:gpt-4o-mini") and "compat" in done.fine_tuned_model
    assert done.hyperparameters.n_epochs == 2 and done.result_files

    events = checked(spec, sdk.fine_tuning.jobs.with_raw_response.list_events(job.id, limit=100))
    messages = [event.message for event in events.data]
    assert any("succeeded" in message.lower() or "completed" in message.lower() for message in messages)
    walked = list(sdk.fine_tuning.jobs.list_events(job.id, limit=2))
    assert [event.id for event in walked] == [event.id for event in events.data]

    checkpoints = checked(spec, sdk.fine_tuning.jobs.checkpoints.with_raw_response.list(job.id))
    assert checkpoints.data
    assert all(point.fine_tuning_job_id == job.id for point in checkpoints.data)
    assert all(point.metrics.step == point.step_number for point in checkpoints.data)


def test_fine_tuning_cancel(sdk, spec, sandbox):
    before, sandbox.job_seconds = sandbox.job_seconds, 30  # still running when cancelled
    try:
        job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=upload_training(sdk).id)
        cancelled = checked(spec, sdk.fine_tuning.jobs.with_raw_response.cancel(job.id))
    finally:
        sandbox.job_seconds = before
    assert cancelled.id == job.id and cancelled.status == "cancelled"
    with pytest.raises(openai.BadRequestError) as info:
        sdk.fine_tuning.jobs.cancel(job.id)
    assert "cancelled" in info.value.message


# -- batches ---------------------------------------------------------------------------------


def batch_file(sdk, count: int = 3):
    lines = [
        {
            "custom_id": f"row-{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Row {i}"}]},
        }
        for i in range(count)
    ]
    return sdk.files.create(file=("batch.jsonl", jsonl(lines)), purpose="batch")


def test_batches_lifecycle(sdk, spec, quick):
    batch = checked(
        spec,
        sdk.batches.with_raw_response.create(
            input_file_id=batch_file(sdk).id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
            metadata={"run": "compat"},
        ),
    )
    assert batch.status == "validating" and batch.metadata == {"run": "compat"}

    done = until(lambda: sdk.batches.retrieve(batch.id), lambda b: b.status == "completed")
    checked(spec, sdk.batches.with_raw_response.retrieve(batch.id))
    assert done.status == "completed"
    assert (done.request_counts.total, done.request_counts.completed) == (3, 3)
    output = [json.loads(line) for line in sdk.files.content(done.output_file_id).text.splitlines()]
    assert [row["custom_id"] for row in output] == ["row-0", "row-1", "row-2"]
    assert output[1]["response"]["body"]["choices"][0]["message"]["content"].startswith("[sandbox]")

    listed = checked(spec, sdk.batches.with_raw_response.list(limit=10))
    assert batch.id in {item.id for item in listed.data}
    walked = [item.id for item in sdk.batches.list(limit=1)]
    assert walked[0] == batch.id and len(walked) == len(set(walked))


def test_batches_cancel(sdk, spec, sandbox):
    before, sandbox.batch_seconds = sandbox.batch_seconds, 30  # still in progress when cancelled
    try:
        batch = sdk.batches.create(
            input_file_id=batch_file(sdk).id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        cancelling = checked(spec, sdk.batches.with_raw_response.cancel(batch.id))
    finally:
        sandbox.batch_seconds = before
    assert cancelling.id == batch.id and cancelling.status == "cancelling"
