"""The key, used for a whole tour of the package, shows up nowhere: outputs, reprs, widget state, files, logs."""

from __future__ import annotations

import json
import logging

import ipywidgets
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._embeddings.cache import CACHE_DIR_ENV
from tests.conftest import TEST_KEY
from tests.support.evals import EXACT, TEMPLATE, capitals
from tests.support.media import tone

# An admin key shaped like OpenAI's (the sandbox takes any key starting sk-admin- as one).
ADMIN_KEY = "sk-admin-" + "Tr5Yu8Io2Pl4Kj7Hg1Fd3Sa6Zx9Cv0Bn"
KEYS = (TEST_KEY, ADMIN_KEY)


def shown(obj) -> str:
    """Everything a notebook could display of `obj`: repr, str and every rich representation."""
    parts = [repr(obj), str(obj)]
    for method in ("_repr_html_", "_repr_markdown_", "_repr_pretty_"):
        if hasattr(obj, method) and method != "_repr_pretty_":
            parts.append(str(getattr(obj, method)()))
    if hasattr(obj, "_repr_mimebundle_"):
        bundle = obj._repr_mimebundle_()
        parts.append(
            json.dumps(bundle, default=str)
            if not isinstance(bundle, tuple)
            else json.dumps(bundle[0], default=str)
        )
    if isinstance(obj, pd.DataFrame | pd.Series):
        parts.append(obj.to_html() if isinstance(obj, pd.DataFrame) else obj.to_string())
    return "\n".join(parts)


@pytest.fixture
def tour(connected, sandbox, tmp_path, monkeypatch, caplog):
    """Run every area once with the test key; return what it showed and where it wrote."""
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    logging.getLogger("openai_widgets").setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    client = connected
    results = [
        client,
        client.models(),
        client.model("gpt-4o"),
        client.request("GET", "models"),
        client.chat("hello"),
        client.chat("hello", stream=True, on_update=lambda r: None),
        client.edit("teh", "Fix the spelling"),
        client.moderate(["a", "b"]),
        client.embed(["one", "two"], dimensions=8, cache=True, progress=False),
        client.chat_map(pd.Series(["x", "y"]), "Say {}", progress=False),
        client.generate_images("a fox", size="256x256"),
        client.speak("hi", format="wav"),
        client.transcribe(tone(0.5)),
        client.upload_file(pd.DataFrame({"a": [1, 2]}), "batch"),
        client.files(),
        client.fine_tuning_jobs(),
        client.batches(),
        client.batch(
            [{"model": "text-embedding-3-small", "input": "q"}],
            "/v1/embeddings",
            poll_interval=0.05,
            progress=False,
        ),
    ]
    conversation = client.create_conversation(["hello"], metadata={"topic": "tour"})
    results += [
        client.respond("Search the web for owls", tools=["web_search"]),
        client.respond("hello", stream=True, on_update=lambda r: None),
        client.respond("Calculate the sum of 1 2", tools=["code_interpreter"]),
        client.respond_map(pd.Series(["x", "y"]), "Say {}", progress=False),
        conversation,
        client.conversation_items(conversation["id"]),
        client.respond("again", conversation=conversation["id"]),
    ]
    results[-5].save_files(tmp_path / "files")
    job = client.fine_tune(
        pd.DataFrame(
            {"messages": [[{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]] * 10}
        )
    )
    results += [job, client.fine_tuning_events(job["id"])]
    results += _evals_and_usage(client, sandbox)
    results[10].save(tmp_path / "images", "fox")
    results[11].save(tmp_path / "hello")
    with pytest.raises(ow.OpenAIError) as failure:
        client.model("gpt-99")
    results.append(failure.value)
    studio = ow.studio("models")
    studio.panels["models"].refresh()
    chat = studio.panels["chat"]
    chat.rows[0].content.value = "hello"
    chat.submit()
    images = studio.panels["images"]
    images.prompt.value = "a lighthouse"
    images.generate()
    responses = studio.panels["responses"]
    responses.message.value = "Search the web for lighthouses"
    responses.tool_boxes["web_search"].value = True
    responses.submit()
    results += [studio.status_bar.value, chat.reply.value, responses.reply.value, responses.trace.value]
    return results, tmp_path, caplog


def _evals_and_usage(client, sandbox) -> list:
    """Evals, graders, stored completions, and the admin routes with an admin key."""
    sandbox.eval_seconds, before = 0.0, sandbox.eval_seconds
    try:
        made = client.create_eval("secrets", capitals(3), criteria=EXACT)
        results = [made, client.run_eval(made["id"], capitals(3), template=TEMPLATE, progress=False)]
        results.append(client.compare_models(capitals(3), ["gpt-4o"], TEMPLATE, EXACT, progress=False))
        results += [client.evals(), client.eval_runs(made["id"]), client.validate_grader(EXACT)]
        stored = client.chat("keep", store=True, metadata={"tour": "secrets"})
        results += [stored, client.stored_completions(metadata={"tour": "secrets"})]
        admin = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url, admin_key=ADMIN_KEY)
        results += [admin, admin.org_usage("completions", "1d", group_by="api_key_id"), admin.org_costs("2d")]
        with pytest.raises(ow.AdminKeyRequiredError) as refused:
            client.org_costs("1d")
        results.append(refused.value)
    finally:
        sandbox.eval_seconds = before
    return results


def test_nothing_shown_holds_a_key(tour):
    results, _, _ = tour
    for result in results:
        for key in KEYS:
            assert key not in shown(result), type(result).__name__


def test_widget_state_holds_no_key(tour):
    state = json.dumps(ipywidgets.Widget.get_manager_state(drop_defaults=False), default=str)
    assert len(state) > 10_000  # the panels really are in there
    assert all(key not in state for key in KEYS)


def test_no_file_the_package_wrote_holds_a_key(tour):
    _, folder, _ = tour
    written = [p for p in folder.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in written}
    assert {".png", ".wav", ".csv"} <= kinds, kinds
    assert any(p.parent.name == "cache" or "cache" in p.parts for p in written), "the embeddings cache"
    for path in written:
        assert all(key.encode() not in path.read_bytes() for key in KEYS), path


def test_no_log_record_holds_a_key(tour):
    _, _, caplog = tour
    records = caplog.get_records("setup")  # the tour runs in the fixture
    assert len(records) > 20
    assert any("/organization/usage/completions" in record.getMessage() for record in records)
    for record in records:
        assert all(key not in record.getMessage() for key in KEYS)


def test_the_uploaded_jsonl_holds_no_key(tour, sandbox):
    for content in sandbox.state.file_contents.values():
        assert all(key.encode() not in content for key in KEYS)
