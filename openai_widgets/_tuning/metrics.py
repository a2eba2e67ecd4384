"""The metrics a fine-tuning job's events carry, per method, as series to plot against `step`.

Each method reports its own: supervised `train_loss` and `train_mean_token_accuracy`, DPO
`train_loss`, `train_reward_margin` and `train_preference_accuracy`, reinforcement
`train_reward_mean` and `train_reward_std`, each with `valid_` and `full_valid_`
counterparts when there is validation data. The headline metric (a loss, or the mean
reward) goes in the chart's top panel, the others below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PHASES", "headline", "metric_series", "phase"]

PHASES = ("full_valid_", "valid_", "train_")  # longest first: "full_valid_loss" is not "valid_"
_HEADLINES = ("_loss", "_reward_mean")


def metric_series(events: pd.DataFrame | None) -> dict[str, tuple[list[float], list[float]]]:
    """(steps, values) per metric column of `events`, in step order, missing values left out."""
    if events is None or "step" not in getattr(events, "columns", ()):
        return {}
    found = {}
    for name in events.columns:
        if phase(name) is None:
            continue
        rows = events[["step", name]].dropna().sort_values("step", kind="stable")
        if len(rows):
            found[name] = (rows["step"].astype(float).tolist(), rows[name].astype(float).tolist())
    return found


def phase(name: str) -> str | None:
    """ "train_", "valid_" or "full_valid_": which data a metric was measured on (None: not a metric)."""
    return next((prefix for prefix in PHASES if name.startswith(prefix)), None)


def headline(name: str) -> bool:
    """Whether `name` is a headline metric: a loss, or the mean reward of reinforcement tuning."""
    return name.endswith(_HEADLINES)
