"""The studio, the model explorer and the custom call panel, driven through their traits."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets.widgets import CustomCallPanel, ModelsPanel, Studio
from openai_widgets.widgets.studio import PANELS
from tests.conftest import TEST_KEY


@pytest.fixture
def not_connected():
    ow.set_client(None)
    yield
    ow.set_client(None)


def test_studio_opens_on_connection_when_not_connected(not_connected):
    studio = ow.studio("chat")
    assert studio.tabs.titles[studio.tabs.selected_index] == "Connection"
    assert "not connected" in studio.status_bar.value
    studio.close()


def test_studio_opens_on_the_requested_panel(connected):
    studio = ow.studio("Custom call")
    assert studio.tabs.titles[studio.tabs.selected_index] == "Custom call"
    assert isinstance(studio.panels["custom"], CustomCallPanel)
    assert ow.studio().tabs.titles[ow.studio().tabs.selected_index] == "Models"
    with pytest.raises(ValueError, match="no panel 'nope' in the studio; one of: connection, models"):
        ow.studio("nope")


def test_status_bar_follows_connection_and_requests(not_connected, sandbox):
    studio = Studio()
    client = ow.connect(api_key=TEST_KEY, base_url=sandbox.base_url, organization="org-lab")
    bar = studio.status_bar.value
    assert "connected to <b>127.0.0.1:" in bar and "org-lab" in bar and f"sk-...{TEST_KEY[-4:]}" in bar
    assert TEST_KEY not in bar
    client.models()
    assert "last: <code>GET /models</code> → 200" in studio.status_bar.value
    with pytest.raises(ow.NotFoundError):
        client.model("gpt-99")
    assert "does not exist" in studio.status_bar.value and "→ 404" in studio.status_bar.value
    studio.close()
    client.models()  # a closed studio stops listening
    assert "→ 404" in studio.status_bar.value


def test_a_studio_on_a_client_acts_on_that_client(sandbox, not_connected):
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url)
    studio = ow.studio("models", client=client)
    studio.panels["models"].refresh()
    assert len(studio.panels["models"].frame) >= 19
    assert "/models" in studio.status_bar.value


def test_studio_magic(ip):
    studio = ip.run_line_magic("openai", "studio custom")
    assert isinstance(studio, Studio)
    assert studio.tabs.titles[studio.tabs.selected_index] == "Custom call"
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="no panel 'nowhere'"):
        ip.run_line_magic("openai", "studio nowhere")


def test_every_panel_is_in_the_studio(connected):
    studio = ow.studio()
    assert [key for key, *_ in PANELS] == studio.panel_keys
    assert list(studio.tabs.titles) == [
        "Connection",
        "Models",
        "Chat",
        "Responses",
        "Edit",
        "Moderation",
        "Embeddings",
        "Images",
        "Audio",
        "Files",
        "Knowledge",
        "Fine-tuning",
        "Evals",
        "Batches",
        "Custom call",
    ]
    assert list(studio.tabs.titles) == [panel.title for panel in studio.panels.values()]


# -- model explorer -----------------------------------------------------------------------


@pytest.fixture
def explorer(connected):
    used = []
    panel = ModelsPanel(on_use=lambda tab, model: used.append((tab, model)))
    panel.used = used
    panel.refresh()
    return panel


def test_explorer_loads_and_counts(explorer, sandbox):
    count = len(explorer.frame)
    assert count >= 19  # the catalog, plus any fine-tuned models other tests made
    assert f"<b>{count}</b> of {count} models" in explorer.summary.value
    assert {"all", "system", "openai", "openai-internal"} <= set(explorer.owner.options)


def test_explorer_filters_by_search_owner_kind_and_dates(explorer):
    explorer.search.value = "MINI"
    assert all("mini" in m for m in explorer.frame["id"])
    explorer.search.value = ""
    explorer.owner.value = "openai-internal"
    assert set(explorer.frame["id"]) == {"text-embedding-ada-002", "whisper-1", "tts-1"}
    explorer.owner.value = "all"
    explorer.kind.value = "image"
    assert set(explorer.frame["id"]) == {"dall-e-2", "dall-e-3", "gpt-image-1"}
    explorer.kind.value = "all"
    explorer.created_from.value = dt.date(2025, 1, 1)
    explorer.created_to.value = dt.date(2025, 3, 31)
    frame = explorer.frame
    assert set(frame["id"]) == {"o3-mini", "gpt-4o-mini-transcribe", "gpt-4o-mini-tts"}
    assert (frame["created"] >= pd.Timestamp("2025-01-01", tz="UTC")).all()
    assert len(explorer.table.options) == 3


def test_explorer_sorts(explorer):
    explorer.sort.value = "oldest first"
    assert explorer.frame["created"].is_monotonic_increasing
    explorer.sort.value = "id"
    assert list(explorer.frame["id"]) == sorted(explorer.frame["id"])
    assert explorer.table.options[0][1] == explorer.frame["id"].iloc[0]


def test_selecting_a_model_shows_its_record_and_offers_a_use(explorer):
    explorer.table.value = "text-embedding-3-large"
    assert "text-embedding-3-large" in explorer.record.value and "<table>" in explorer.record.value
    assert explorer.use_button.description == "Use in embeddings"
    explorer.use_button.click()
    assert explorer.used == [("embeddings", "text-embedding-3-large")]
    explorer.table.value = "whisper-1"
    assert explorer.use_button.disabled


def test_explorer_shows_errors_in_its_status_line(explorer, sandbox):
    sandbox.inject("status", status=500, times=3)
    explorer.refresh()
    assert "InternalServerError" in explorer.status.value
    assert not explorer.refresh_button.disabled


# -- custom call panel ----------------------------------------------------------------------


def test_custom_call_panel_sends_and_shows_a_table(connected, sandbox):
    panel = CustomCallPanel()
    panel.method.value, panel.path.value = "GET", "models"
    panel.query.value = '{"limit": 3}'
    panel.send_button.click()
    assert isinstance(panel.result, ow.Record)
    assert sandbox.requests[-1].query == {"limit": ["3"]}
    assert "GET /models</code> → <b>200</b>" in panel.response_line.value
    shown = panel.output.outputs[0]["data"]
    assert "text/html" in shown and "<table" in shown["text/html"]


def test_custom_call_panel_shows_json_errors_inline_with_their_position(connected, sandbox):
    panel = CustomCallPanel()
    panel.body.value = '{"model": "x",\n "n": }'
    assert "body is not valid JSON: Expecting value at line 2, column 7" in panel.body_error.value
    panel.headers.value = "[1]"
    assert "headers must be a JSON object" in panel.headers_error.value
    panel.headers.value = ""
    assert panel.headers_error.value == ""
    panel.method.value = "POST"
    panel.send_button.click()
    assert "InvalidJSONError" in panel.status.value
    assert sandbox.requests == []


def test_custom_call_panel_refuses_other_hosts(connected, sandbox):
    panel = CustomCallPanel()
    panel.path.value = "https://evil.test/v1/models"
    assert "is an absolute URL" in panel.path_error.value
    panel.send_button.click()
    assert "is an absolute URL" in panel.status.value
    assert sandbox.requests == []


def test_custom_call_panel_shows_server_errors(connected):
    panel = CustomCallPanel()
    panel.path.value = "models/gpt-99"
    panel.send_button.click()
    assert "NotFoundError" in panel.status.value
    assert "→ <b>404</b>" in panel.response_line.value


def test_client_studio_is_a_deprecated_alias(sandbox, not_connected):
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url)
    with pytest.warns(DeprecationWarning, match=r"ow\.studio\(panel, client=client\)"):
        studio = client.studio("models")
    assert isinstance(studio, Studio) and studio.tabs.selected_index == studio.panel_keys.index("models")


def test_status_bar_shows_the_sessions_usage(sandbox, monkeypatch):
    from openai_widgets._costs import ledger
    from openai_widgets._costs.estimate import money

    monkeypatch.setattr(ledger, "LEDGER", ledger.Ledger())  # this test's requests only
    client = ow.Client(api_key=TEST_KEY, base_url=sandbox.base_url)
    studio = ow.studio("chat", client=client)
    assert "session:" not in studio.status_bar.value  # nothing spent yet
    first = client.chat("Hello", "gpt-4o-mini").usage
    second = client.chat("Hello again", "gpt-4o-mini").usage
    tokens = sum(u["prompt_tokens"] + u["completion_tokens"] for u in (first, second))
    cost = sum(u["prompt_tokens"] * 0.15 + u["completion_tokens"] * 0.60 for u in (first, second)) / 1e6
    assert f"session: {tokens:,} tokens, ~{money(cost)} (2 requests" in studio.status_bar.value
    assert "(2 requests; see ow.usage_log())" in studio.status_bar.value
    studio.close()
    client.chat("After closing", "gpt-4o-mini")
    assert "(2 requests;" in studio.status_bar.value  # a closed studio stops listening
    client.close()
