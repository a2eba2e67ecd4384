"""Organization usage and costs: buckets built from what the sandbox really served (admin key)."""

from __future__ import annotations

import json
import math
import time

import httpx
import pytest

from openai_widgets.sandbox import SANDBOX_ADMIN_KEY, Sandbox
from openai_widgets.sandbox._prices import TOKENS
from tests.support.media import tone

from ..conftest import TEST_KEY
from .api import SpecClient

COMPLETIONS = "/organization/usage/completions"


@pytest.fixture
def world(spec):
    """A private sandbox (an empty usage ledger) with a normal and an admin client."""
    with Sandbox(batch_seconds=0.2) as server:
        clients = []
        for key in (TEST_KEY, SANDBOX_ADMIN_KEY):
            http = httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10
            )
            clients.append(SpecClient(http, spec))
        yield server, *clients
        for client in clients:
            client.http.close()


def chat(api, model: str, text: str, **headers) -> dict:
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    return api.post("/chat/completions", body, headers=headers)


def since(seconds: int = 3600) -> int:
    return int(time.time()) - seconds


def test_usage_and_costs_need_an_admin_key(world):
    _, api, admin = world
    for path in (COMPLETIONS, "/organization/usage/images", "/organization/costs"):
        error = api.error("GET", path, 403, params={"start_time": since()})
        assert error["code"] == "insufficient_permissions"
        assert f"GET /v1{path} needs an admin API key" in error["message"]
    assert admin.get(COMPLETIONS, params={"start_time": since()})["object"] == "page"


def test_completion_tokens_add_up_per_model(world):
    _, api, admin = world
    answers = [
        chat(api, "gpt-4o-mini", "one"),
        chat(api, "gpt-4o", "two words"),
        chat(api, "gpt-4o-mini", "three"),
    ]
    api.post("/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": "legacy"})
    with api.http.stream(
        "POST",
        "/chat/completions",
        json={"model": "gpt-4o", "messages": [{"role": "user", "content": "s"}], "stream": True},
    ) as response:
        response.read()
    start = since(1800)
    hour = {"start_time": start, "end_time": start + 3600, "bucket_width": "1h"}
    (bucket,) = admin.get(COMPLETIONS, params={**hour, "group_by": "model"})["data"]
    assert bucket["end_time"] - bucket["start_time"] == 3600
    by_model = {r["model"]: r for r in bucket["results"]}
    assert set(by_model) == {"gpt-4o-mini", "gpt-4o", "gpt-3.5-turbo-instruct"}
    mini = [a["usage"] for a in answers if a["model"] == "gpt-4o-mini"]
    assert by_model["gpt-4o-mini"]["input_tokens"] == sum(u["prompt_tokens"] for u in mini)
    assert by_model["gpt-4o-mini"]["output_tokens"] == sum(u["completion_tokens"] for u in mini)
    assert by_model["gpt-4o-mini"]["num_model_requests"] == 2
    assert by_model["gpt-4o"]["num_model_requests"] == 2, (
        "the stream counts although it did not show its usage"
    )
    assert by_model["gpt-4o-mini"]["project_id"] is None, "not grouped by project"
    whole = admin.get(COMPLETIONS, params=hour)["data"][0]["results"]
    assert len(whole) == 1 and whole[0]["model"] is None
    assert whole[0]["input_tokens"] == sum(r["input_tokens"] for r in by_model.values())
    only = admin.get(COMPLETIONS, params={**hour, "models": "gpt-4o"})
    assert only["data"][0]["results"][0]["num_model_requests"] == 2


def test_buckets_page_through_the_range(world):
    _, api, admin = world
    chat(api, "gpt-4o-mini", "now")
    start = since(10 * 60)
    end = start + 10 * 60 + 30
    buckets, cursor = [], None
    while True:
        params = {"start_time": start, "end_time": end, "bucket_width": "1m", "limit": 4}
        page = admin.get(COMPLETIONS, params={**params, **({"page": cursor} if cursor else {})})
        buckets += page["data"]
        assert page["has_more"] is (page["next_page"] is not None)
        if not page["has_more"]:
            break
        cursor = page["next_page"]
    assert len(buckets) == math.ceil((end - start) / 60) == 11
    assert [b["start_time"] for b in buckets] == list(range(start, end, 60))
    assert sum(len(b["results"]) for b in buckets) == 1, "one request, in one bucket"
    assert [len(b["results"]) for b in buckets].index(1) >= 9
    assert (
        admin.error("GET", COMPLETIONS, 400, params={"start_time": start, "page": "page_nonsense"})["param"]
        == "page"
    )


def test_grouped_by_project_and_key_without_showing_the_key(world):
    _, api, admin = world
    chat(api, "gpt-4o-mini", "a", **{"OpenAI-Project": "proj_red"})
    chat(api, "gpt-4o-mini", "b")
    query = {"start_time": since(), "group_by": ["project_id", "api_key_id"]}
    results = admin.get(COMPLETIONS, params=query)["data"][-1]["results"]
    assert sorted(r["project_id"] for r in results) == ["proj_red", "proj_sandbox"]
    assert all(r["api_key_id"].startswith("key_") for r in results)
    assert TEST_KEY not in json.dumps(results)
    red = admin.get(COMPLETIONS, params={"start_time": since(), "project_ids": ["proj_red"]})["data"][-1][
        "results"
    ]
    assert red[0]["num_model_requests"] == 1


def test_every_kind_is_measured_from_its_answers(world):
    _, api, admin = world
    embedded = api.post("/embeddings", {"model": "text-embedding-3-small", "input": ["a b c", "d"]})
    api.post("/moderations", {"input": "some text here"})
    api.post("/images/generations", {"model": "dall-e-2", "prompt": "a cat", "n": 2, "size": "256x256"})
    speech = {"model": "tts-1", "input": "Hello there", "voice": "alloy", "response_format": "wav"}
    assert api.post("/audio/speech", speech)[:4] == b"RIFF"
    api.http.post(
        "/audio/transcriptions",
        files={"file": ("a.wav", tone(2.5), "audio/wav")},
        data={"model": "whisper-1"},
    )

    def results(kind: str, **params) -> list[dict]:
        return admin.get(f"/organization/usage/{kind}", params={"start_time": since(), **params})["data"][-1][
            "results"
        ]

    assert results("embeddings")[0]["input_tokens"] == embedded["usage"]["prompt_tokens"]
    assert results("moderations")[0]["num_model_requests"] == 1
    images = results("images", group_by=["size", "source"])
    assert [(r["images"], r["size"], r["source"]) for r in images] == [(2, "256x256", "image.generation")]
    assert results("audio_speeches")[0]["characters"] == len("Hello there")
    assert results("audio_transcriptions", group_by="model")[0] == {
        "object": "organization.usage.audio_transcriptions.result",
        "seconds": 3,
        "num_model_requests": 1,
        "project_id": None,
        "user_id": None,
        "api_key_id": None,
        "model": "whisper-1",
    }
    for kind in ("vector_stores", "code_interpreter_sessions", "file_search_calls", "web_search_calls"):
        assert results(kind) == [], "nothing in the sandbox makes these"


def test_batch_lines_count_as_batch_usage(world):
    _, api, admin = world
    line = {
        "custom_id": "1",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    }
    upload = api.http.post(
        "/files", files={"file": ("b.jsonl", json.dumps(line).encode())}, data={"purpose": "batch"}
    )
    api.post(
        "/batches",
        {
            "input_file_id": upload.json()["id"],
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
        },
    )
    chat(api, "gpt-4o", "direct")
    results = admin.get(COMPLETIONS, params={"start_time": since(), "group_by": "batch"})["data"][-1][
        "results"
    ]
    assert sorted((r["batch"], r["num_model_requests"]) for r in results) == [(False, 1), (True, 1)]
    only_batch = admin.get(COMPLETIONS, params={"start_time": since(), "batch": "true"})["data"][-1][
        "results"
    ]
    assert only_batch[0]["num_model_requests"] == 1


def test_eval_runs_count_their_model_calls(world):
    server, api, admin = world
    server.eval_seconds = 0.0
    created = api.post(
        "/evals",
        {
            "data_source_config": {
                "type": "custom",
                "item_schema": {"type": "object"},
                "include_sample_schema": True,
            },
            "testing_criteria": [
                {
                    "type": "string_check",
                    "name": "s",
                    "input": "{{sample.output_text}}",
                    "reference": "x",
                    "operation": "eq",
                }
            ],
        },
        status=201,
    )
    source = {
        "type": "completions",
        "model": "gpt-4.1-mini",
        "input_messages": {"type": "item_reference", "item_reference": "item.messages"},
        "source": {
            "type": "file_content",
            "content": [{"item": {"messages": [{"role": "user", "content": "q"}]}}] * 3,
        },
    }
    api.post(f"/evals/{created['id']}/runs", {"data_source": source}, status=201)
    results = admin.get(COMPLETIONS, params={"start_time": since(), "models": "gpt-4.1-mini"})["data"][-1][
        "results"
    ]
    assert results[0]["num_model_requests"] == 3


def test_costs_price_the_same_requests(world):
    _, api, admin = world
    answers = [
        chat(api, "gpt-4o-mini", "price me"),
        chat(api, "gpt-4o-mini", "and me", **{"OpenAI-Project": "proj_blue"}),
    ]
    api.post("/images/generations", {"model": "dall-e-2", "prompt": "x"})
    start = since(43200)
    day = {"start_time": start, "end_time": start + 86400}
    (bucket,) = admin.get("/organization/costs", params={**day, "group_by": "line_item"})["data"]
    assert bucket["end_time"] - bucket["start_time"] == 86400
    items = {r["line_item"]: r for r in bucket["results"]}
    prompt = sum(a["usage"]["prompt_tokens"] for a in answers)
    completion = sum(a["usage"]["completion_tokens"] for a in answers)
    assert items["gpt-4o-mini, input"]["quantity"] == prompt
    assert items["gpt-4o-mini, input"]["amount"]["value"] == pytest.approx(
        prompt * TOKENS["gpt-4o-mini"][0] / 1e6
    )
    assert items["gpt-4o-mini, output"]["amount"]["value"] == pytest.approx(
        completion * TOKENS["gpt-4o-mini"][2] / 1e6
    )
    assert items["dall-e-2, images"]["quantity_unit"] == "images"
    assert {r["amount"]["currency"] for r in bucket["results"]} == {"usd"}
    total = sum(r["amount"]["value"] for r in bucket["results"])
    whole = admin.get("/organization/costs", params=day)["data"][0]["results"]
    assert len(whole) == 1 and whole[0]["amount"]["value"] == pytest.approx(total)
    projects = admin.get("/organization/costs", params={**day, "group_by": "project_id"})
    assert sorted(r["project_id"] for r in projects["data"][0]["results"]) == ["proj_blue", "proj_sandbox"]


@pytest.mark.parametrize(
    ("path", "params", "param", "message"),
    [
        (COMPLETIONS, {}, "start_time", "Missing required parameter"),
        (COMPLETIONS, {"start_time": "soon"}, "start_time", "expected an integer"),
        (COMPLETIONS, {"start_time": 100, "end_time": 50}, "end_time", "after start_time"),
        (COMPLETIONS, {"start_time": 1, "bucket_width": "1w"}, "bucket_width", "1m, 1h, 1d"),
        (COMPLETIONS, {"start_time": 1, "limit": 32}, "limit", "between 1 and 31"),
        (
            COMPLETIONS,
            {"start_time": 1, "group_by": "size"},
            "group_by",
            "'size' is not supported for completions usage",
        ),
        (
            "/organization/usage/vector_stores",
            {"start_time": 1, "group_by": "model"},
            "group_by",
            "supported: project_id",
        ),
        (
            "/organization/costs",
            {"start_time": 1, "bucket_width": "1h"},
            "bucket_width",
            "expected one of 1d",
        ),
        ("/organization/costs", {"start_time": 1, "limit": 181}, "limit", "between 1 and 180"),
    ],
)
def test_bad_queries_get_a_400(world, path, params, param, message):
    _, _, admin = world
    error = admin.error("GET", path, 400, params=params)
    assert error["param"] == param
    assert message in error["message"]
