"""Chat, edit and moderation panels, driven from Python as a user would click them."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

import openai_widgets as ow
from openai_widgets import widgets as panels
from openai_widgets.widgets._model_picker import ModelPicker
from openai_widgets.widgets.edit import diff_html
from tests.conftest import TEST_KEY


def descendants(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from descendants(child)


@pytest.mark.parametrize(
    ("name", "title", "css"),
    [
        ("ChatPanel", "Chat", "ow-panel-chat"),
        ("EditPanel", "Edit", "ow-panel-edit"),
        ("ModerationPanel", "Moderation", "ow-panel-moderation"),
    ],
)
def test_panels_are_made_without_a_request(sandbox, client, name, title, css):
    cls = getattr(panels, name)
    made = [cls(), cls(client=client)]
    assert sandbox.requests == []
    for panel in made:
        assert panel.title == title
        assert css in panel._dom_classes
        assert isinstance(panel.model_picker, ModelPicker)
        assert isinstance(panel.model_picker.combobox, widgets.Combobox)


# -- chat -----------------------------------------------------------------------------------


@pytest.fixture
def chat(client):
    return panels.ChatPanel(client=client)


def test_send_shows_the_reply_and_continues_the_conversation(sandbox, chat, spec):
    assert "ow-chat-reply" in chat.reply._dom_classes
    chat.rows[0].content.value = "Hello there"
    chat.send_button.click()
    assert chat.status.value == ""
    assert chat.result.text.startswith('[sandbox] You said: "Hello there"')
    assert chat.result.text.replace('"', "&quot;") in chat.reply.value
    assert "▌" not in chat.reply.value
    assert "prompt +" in chat.usage.value
    assert "gpt-4o-mini" in chat.usage.value
    assert [(r.role.value, r.content.value) for r in chat.rows] == [
        ("user", "Hello there"),
        ("assistant", chat.result.text),
        ("user", ""),
    ]
    assert len(sandbox.requests_to("/models")) == 1  # the picker was filled on first use
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert body["stream"] is True
    assert body["temperature"] == 1.0
    chat.rows[-1].content.value = "And again"
    chat.send_button.click()
    assert len(sandbox.requests_to("/models")) == 1
    assert len(sandbox.requests_to("/chat/completions")[1].json()["messages"]) == 3


def test_the_reply_area_updates_while_tokens_arrive(sandbox, chat):
    sandbox.configure(stream_interval=0.01)
    seen = []
    chat.reply.observe(lambda change: seen.append(change["new"]), names="value")
    chat.rows[0].content.value = "Hello there"
    chat.submit()
    partial = [value for value in seen if "▌" in value]
    assert len(partial) >= 2
    assert seen[-1] == chat.reply.value
    assert "▌" not in seen[-1]


def test_model_list_puts_chat_models_first(chat):
    chat.model_picker.refresh_button.click()
    options = list(chat.model_picker.options)
    assert options.index("gpt-4o-mini") < options.index("text-embedding-3-small")
    assert options.index("o3-mini") < options.index("dall-e-3")
    chat.select_model("gpt-4o")
    assert chat.model_picker.value == "gpt-4o"


def test_message_list_editor(sandbox, chat, spec):
    chat.rows[0].role.value = "system"
    chat.rows[0].content.value = "Be brief."
    chat.add_button.click()
    chat.add_button.click()
    assert len(chat.rows) == 3
    chat.rows[2].remove_button.click()
    assert len(chat.rows) == 2
    assert list(chat.message_list.children) == chat.rows
    chat.rows[1].content.value = "Hi"
    chat.rows[1].name.value = "ada"
    chat.submit()
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi", "name": "ada"},
    ]


def test_advanced_settings_go_into_the_request(sandbox, chat, spec):
    chat.model_picker.value = "gpt-4o"
    chat.temperature.value = 0.4
    chat.max_tokens.value = 100
    chat.top_p.value = 0.5
    chat.stop.value = "END\nSTOP"
    chat.seed.value = "42"
    chat.json_mode.value = True
    chat.stream.value = False
    chat.rows[0].content.value = "three words please"
    chat.submit()
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert {k: v for k, v in body.items() if k != "messages"} == {
        "model": "gpt-4o",
        "temperature": 0.4,
        "max_completion_tokens": 100,
        "top_p": 0.5,
        "stop": ["END", "STOP"],
        "seed": 42,
        "response_format": {"type": "json_object"},
    }
    assert "<table" in chat.reply.value  # JSON records shown as a table


def test_errors_show_in_the_status_line_and_the_button_comes_back(sandbox, chat):
    chat.rows[0].content.value = "  "
    chat.send_button.click()
    assert "InvalidInputError" in chat.status.value
    assert "messages[0].content is empty" in chat.status.value
    assert chat.send_button.disabled is False
    chat.rows[0].content.value = "hi"
    chat.seed.value = "soon"
    chat.send_button.click()
    assert "seed must be a whole number, not &#x27;soon&#x27;" in chat.status.value
    assert sandbox.requests_to("/chat/completions") == []
    assert len(chat.rows) == 1


def test_a_cut_stream_keeps_the_partial_reply(sandbox, chat):
    sandbox.configure(stream_interval=0.02)
    sandbox.inject("cut_stream", path="/chat/completions", after=4)
    chat.rows[0].content.value = "hi"
    chat.send_button.click()
    assert "StreamInterruptedError" in chat.status.value
    assert "[sandbox]" in chat.reply.value
    assert "interrupted" in chat.reply.value
    assert len(chat.rows) == 1  # nothing was added to the conversation


def test_clear(chat):
    chat.rows[0].content.value = "hi"
    chat.submit()
    chat.clear_button.click()
    assert [(r.role.value, r.content.value) for r in chat.rows] == [("user", "")]
    assert chat.reply.value == chat.usage.value == ""
    assert chat.result is None


def test_no_key_in_widget_state(chat):
    chat.rows[0].content.value = "hi"
    chat.submit()
    for widget in descendants(chat):
        assert TEST_KEY not in str(widget.get_state())


# -- edit -----------------------------------------------------------------------------------


def test_edit_panel_shows_the_result_and_a_diff(sandbox, client, spec):
    panel = panels.EditPanel(client=client)
    panel.input.value = "I recieve teh mail"
    panel.instruction.value = "Fix the spelling"
    panel.edit_button.click()
    assert panel.status.value == ""
    assert panel.result == panel.output.value == "[sandbox] I receive the mail"
    assert panel.diff.value.startswith("<div class='ow-edit-diff'>")
    assert "<del>recieve</del>" in panel.diff.value
    assert ">receive</ins>" in panel.diff.value
    assert "<ins" in panel.diff.value
    assert "[sandbox]" in panel.diff.value
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert body["temperature"] == 0


def test_edit_panel_errors(client):
    panel = panels.EditPanel(client=client)
    panel.input.value = "text"
    panel.edit_button.click()
    assert "instruction is empty" in panel.status.value
    assert panel.result is None


def test_diff_html_marks_words():
    assert diff_html("a b c", "a B c").count("<del") == 1
    assert "&lt;tag&gt;" in diff_html("<tag>", "<tag>!")
    assert "<del" not in diff_html("same", "same")


# -- moderation -----------------------------------------------------------------------------


def test_moderation_panel_highlights_flagged_rows(sandbox, client, spec):
    panel = panels.ModerationPanel(client=client)
    panel.inputs.value = "I will kill you\n\nWhat a nice day\nI hate this"
    panel.check_button.click()
    assert panel.status.value == ""
    assert panel.frame["input"].tolist() == ["I will kill you", "What a nice day", "I hate this"]
    summary = panel.summary
    assert list(summary.columns) == ["input", "flagged", "top_category", "top_score", "categories"]
    assert summary["top_category"].tolist()[0] == "violence"
    assert summary["top_category"].tolist()[2] == "hate"
    assert summary.loc[0, "categories"] == "harassment, harassment_threatening, violence"
    (output,) = panel.table.outputs
    table = output["data"]["text/html"]
    assert table.count("<tr class='ow-flagged'>") == 2
    assert table.count("<tr class=''>") == 1
    assert "<td>violence</td>" in table
    assert "2 of 3 flagged" in panel.counts.value
    body = sandbox.requests_to("/moderations")[0].json()
    spec.validate_request("POST", "/moderations", body)
    panel.inputs.value = "fine"
    panel.check_button.click()
    assert len(panel.table.outputs) == 1  # replaced, not appended


def test_moderation_panel_model_list_puts_moderation_models_first(client):
    panel = panels.ModerationPanel(client=client)
    panel.model_picker.refresh_button.click()
    assert set(panel.model_picker.options[:2]) == {"omni-moderation-latest", "text-moderation-latest"}


def test_moderation_panel_shows_errors(client):
    panel = panels.ModerationPanel(client=client)
    panel.model_picker.value = "gpt-4o"
    panel.inputs.value = "x"
    panel.check_button.click()
    assert "BadRequestError" in panel.status.value
    assert panel.check_button.disabled is False


def test_a_server_without_models_can_still_chat(sandbox, chat, monkeypatch):
    def no_models():
        raise ow.NotFoundError("404 Not Found: no /models here.", status_code=404)

    monkeypatch.setattr(chat.client, "models", no_models)
    chat.rows[0].content.value = "hi"
    chat.send_button.click()
    assert chat.status.value == ""
    assert chat.result.text.startswith("[sandbox]")
    chat.model_picker.refresh_button.click()
    assert "NotFoundError" in chat.status.value  # Refresh says what went wrong
