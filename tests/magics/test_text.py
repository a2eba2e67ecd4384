"""%%openai chat / edit / complete and %openai moderate in a real IPython shell."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output
from PIL import Image

import openai_widgets as ow
from openai_widgets._chat import stream as _chat_stream


def chat_bodies(sandbox):
    return [r.json() for r in sandbox.requests_to("/chat/completions")]


def test_chat_cell_is_the_message_and_streams_by_default(ip, sandbox, spec):
    result = ip.run_cell_magic("openai", "chat --new", "Hello there")
    assert isinstance(result, ow.ChatResult)
    (body,) = chat_bodies(sandbox)
    spec.validate_request("POST", "/chat/completions", body)
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == [{"role": "user", "content": "Hello there"}]
    assert body["stream"] is True
    assert result.text.startswith('[sandbox] You said: "Hello there"')


def test_chat_continues_the_conversation_until_new(ip, sandbox):
    first = ip.run_cell_magic("openai", "chat --new -s 'You are terse.'", "One")
    ip.run_cell_magic("openai", "chat", "Two")
    ip.run_cell_magic("openai", "chat --new", "Three")
    bodies = chat_bodies(sandbox)
    assert bodies[1]["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "One"},
        {"role": "assistant", "content": first.text},
        {"role": "user", "content": "Two"},
    ]
    assert bodies[2]["messages"] == [{"role": "user", "content": "Three"}]


def test_system_option_replaces_the_system_message_and_keeps_history(ip, sandbox):
    ip.run_cell_magic("openai", "chat --new -s A", "one")
    ip.run_cell_magic("openai", "chat -s B", "two")
    messages = chat_bodies(sandbox)[1]["messages"]
    assert messages[0] == {"role": "system", "content": "B"}
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]


def test_chat_options_go_into_the_request(ip, sandbox, spec):
    ip.run_cell_magic("openai", "chat --new -m gpt-4o -t 0.2 --max-tokens 64 --no-stream", "hi")
    (body,) = chat_bodies(sandbox)
    spec.validate_request("POST", "/chat/completions", body)
    assert body == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.2,
        "max_completion_tokens": 64,
    }


def test_config_sets_the_default_model_and_streaming(ip, sandbox):
    ip.run_line_magic("config", "OpenAIMagics.chat_model = 'gpt-4.1-mini'")
    ip.run_line_magic("config", "OpenAIMagics.stream = False")
    try:
        ip.run_cell_magic("openai", "chat --new", "hi")
        ip.run_cell_magic("openai", "chat --stream", "again")
    finally:
        ip.run_line_magic("config", "OpenAIMagics.chat_model = 'gpt-4o-mini'")
        ip.run_line_magic("config", "OpenAIMagics.stream = True")
    first, second = chat_bodies(sandbox)
    assert first["model"] == "gpt-4.1-mini"
    assert "stream" not in first
    assert second["stream"] is True


def test_cell_variables_are_interpolated(ip, sandbox):
    ip.user_ns["city"] = "Lyon"
    ip.run_cell_magic("openai", "chat --new --no-stream", "Tell me about {city}.")
    assert chat_bodies(sandbox)[0]["messages"][-1]["content"] == "Tell me about Lyon."


def test_line_form_and_out_variable(ip, sandbox):
    ip.run_line_magic("openai", "chat --new --no-stream -o answer what is 2+2")
    assert chat_bodies(sandbox)[0]["messages"][-1]["content"] == "what is 2+2"
    assert isinstance(ip.user_ns["answer"], ow.ChatResult)


def test_json_returns_parsed_records_as_a_dataframe(ip, sandbox):
    frame = ip.run_cell_magic("openai", "chat --new --json -o rows", "red green blue")
    (body,) = chat_bodies(sandbox)
    assert body["response_format"] == {"type": "json_object"}
    assert "stream" not in body  # JSON is only useful whole
    assert isinstance(frame, pd.DataFrame)
    assert frame["word"].tolist() == ["red", "green", "blue"]
    assert ip.user_ns["rows"] is frame


def test_image_option_attaches_images(ip, sandbox, spec, tmp_path):
    ip.user_ns["photo"] = Image.new("RGB", (20, 10))
    path = tmp_path / "b.png"
    Image.new("RGB", (4, 4)).save(path)
    ip.user_ns["more"] = [str(path), "https://example.com/render?id=1"]
    result = ip.run_cell_magic(
        "openai", "chat --new --no-stream --image photo --image more", "What are these?"
    )
    (body,) = chat_bodies(sandbox)
    spec.validate_request("POST", "/chat/completions", body)
    parts = body["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url", "image_url", "image_url"]
    assert parts[3]["image_url"]["url"] == "https://example.com/render?id=1"
    assert result.text.startswith("[sandbox] I see 3 images (20x10, 4x4, remote).")


def test_image_alone_is_a_message(ip, sandbox):
    ip.user_ns["photo"] = Image.new("RGB", (2, 2))
    ip.run_line_magic("openai", "chat --new --no-stream --image photo")
    assert [p["type"] for p in chat_bodies(sandbox)[0]["messages"][0]["content"]] == ["image_url"]


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("chat --new", "   ", "write your message in the cell"),
        ("chat --new --image nothing_here", "hi", "^'nothing_here' is not a variable in the notebook"),
        ("chat --new -t 5", "hi", "temperature must be between 0 and 2, got 5"),
        ("chat --new -m gpt-unknown --no-stream", "hi", "NotFoundError: 404"),
        ("chat --new --stream --no-stream", "hi", "not allowed with argument"),
        ("chat --new -t warm", "hi", "invalid float value"),
    ],
)
def test_chat_mistakes_are_one_line_usage_errors(ip, line, cell, message):
    with pytest.raises(UsageError, match=message):
        ip.run_cell_magic("openai", line, cell)


def test_streamed_reply_shows_once_in_a_notebook(ip, sandbox, monkeypatch):
    monkeypatch.setattr(_chat_stream, "in_notebook", lambda: True)
    with capture_output() as captured:
        ip.run_cell("%%openai chat --new\nHello there", store_history=True)
    result = ip.user_ns["_"]
    assert isinstance(result, ow.ChatResult)
    finals = [o for o in captured.outputs if o.data.get("text/markdown") == result.text]
    assert len(finals) == 1  # the live output's last update, not a second copy
    assert finals[0].update is True
    assert finals[0].metadata["openai_widgets"]["request"]["model"] == "gpt-4o-mini"


def test_whole_reply_shows_as_markdown_with_metadata(ip, sandbox):
    with capture_output() as captured:
        ip.run_cell("%%openai chat --new --no-stream -t 0.5\nHi", store_history=True)
    (output,) = captured.outputs
    assert output.data["text/markdown"].startswith("[sandbox]")
    recorded = output.metadata["openai_widgets"]
    assert recorded["request"] == {"model": "gpt-4o-mini", "temperature": 0.5}
    assert recorded["usage"]["total_tokens"] > 0


def test_edit_magic(ip, sandbox, spec):
    edited = ip.run_cell_magic("openai", "edit -i 'Fix the spelling' -t 0", "I recieve teh mail")
    assert edited == "[sandbox] I receive the mail"
    assert isinstance(edited, str)
    body = sandbox.requests_to("/chat/completions")[0].json()
    spec.validate_request("POST", "/chat/completions", body)
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0
    with capture_output() as captured:
        ip.run_cell("%%openai edit -i 'upper case'\nline one\nline two", store_history=True)
    assert captured.stdout.strip().endswith("]: \n[sandbox] LINE ONE\nLINE TWO")  # as is, not a quoted repr


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("edit", "text", "the following arguments are required: -i/--instruction"),
        ("edit -i 'Fix it'", "  ", "put the text to edit in the cell"),
        ("edit -i 'Fix it' -m text-embedding-3-small", "x", "This is not a chat model"),
    ],
)
def test_edit_mistakes(ip, line, cell, message):
    with pytest.raises(UsageError, match=message):
        ip.run_cell_magic("openai", line, cell)


def test_complete_magic_warns_plainly(ip, sandbox, capsys):
    text = ip.run_cell_magic("openai", "complete --max-tokens 5", "Once upon a time")
    assert text == " [sandbox] a deterministic"
    assert sandbox.requests_to("/completions")[0].json() == {
        "model": "gpt-3.5-turbo-instruct",
        "prompt": "Once upon a time",
        "max_tokens": 5,
    }
    assert (
        "DeprecationWarning: complete() uses OpenAI's legacy completions endpoint" in capsys.readouterr().err
    )


def test_complete_needs_a_prompt(ip):
    with pytest.raises(UsageError, match="write the prompt in the cell"):
        ip.run_line_magic("openai", "complete")


def test_moderate_text(ip, sandbox):
    frame = ip.run_line_magic("openai", "moderate I will kill you")
    assert frame["input"].tolist() == ["I will kill you"]
    assert frame.loc[0, "violence"]
    assert sandbox.requests_to("/moderations")[0].json()["model"] == "omni-moderation-latest"


def test_moderate_variable_keeps_the_series_index(ip):
    ip.user_ns["comments"] = pd.Series(["hate it", "love it"], index=[10, 20])
    frame = ip.run_line_magic("openai", "moderate -m text-moderation-latest comments")
    assert frame.index.tolist() == [10, 20]
    assert frame["flagged"].tolist() == [True, False]
    assert frame.attrs["model"] == "text-moderation-latest"


def test_moderate_cell_lines(ip):
    frame = ip.run_cell_magic("openai", "moderate -o checked", "first line\n\nblood everywhere\n")
    assert frame["input"].tolist() == ["first line", "blood everywhere"]
    assert ip.user_ns["checked"] is frame


def test_moderate_needs_input(ip):
    with pytest.raises(UsageError, match="give a text or a variable"):
        ip.run_line_magic("openai", "moderate")


def test_help_lists_the_text_commands(ip, capsys):
    ip.run_line_magic("openai", "help")
    out = capsys.readouterr().out
    for name in ("chat", "edit", "complete", "moderate"):
        assert f"\n  {name} " in out
    ip.run_line_magic("openai", "chat --help")
    assert "--image VAR" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("trait", "model", "line", "cell", "path"),
    [
        ("edit_model", "gpt-4o", "edit -i 'upper case'", "x", "/chat/completions"),
        ("completion_model", "gpt-3.5-turbo-instruct", "complete", "x", "/completions"),
        ("moderation_model", "text-moderation-latest", "moderate", "x", "/moderations"),
    ],
)
def test_default_models_come_from_the_config(ip, sandbox, trait, model, line, cell, path):
    default = getattr(ip.find_magic("openai").__self__, trait)
    ip.run_line_magic("config", f"OpenAIMagics.{trait} = {model!r}")
    try:
        ip.run_cell_magic("openai", line, cell)
    finally:
        ip.run_line_magic("config", f"OpenAIMagics.{trait} = {default!r}")
    assert sandbox.requests_to(path)[0].json()["model"] == model
