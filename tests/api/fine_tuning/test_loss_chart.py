"""The metrics chart of a fine-tuning job: per method the metrics its events carry, updated in
place, with a picture for saved notebooks; the PIL drawing without the `plots` extra."""

from __future__ import annotations

import base64
import io

import pandas as pd
import pytest
from PIL import Image

from openai_widgets._tuning.loss_chart import LossChart
from openai_widgets._tuning.loss_plot import loss_plot
from tests.support import tuning as tuning_support
from tests.support.tuning import examples

quick_jobs = tuning_support.quick_jobs  # a fixture

GRADER = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "x",
    "operation": "eq",
}


def finished_events(client, training, **options):
    job = client.fine_tune(training, **options)
    *_, last = client.watch_fine_tuning(job["id"], poll_interval=0.05)
    assert last.status == "succeeded"
    return last.frame()


def preference_rows(count=10):
    return [
        {
            "input": {"messages": [{"role": "user", "content": f"q{n}"}]},
            "preferred_output": [{"role": "assistant", "content": "good"}],
            "non_preferred_output": [{"role": "assistant", "content": "bad"}],
        }
        for n in range(count)
    ]


def panels(chart):
    """{metric: "top" or "bottom"}: where each line is drawn."""
    return {trace.name: "top" if trace.yaxis == "y" else "bottom" for trace in chart.figure.data if trace.x}


def test_supervised_with_validation_losses_on_top_accuracies_below(client, quick_jobs):
    events = finished_events(client, examples(10), validation=examples(3, start=40))
    chart = LossChart(events)
    assert panels(chart) == {
        "train_loss": "top",
        "valid_loss": "top",
        "train_mean_token_accuracy": "bottom",
        "valid_mean_token_accuracy": "bottom",
    }
    steps, losses = chart.series["train_loss"]
    assert steps == sorted(steps) and len(steps) == 30
    assert losses[0] > losses[-1], "the loss falls"
    lines = {trace.name: trace for trace in chart.figure.data}
    assert lines["train_loss"].line.dash == "solid" and lines["valid_loss"].line.dash == "dash"
    assert lines["train_loss"].line.color != lines["valid_loss"].line.color
    assert chart.figure.layout.yaxis.title.text == "loss"
    assert chart.figure.layout.yaxis2.visible is True


def test_full_validation_is_drawn_as_points_once_per_epoch():
    events = pd.DataFrame(
        {
            "step": [1.0, 2.0, 3.0, 4.0],
            "train_loss": [2.0, 1.6, 1.2, 0.9],
            "full_valid_loss": [None, 1.7, None, 1.0],
            "message": ["a", "b", "c", "d"],
        }
    )
    chart = LossChart(events)
    full = next(trace for trace in chart.figure.data if trace.name == "full_valid_loss")
    assert (list(full.x), list(full.y)) == ([2.0, 4.0], [1.7, 1.0])
    assert full.mode == "lines+markers" and full.line.dash == "dot" and full.yaxis == "y"
    assert chart.figure.layout.yaxis2.visible is False  # nothing but losses: one panel


def test_dpo_shows_the_preference_loss_margin_and_accuracy(client, quick_jobs):
    events = finished_events(client, preference_rows(), method="dpo")
    chart = LossChart(events)
    assert panels(chart) == {
        "train_loss": "top",
        "train_reward_margin": "bottom",
        "train_preference_accuracy": "bottom",
    }
    lines = {trace.name: trace for trace in chart.figure.data}
    assert lines["train_reward_margin"].line.color != lines["train_preference_accuracy"].line.color


def test_reinforcement_shows_the_mean_reward_on_top(client, quick_jobs):
    prompts = [{"messages": [{"role": "user", "content": f"q{n}"}]} for n in range(10)]
    events = finished_events(
        client, prompts, method={"type": "reinforcement", "reinforcement": {"grader": GRADER}}
    )
    chart = LossChart(events)
    assert panels(chart) == {"train_reward_mean": "top", "train_reward_std": "bottom"}
    assert chart.figure.layout.yaxis.title.text == "mean reward"
    rewards = chart.series["train_reward_mean"][1]
    assert rewards[-1] > rewards[0], "the reward rises"
    picture = loss_plot(events)  # the PIL drawing, too, shows the reward
    assert (0, 114, 178) in {colour for _, colour in picture.getcolors(maxcolors=100_000)}


def test_update_changes_the_lines_in_place(client, quick_jobs):
    events = finished_events(client, examples(10))
    chart = LossChart(events.iloc[:5])
    figure, first = chart.figure, chart.figure.data[0]
    shown = len(first.x)
    chart.update(events)
    assert chart.figure is figure and chart.figure.data[0] is first
    assert len(first.x) > shown
    assert list(first.y) == chart.series["train_loss"][1]


def test_metrics_of_another_job_are_emptied_not_left(client, quick_jobs):
    prompts = [{"messages": [{"role": "user", "content": f"q{n}"}]} for n in range(10)]
    rewards = finished_events(
        client, prompts, method={"type": "reinforcement", "reinforcement": {"grader": GRADER}}
    )
    chart = LossChart(rewards)
    chart.update(finished_events(client, examples(10)))
    assert panels(chart) == {"train_loss": "top", "train_mean_token_accuracy": "bottom"}
    assert chart.figure.layout.yaxis.title.text == "loss"


def test_without_events_the_chart_is_empty_and_says_so():
    chart = LossChart()
    assert chart.series == {} and list(chart.figure.data) == []
    assert repr(chart) == "<LossChart: no metrics yet>"
    assert chart.figure.layout.yaxis2.visible is False


def test_the_chart_fills_the_output_unless_given_a_width():
    assert LossChart().figure.layout.width is None
    fitted = LossChart(width=460, height=300)
    assert (fitted.figure.layout.width, fitted.figure.layout.height) == (460, 300)


def test_the_notebook_gets_the_live_chart_and_a_picture(client, quick_jobs):
    chart = LossChart(finished_events(client, examples(10)))
    bundle = chart._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))).size == (560, 260)
    assert bundle["text/plain"].startswith("<LossChart: train_loss 0.1")


@pytest.mark.parametrize("kaleido", [True, False])
def test_png_export(client, quick_jobs, monkeypatch, kaleido):
    from openai_widgets._tables import plotting
    from openai_widgets._tuning import loss_chart

    chart = LossChart(finished_events(client, examples(10)))
    if not kaleido:
        monkeypatch.setattr(loss_chart, "export_png", lambda figure, width, height: None)
    try:
        png = chart.to_png(width=500, height=300)
    finally:
        plotting.stop_export()
    image = Image.open(io.BytesIO(png))
    assert image.size == ((500, 300) if kaleido else (560, 260))
