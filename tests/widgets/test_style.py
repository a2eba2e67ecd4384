"""The look: CSS classes from one stylesheet, no inline colours; `show` and `notice`."""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as widgets
import pytest
from IPython.display import HTML

import openai_widgets as ow
from openai_widgets import widgets as panels
from openai_widgets.widgets import _style
from openai_widgets.widgets._output import notice, show
from openai_widgets.widgets._style import STYLESHEET, StyledBox, stylesheet
from openai_widgets.widgets.studio import PANELS

PACKAGE = Path(panels.__file__).parent
SOURCES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "_style.py")

INLINE = [
    re.compile(r"(?<![\w-])style\s*=\s*\\?['\"]"),  # an HTML style attribute (not button_style=...)
    re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b"),  # a hex colour
    re.compile(r"\b(?:color|background(?:-color)?)\s*:"),  # a CSS colour property
]


def descendants(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from descendants(child)


def test_the_scan_sees_every_widgets_module():
    assert {p.name for p in SOURCES} >= {"chat.py", "studio.py", "_output.py", "_panel.py", "credential.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_inline_colours_or_styles_in_the_widgets_package(path):
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(pattern.search(line) for pattern in INLINE)
    ]
    assert found == []


def test_the_scan_would_catch_an_inline_colour():
    assert any(p.search("f\"<span style='color:#b00020'>\"") for p in INLINE)
    assert any(p.search('"<td style=\\"x\\">"') for p in INLINE)
    assert not any(p.search('widgets.Button(button_style="primary", style={"a": 1})') for p in INLINE)


def test_every_class_the_panels_write_is_in_the_stylesheet():
    defined = set(re.findall(r"\.(ow-[\w-]+)", STYLESHEET))
    written = set()  # in the HTML the panels write (add_class names, and a thread's name, are not styled)
    for path in SOURCES:
        for line in path.read_text().splitlines():
            if "add_class" not in line and "name=" not in line:
                written |= {name for name in re.findall(r"\bow-[a-z][\w-]*", line) if not name.endswith("-")}
    written |= {"ow-notice", "ow-ok", "ow-working", "ow-job-succeeded", "ow-job-failed", "ow-job-cancelled"}
    assert written >= {"ow-error", "ow-flagged", "ow-counter", "ow-over", "ow-edit-diff", "ow-job-status"}
    assert written <= defined


@pytest.mark.parametrize("name", [name for _, _, name in PANELS])
def test_every_panel_carries_the_one_stylesheet_first(name, sandbox):
    panel = getattr(panels, name)()
    assert panel.children[0] is stylesheet()
    panel.children = [widgets.Label("replaced")]
    assert panel.children[0] is stylesheet()
    assert [type(c) for c in panel.children] == [widgets.HTML, widgets.Label]


def test_the_studio_holds_the_stylesheet_once(connected):
    studio = ow.studio()
    sheets = {w.model_id for w in descendants(studio) if isinstance(w, widgets.HTML) and "<style>" in w.value}
    assert sheets == {stylesheet().model_id}
    assert studio.children[0] is stylesheet()
    assert ".ow-studio .lm-TabBar-tab" in stylesheet().value
    assert "ow-stylesheet" in stylesheet()._dom_classes
    studio.close()


def test_a_closed_stylesheet_is_made_again(monkeypatch):
    monkeypatch.setattr(_style, "_shared", None)
    first = stylesheet()
    assert stylesheet() is first
    first.close()
    again = stylesheet()
    assert again is not first
    assert again.value == first.value == f"<style>{STYLESHEET}</style>"
    assert StyledBox().children == (again,)


def test_status_lines_after_actions_use_classes(client, sandbox):
    chat = panels.ChatPanel(client=client)
    chat.send_button.click()
    assert chat.status.value.startswith("<span class='ow-error'><b>InvalidInputError</b>: ")
    chat.rows[0].content.value = "hi <b>"
    chat.send_button.click()
    assert "<div class='ow-reply-text'>" in chat.reply.value
    for widget in descendants(chat):
        if isinstance(widget, widgets.HTML) and widget is not stylesheet():
            assert "style=" not in widget.value


def test_notice_marks_what_it_is_and_escapes():
    assert notice("Pick a <file> first.") == "<span class='ow-notice'>Pick a &lt;file&gt; first.</span>"
    assert notice("saved 1", "ok") == "<span class='ow-ok'>saved 1</span>"
    assert notice("loading...", "working") == "<span class='ow-working'>loading...</span>"
    error = ow.InvalidInputError("model is 'x' & <y>")
    assert notice(error) == (
        "<span class='ow-error'><b>InvalidInputError</b>: model is &#x27;x&#x27; &amp; &lt;y&gt;</span>"
    )


def test_show_replaces_what_an_output_shows():
    output = widgets.Output()
    show(output, HTML("<p>one</p>"), "two")
    assert [item["data"].get("text/html", item["data"]["text/plain"]) for item in output.outputs] == [
        "<p>one</p>",
        "'two'",
    ]
    show(output, HTML("<p>three</p>"))
    assert len(output.outputs) == 1
    show(output)
    assert output.outputs == ()
