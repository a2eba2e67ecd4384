"""The monitor's numbers per method: which metrics, the headline, the curves (validation too)."""

from __future__ import annotations

import pandas as pd
import pytest

from openai_widgets._tables.frames import fine_tuning_events_frame
from openai_widgets._tuning.live_view import FineTuningView
from openai_widgets._tuning.loss_plot import loss_plot
from openai_widgets._tuning.metrics import chart_series, headline, job_method, latest, method_metrics
from openai_widgets._tuning.monitor import FineTuningUpdate, status_summary


def events(method: str, steps: int = 4, validation: bool = False) -> pd.DataFrame:
    """A job's events as the API lists them (newest first), with the method's metrics."""
    listed = []
    for step in range(1, steps + 1):
        if method == "reinforcement":
            data = {
                "step": step,
                "train_reward_mean": 0.2 * step,
                "train_reward_std": 0.1,
                "scores": {"a": 0.5},
            }
            if validation:
                data["valid_reward_mean"] = 0.15 * step
        elif method == "dpo":
            data = {
                "step": step,
                "train_loss": 0.7 / step,
                "train_reward_margin": step,
                "train_preference_accuracy": 0.5,
            }
            if validation:
                data["valid_loss"] = 0.8 / step
        else:
            data = {"step": step, "train_loss": 2.0 / step, "train_mean_token_accuracy": 0.5}
        listed.append(
            {
                "id": f"e{step}",
                "created_at": 1700000000 + step,
                "level": "info",
                "message": f"Step {step}",
                "type": "metrics",
                "data": data,
            }
        )
    return fine_tuning_events_frame(listed[::-1])


def test_the_method_comes_from_the_job_or_its_metrics():
    assert job_method({"method": {"type": "dpo"}}) == "dpo"
    assert job_method({}, events("reinforcement")) == "reinforcement"
    assert job_method({}, events("dpo")) == "dpo"
    assert job_method({}, events("supervised")) == "supervised"
    assert [headline(m) for m in ("supervised", "dpo", "reinforcement")] == [
        "train_loss",
        "train_loss",
        "train_reward_mean",
    ]


def test_each_method_has_its_own_metrics():
    assert method_metrics("dpo", events("dpo", validation=True)) == [
        "train_loss",
        "train_reward_margin",
        "train_preference_accuracy",
        "valid_loss",
    ]
    assert method_metrics("reinforcement", events("reinforcement")) == [
        "train_reward_mean",
        "train_reward_std",
    ]
    assert latest(events("reinforcement"), "reinforcement") == {
        "step": 4.0,
        "train_reward_mean": 0.8,
        "train_reward_std": 0.1,
    }


def test_the_curves_include_validation_when_there_is_one():
    assert set(chart_series(events("dpo"), "dpo")) == {"train_loss"}
    series = chart_series(events("reinforcement", validation=True), "reinforcement")
    assert set(series) == {"train_reward_mean", "valid_reward_mean"}
    assert series["valid_reward_mean"][-1] == pytest.approx((4.0, 0.6))


def test_the_status_line_names_the_method_and_its_headline():
    job = {"id": "ftjob-1", "status": "running", "method": {"type": "reinforcement"}}
    assert status_summary(job, events("reinforcement", validation=True)) == (
        "ftjob-1 (reinforcement): running, step 4, train_reward_mean 0.8, valid_reward_mean 0.6"
    )
    dpo = {"id": "ftjob-2", "status": "running", "method": {"type": "dpo"}}
    assert status_summary(dpo, events("dpo")) == "ftjob-2 (dpo): running, step 4, train_loss 0.175"


def test_the_live_view_draws_the_methods_curve():
    frame = events("reinforcement", validation=True)
    rewards = loss_plot(frame, method="reinforcement")
    assert rewards.size == (560, 260)
    empty = loss_plot(frame, method="supervised")  # no loss column: the empty chart
    assert len(rewards.getcolors(maxcolors=100_000)) > len(empty.getcolors(maxcolors=100_000))
    view = FineTuningView("ftjob-1")
    job = {"id": "ftjob-1", "status": "running", "method": {"type": "reinforcement"}}
    raw = [
        {
            "id": "e1",
            "created_at": 1700000001,
            "level": "info",
            "message": "Step 1",
            "type": "metrics",
            "data": {"step": 1, "train_reward_mean": 0.4},
        }
    ]
    update = FineTuningUpdate(job, raw, raw)
    assert update.method == "reinforcement"
    view.show(update)
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"].startswith("ftjob-1 (reinforcement): running, step 1, train_reward_mean 0.4")
    assert "alt='training curves'" in bundle["text/html"]
