"""In a terminal IPython (no kernel) every result prints as a short text, once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets.widgets.studio import PANELS
from tests.support.tuning import examples, quick_jobs  # noqa: F401 - a fixture


def printed(ip, capsys, cell: str) -> str:
    capsys.readouterr()
    result = ip.run_cell(cell, store_history=True)  # a new cell number, as typed at the prompt
    result.raise_error()
    return capsys.readouterr().out


def test_the_studio_is_one_short_line_not_a_widget_dump(ip, capsys):
    out = printed(ip, capsys, "%openai studio chat")
    (line,) = out.strip().splitlines()
    assert line.startswith("Out[") and f"<Studio: {len(PANELS)} tabs, on Chat; 127.0.0.1:" in line
    assert line.endswith("a widget for Jupyter>")
    assert "<style" not in out and "ow-" not in out and "children" not in out


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (
            "%openai image -n 2 --size 256x256 a fox in the snow",
            "<ImageResult: 2 images from dall-e-2, 256x256>",
        ),
        ("%openai audio speak 'Hello there' --format wav", "<Speech: wav, "),
    ],
)
def test_images_and_speech_print_once(ip, capsys, cell, text):
    out = printed(ip, capsys, cell)
    assert out.count(text) == 1, out
    (line,) = out.strip().splitlines()
    assert line.startswith("Out[")


def test_an_assigned_result_prints_nothing_until_asked_for(ip, capsys):
    assert printed(ip, capsys, "x = %openai image --size 256x256 a fox in the snow") == ""
    assert printed(ip, capsys, "x").count("<ImageResult: 1 image from dall-e-2, 256x256>") == 1


@pytest.mark.parametrize(
    ("cell", "starts"),
    [
        ("ow.chat('hi')", "[sandbox] You said"),
        ("ow.model('gpt-4o-mini')", "{"),
        ("ow.widgets.ChatPanel()", "<ChatPanel: Chat, a widget for Jupyter>"),
        ("ow.widgets.CredentialWidget()", "<CredentialWidget: Connection, a widget for Jupyter>"),
        ("ow.plot_embeddings(vectors)", "<EmbeddingMap of 3 embeddings: PC1 "),
        ("LossChart()", "<LossChart: no metrics yet>"),
    ],
)
def test_every_result_has_a_short_text_form_printed_once(ip, capsys, cell, starts):
    ip.user_ns["ow"] = ow
    ip.user_ns["vectors"] = pd.DataFrame(
        {"input": list("abc"), "embedding": list(np.eye(3, dtype="float32"))}
    )
    ip.run_cell("from openai_widgets._tuning.loss_chart import LossChart")
    out = printed(ip, capsys, cell)
    assert out.count(starts) == 1, out
    assert out.startswith("Out[")
    assert "<style" not in out and "application/vnd" not in out


def test_following_a_job_prints_log_lines_not_the_view_again_and_again(ip, capsys, connected, quick_jobs):  # noqa: F811
    job = connected.fine_tune(examples(10))
    ip.user_ns["job_id"] = job["id"]
    out = printed(ip, capsys, "%openai fine-tune events {job_id} --follow")
    assert out.count(f"{job['id']}: succeeded") == 1, "the summary line, once"
    assert out.count("Fine-tuning job started") == 1
    assert "data:image/png" not in out and "<div" not in out
