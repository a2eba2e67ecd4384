"""Across every area: a wrong type is InvalidTypeError, a wrong value InvalidInputError, nothing sent.

The same mistake (a number for a text, True for a number, 2.5 for a count, an empty
text, a number out of range) gets the same error class in every public function, with
the message style of openai_widgets/_core/arguments.py.
"""

from __future__ import annotations

import inspect
import re
import typing

import pandas as pd
import pytest

import openai_widgets as ow
from tests.support.media import picture, tone
from tests.support.tuning import examples

pytestmark = pytest.mark.filterwarnings("ignore:complete\\(\\) uses:DeprecationWarning")

WAV = tone(0.2)
TEXTS = pd.Series(["a", "b"])

TYPE_MISTAKES = {
    # a number where a text goes
    "chat messages": lambda c: c.chat(42),
    "complete prompt": lambda c: c.complete(42),
    "edit input": lambda c: c.edit(42, "Fix it"),
    "edit instruction": lambda c: c.edit("text", 42),
    "moderate input": lambda c: c.moderate(42),
    "embed input": lambda c: c.embed(42),
    "chat_map template": lambda c: c.chat_map(TEXTS, 42),
    "chat_map system": lambda c: c.chat_map(TEXTS, "{}", system=42),
    "generate_images prompt": lambda c: c.generate_images(42),
    "speak text": lambda c: c.speak(42),
    "transcribe prompt": lambda c: c.transcribe(WAV, prompt=42),
    "transcribe language": lambda c: c.transcribe(WAV, language=42),
    "embed user": lambda c: c.embed("a", user=42),
    "files purpose": lambda c: c.files(purpose=42),
    "upload_file purpose": lambda c: c.upload_file(b"x", 42),
    "upload_file filename": lambda c: c.upload_file(b"x", "batch", filename=42),
    "fine_tune suffix": lambda c: c.fine_tune(examples(10), suffix=42),
    "request method": lambda c: c.request(42, "models"),
    "batch endpoint": lambda c: c.batch([{}], 42),
    "respond input": lambda c: c.respond(42),
    "respond instructions": lambda c: c.respond("hi", instructions=42),
    "respond_map template": lambda c: c.respond_map(TEXTS, 42),
    "respond text_format": lambda c: c.respond("hi", text_format=42),
    "respond reasoning": lambda c: c.respond("hi", reasoning=42),
    "respond confirm": lambda c: c.respond("hi", confirm="ask"),
    "respond vector_store_ids": lambda c: c.respond("hi", vector_store_ids=42),
    "count_input_tokens input": lambda c: c.count_input_tokens(42),
    "create_conversation metadata": lambda c: c.create_conversation(metadata={"a": 1}),
    # a number where a model ID goes
    "chat model": lambda c: c.chat("hi", 42),
    "embed model": lambda c: c.embed("hi", 42),
    "moderate model": lambda c: c.moderate("hi", 42),
    "chat_map model": lambda c: c.chat_map(TEXTS, "{}", 42),
    "generate_images model": lambda c: c.generate_images("a fox", 42),
    "transcribe model": lambda c: c.transcribe(WAV, 42),
    "speak model": lambda c: c.speak("hi", 42),
    "fine_tune model": lambda c: c.fine_tune(examples(10), 42),
    "respond model": lambda c: c.respond("hi", 42),
    "respond_map model": lambda c: c.respond_map(TEXTS, "{}", 42),
    # a number where an ID goes
    "model id": lambda c: c.model(42),
    "file id": lambda c: c.file(42),
    "batch_job id": lambda c: c.batch_job(42),
    "cancel_batch id": lambda c: c.cancel_batch(42),
    "fine_tuning_job id": lambda c: c.fine_tuning_job(42),
    "fine_tuning_events id": lambda c: c.fine_tuning_events(42),
    "delete_model id": lambda c: c.delete_model(42),
    "batch_results ids": lambda c: c.batch_results([42]),
    "response id": lambda c: c.response(42),
    "cancel_response id": lambda c: c.cancel_response(42),
    "conversation id": lambda c: c.conversation(42),
    "conversation_items id": lambda c: c.conversation_items(42),
    "respond conversation": lambda c: c.respond("hi", conversation=42),
    "respond previous_response_id": lambda c: c.respond("hi", previous_response_id=42),
    # True where a number goes
    "chat temperature": lambda c: c.chat("hi", temperature=True),
    "embed dimensions": lambda c: c.embed("a", dimensions=True),
    "embed max_concurrency": lambda c: c.embed("a", max_concurrency=True),
    "moderate max_retries": lambda c: c.moderate("a", max_retries=True),
    "chat_map requests_per_minute": lambda c: c.chat_map(TEXTS, "{}", requests_per_minute=True),
    "moderate tokens_per_minute": lambda c: c.moderate("a", tokens_per_minute=True),
    "generate_images n": lambda c: c.generate_images("a fox", n=True),
    "batches limit": lambda c: c.batches(limit=True),
    "transcribe limit": lambda c: c.transcribe(WAV, limit=True),
    "transcribe temperature": lambda c: c.transcribe(WAV, temperature=True),
    "speak speed": lambda c: c.speak("hi", speed=True),
    "fine_tune seed": lambda c: c.fine_tune(examples(10), seed=True),
    "fine_tuning_events poll_interval": lambda c: c.fine_tuning_events("ftjob-x", poll_interval=True),
    "batch poll_interval": lambda c: c.batch([{}], "/v1/embeddings", poll_interval=True),
    "search k": lambda c: c.search(pd.DataFrame({"embedding": []}), "q", k=True),
    "similarity k": lambda c: c.similarity(["a", "b"], k="2"),
    "respond max_tool_rounds": lambda c: c.respond("hi", max_tool_rounds=True),
    "respond_map max_concurrency": lambda c: c.respond_map(TEXTS, "{}", max_concurrency=True),
    "response_input_items limit": lambda c: c.response_input_items("resp_x", limit=True),
    "client timeout": lambda c: ow.Client(api_key="sk-x", timeout=True),
    "client max_retries": lambda c: c.with_options(max_retries=True),
    # a float where a whole number goes
    "chat n": lambda c: c.chat("hi", n=1.5),
    "embed limit": lambda c: c.embed(["a", "b"], limit=1.5),
    "moderate max_concurrency": lambda c: c.moderate("a", max_concurrency=2.5),
    "chat_map max_retries": lambda c: c.chat_map(TEXTS, "{}", max_retries=1.5),
    "images n": lambda c: c.generate_images("a fox", n=1.5),
    "hyperparameter n_epochs": lambda c: c.fine_tune(examples(10), hyperparameters={"n_epochs": 2.5}),
    # a text where a flag goes
    "file_content as_frame": lambda c: c.file_content("file-x", as_frame="yes"),
    "batch wait": lambda c: c.batch([{}], "/v1/embeddings", wait="no"),
    "embed batch": lambda c: c.embed("a", batch="yes"),
    "chat_map batch": lambda c: c.chat_map(TEXTS, "{}", batch="yes"),
    "respond_map batch": lambda c: c.respond_map(TEXTS, "{}", batch="yes"),
    "respond stream": lambda c: c.respond("hi", stream="yes"),
    "respond background": lambda c: c.respond("hi", background="yes"),
    "respond store": lambda c: c.respond("hi", store="no"),
    "moderate progress": lambda c: c.moderate("a", progress="yes"),
    "fine_tuning_events follow": lambda c: c.fine_tuning_events("ftjob-x", follow="yes"),
    # other shapes
    "chat_map rows": lambda c: c.chat_map(["a"], "{}"),
    "respond_map rows": lambda c: c.respond_map(["a"], "{}"),
    "batch requests": lambda c: c.batch("a request", "/v1/embeddings"),
    "moderate resume": lambda c: c.moderate("a", resume="yes"),
    "embed resume": lambda c: c.embed("a", resume="yes"),
    "search frame": lambda c: c.search([[0.1]], "q"),
    "custom header value": lambda c: c.request("GET", "models", headers={"X-A": None}),
}

VALUE_MISTAKES = {
    # an empty text
    "chat messages": lambda c: c.chat(""),
    "complete prompt": lambda c: c.complete("  "),
    "edit input": lambda c: c.edit("", "Fix it"),
    "embed input": lambda c: c.embed(""),
    "chat_map template": lambda c: c.chat_map(TEXTS, " "),
    "generate_images prompt": lambda c: c.generate_images(""),
    "speak text": lambda c: c.speak(" "),
    "files purpose": lambda c: c.files(purpose=""),
    "upload_file filename": lambda c: c.upload_file(b"x", "batch", filename=" "),
    "fine_tune suffix": lambda c: c.fine_tune(examples(10), suffix=""),
    # an empty model ID
    "chat model": lambda c: c.chat("hi", " "),
    "respond model": lambda c: c.respond("hi", " "),
    "respond input": lambda c: c.respond(" "),
    "respond instructions": lambda c: c.respond("hi", instructions=" "),
    "respond_map template": lambda c: c.respond_map(TEXTS, ""),
    "respond text_format": lambda c: c.respond("hi", text_format={"type": "array"}),
    "respond tools": lambda c: c.respond("hi", tools=["teleport"]),
    "respond reasoning": lambda c: c.respond("hi", reasoning="extreme"),
    "respond max_tool_rounds": lambda c: c.respond("hi", max_tool_rounds=101),
    "respond temperature": lambda c: c.respond("hi", temperature=3),
    "respond both threads": lambda c: c.respond("hi", conversation="conv_1", previous_response_id="resp_1"),
    "conversation id": lambda c: c.conversation(" "),
    "update_conversation metadata": lambda c: c.update_conversation("conv_1", None),
    "add_conversation_items items": lambda c: c.add_conversation_items("conv_1", []),
    "embed model": lambda c: c.embed("hi", ""),
    "moderate model": lambda c: c.moderate("hi", ""),
    "generate_images model": lambda c: c.generate_images("a fox", ""),
    "speak model": lambda c: c.speak("hi", ""),
    # an empty ID
    "model id": lambda c: c.model(""),
    "file id": lambda c: c.file(" "),
    "batch_job id": lambda c: c.batch_job(""),
    "fine_tuning_job id": lambda c: c.fine_tuning_job(""),
    "batch_results ids": lambda c: c.batch_results([]),
    # a number out of range
    "chat temperature": lambda c: c.chat("hi", temperature=3),
    "embed dimensions": lambda c: c.embed("a", dimensions=0),
    "embed limit": lambda c: c.embed(["a"], limit=0),
    "moderate max_concurrency": lambda c: c.moderate("a", max_concurrency=0),
    "chat_map max_retries": lambda c: c.chat_map(TEXTS, "{}", max_retries=-1),
    "embed requests_per_minute": lambda c: c.embed("a", requests_per_minute=0),
    "batches limit": lambda c: c.batches(limit=0),
    "transcribe limit": lambda c: c.transcribe([WAV], limit=0),
    "transcribe temperature": lambda c: c.transcribe(WAV, temperature=3),
    "speak speed": lambda c: c.speak("hi", speed=10),
    "generate_images n": lambda c: c.generate_images("a fox", n=0),
    "fine_tune seed": lambda c: c.fine_tune(examples(10), seed=-1),
    "fine_tuning_events poll_interval": lambda c: c.fine_tuning_events("ftjob-x", poll_interval=0),
    "watch_fine_tuning poll_interval": lambda c: c.watch_fine_tuning("ftjob-x", poll_interval=-1),
    "batch poll_interval": lambda c: c.batch([{}], "/v1/embeddings", poll_interval=0),
    "client timeout": lambda c: ow.Client(api_key="sk-x", timeout=0),
    "client max_retries": lambda c: c.with_options(max_retries=-1),
    # a text that is not one of the choices
    "upload_file purpose": lambda c: c.upload_file(b"x", "nope"),
    "request method": lambda c: c.request("FETCH", "models"),
    "batch endpoint": lambda c: c.batch([{}], "/v1/nope"),
    "speak voice": lambda c: c.speak("hi", voice="nobody"),
    "speak voice as model": lambda c: c.speak("hi", "nova"),
    "transcribe language": lambda c: c.transcribe(WAV, language="English"),
    "transcribe response_format": lambda c: c.transcribe(WAV, response_format="html"),
    "images size": lambda c: c.generate_images("a fox", size="huge"),
    "image_variations images": lambda c: c.image_variations([picture(), picture()]),
    # values missing or misplaced in a collection
    "moderate missing text": lambda c: c.moderate(["a", None]),
    "embed missing text": lambda c: c.embed(["a", None]),
    "chat_map unknown column": lambda c: c.chat_map(pd.DataFrame({"text": ["a"]}), "{txt}"),
    "search frame without embeddings": lambda c: c.search(pd.DataFrame({"a": [1]}), "q"),
    "search k": lambda c: c.search(pd.DataFrame({"embedding": []}), "q", k=0),
    "similarity k": lambda c: c.similarity(["a", "b"], k=0),
}


def refused(sandbox, client, call, error):
    sandbox.clear_requests()
    with pytest.raises(error) as info:
        call(client)
    message = str(info.value)
    assert message and "\n" not in message, message
    assert sandbox.requests == [], f"a request was sent for bad input: {sandbox.requests[0].path}"
    return info.value


@pytest.mark.parametrize("call", list(TYPE_MISTAKES.values()), ids=list(TYPE_MISTAKES))
def test_a_wrong_type_is_an_invalid_type_error(client, sandbox, call):
    error = refused(sandbox, client, call, ow.InvalidTypeError)
    assert not isinstance(error, ValueError)
    assert re.search(r" must be .+, not [\w.]+", str(error)), str(error)  # "<name> must be ..., not <type>"


@pytest.mark.parametrize("call", list(VALUE_MISTAKES.values()), ids=list(VALUE_MISTAKES))
def test_a_wrong_value_is_an_invalid_input_error(client, sandbox, call):
    error = refused(sandbox, client, call, ow.InvalidInputError)
    assert not isinstance(error, TypeError)


def test_out_of_range_numbers_say_the_range_and_the_value(client, sandbox):
    cases = {
        "temperature must be between 0 and 2, got 3": VALUE_MISTAKES["chat temperature"],
        "dimensions must be 1 or more, got 0": VALUE_MISTAKES["embed dimensions"],
        "max_concurrency must be between 1 and 2048, got 0": VALUE_MISTAKES["moderate max_concurrency"],
        "max_retries must be 0 or more, got -1": VALUE_MISTAKES["chat_map max_retries"],
        "limit must be 1 or more, got 0": VALUE_MISTAKES["batches limit"],
        "seed must be between 0 and 2147483647, got -1": VALUE_MISTAKES["fine_tune seed"],
        "poll_interval must be more than 0 seconds, got 0": VALUE_MISTAKES["batch poll_interval"],
        "timeout must be more than 0 seconds, got 0": VALUE_MISTAKES["client timeout"],
    }
    for message, call in cases.items():
        assert message in str(refused(sandbox, client, call, ow.InvalidInputError))


def test_a_voice_passed_where_the_model_goes_is_explained(client, sandbox):
    error = refused(sandbox, client, VALUE_MISTAKES["speak voice as model"], ow.InvalidInputError)
    assert str(error) == "model 'nova' is a voice; pass it as voice='nova'"


# -- the shape of every signature ----------------------------------------------------------------

# The inputs each function takes before `model` (or instead of it), by position.
INPUTS = {
    "batch": ["requests", "endpoint"],
    "chat_map": ["rows", "template"],
    "edit": ["input", "instruction"],
    "edit_image": ["image", "prompt", "mask"],
    "request": ["method", "path"],
    "search": ["frame", "query"],
    "similarity": ["a", "b"],
    "upload_file": ["file", "purpose"],
    # the vector store functions, as DESIGN.md writes them: the IDs, then what they act on
    "create_vector_store": ["name", "files"],
    "add_vector_store_files": ["vector_store_id", "files"],
    "search_vector_store": ["vector_store_id", "query"],
    "vector_store_file_content": ["vector_store_id", "file_id"],
    "update_vector_store_file": ["vector_store_id", "file_id", "attributes"],
    "delete_vector_store_file": ["vector_store_id", "file_id"],
    # evals, graders, checkpoints, stored completions, usage, as DESIGN.md writes them
    "create_eval": ["name", "data"],
    "run_eval": ["eval_id", "data"],
    "compare_models": ["data", "models", "template", "criteria"],
    "eval_run": ["eval_id", "run_id"],
    "cancel_eval_run": ["eval_id", "run_id"],
    "delete_eval_run": ["eval_id", "run_id"],
    "eval_results": ["eval_id", "run_id"],
    "run_grader": ["grader", "item", "sample"],
    "share_checkpoint": ["checkpoint", "project_ids"],
    "unshare_checkpoint": ["checkpoint", "permission_id"],
    "update_stored_completion": ["completion_id", "metadata"],
    "org_usage": ["kind", "start", "end"],
    "org_costs": ["start", "end"],
    # the responses and conversations functions, as DESIGN.md writes them
    "respond_map": ["rows", "template"],
    "create_conversation": ["items", "metadata"],
    "update_conversation": ["conversation_id", "metadata"],
    "add_conversation_items": ["conversation_id", "items"],
    "delete_conversation_item": ["conversation_id", "item_id"],
    "container_file_content": ["container_id", "file_id"],
}


@pytest.mark.parametrize("name", [n for n in ow._API_FUNCTIONS if n != "studio"])
def test_settings_after_the_input_and_model_are_keyword_only(name):
    parameters = list(inspect.signature(getattr(ow.Client, name)).parameters.values())[1:]
    positional = [p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    inputs = INPUTS.get(name, positional[:1])
    assert positional in (inputs, [*inputs, "model"]), f"{name}: {positional}"


OVERLOADED = {
    "file_content": {"as_frame"},
    "batch": {"wait"},
    "transcribe": {"file", "response_format", "timestamp_granularities"},
    "translate": {"file", "response_format"},
    "run_eval": {"wait"},
    "respond_map": {"text_format"},
}


@pytest.mark.parametrize("name", list(OVERLOADED))
def test_return_types_that_follow_a_flag_are_overloaded(name):
    method = getattr(ow.Client, name)
    overloads = typing.get_overloads(method)
    assert len(overloads) >= 3
    returns = {inspect.signature(o).return_annotation for o in overloads}
    assert len(returns) >= 3  # one return type per case, and the union for a flag not known
    varying = {
        parameter
        for parameter in OVERLOADED[name]
        if len({inspect.signature(o).parameters[parameter].annotation for o in overloads}) > 1
    }
    assert varying == OVERLOADED[name]


def test_overloaded_return_types_hold_at_run_time(client):
    record = client.upload_file(b'{"a": 1}\n{"a": 2}\n', "batch", filename="rows.jsonl")
    assert isinstance(client.file_content(record["id"]), bytes)
    assert isinstance(client.file_content(record["id"], as_frame=True), pd.DataFrame)
    assert isinstance(client.transcribe(WAV), str)
    assert isinstance(client.transcribe(WAV, response_format="srt"), str)
    assert isinstance(client.transcribe(WAV, response_format="verbose_json"), pd.DataFrame)
    assert isinstance(client.transcribe(WAV, timestamp_granularities=["word"]), pd.DataFrame)
    assert isinstance(client.transcribe([WAV, WAV]), pd.DataFrame)
    assert isinstance(client.translate(WAV), str)
    assert isinstance(client.translate(WAV, response_format="verbose_json"), pd.DataFrame)
    requests = [{"model": "text-embedding-3-small", "input": "a"}]
    created = client.batch(requests, "/v1/embeddings", wait=False)
    assert isinstance(created, list) and isinstance(created[0], ow.Record)
    assert isinstance(
        client.batch(requests, "/v1/embeddings", poll_interval=0.05, progress=False), pd.DataFrame
    )
