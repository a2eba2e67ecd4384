"""What a fine-tuning job reports, by method, and the numbers and series shown of it.

Each method has its metrics (the columns of `fine_tuning_events()` frames):

    supervised      train_loss, train_mean_token_accuracy
    dpo             train_loss, train_reward_margin, train_preference_accuracy
    reinforcement   train_reward_mean, train_reward_std

and, with a validation file, the `valid_` (each step) and `full_valid_` (each checkpoint)
ones. Its headline (the loss; the mean reward for reinforcement) leads the status line and
is what the chart's top panel draws, with its validation curves when there are; the other
metrics go below it. These are data functions only: drawing is `loss_plot`'s (PIL) and
`loss_chart`'s (plotly) job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CURVES",
    "METRICS",
    "PHASES",
    "chart_series",
    "headline",
    "job_method",
    "latest",
    "method_metrics",
    "method_series",
    "phase",
]

METRICS = {
    "supervised": ("train_loss", "train_mean_token_accuracy"),
    "dpo": ("train_loss", "train_reward_margin", "train_preference_accuracy"),
    "reinforcement": ("train_reward_mean", "train_reward_std"),
}
# The headline's curves: training, then validation at each step, then the whole validation file.
CURVES = {
    "supervised": ("train_loss", "valid_loss", "full_valid_loss"),
    "dpo": ("train_loss", "valid_loss", "full_valid_loss"),
    "reinforcement": ("train_reward_mean", "valid_reward_mean", "full_valid_reward_mean"),
}
PHASES = ("full_valid_", "valid_", "train_")  # longest first: "full_valid_loss" is not "valid_"


def job_method(job: Any, events: pd.DataFrame | None = None) -> str:
    """A job's method type: from its record's `method`, else guessed from the metrics it reports."""
    method = job.get("method") if isinstance(job, dict) else None
    kind = method.get("type") if isinstance(method, dict) else None
    if kind in METRICS:
        return kind
    columns = set(getattr(events, "columns", ()))
    if "train_reward_mean" in columns:
        return "reinforcement"
    if "train_reward_margin" in columns:
        return "dpo"
    return "supervised"


def headline(method: str) -> str:
    """The metric a method is followed by: `train_loss`, or `train_reward_mean` for reinforcement."""
    return CURVES.get(method, CURVES["supervised"])[0]


def phase(name: str) -> str | None:
    """ "train_", "valid_" or "full_valid_": which data a metric was measured on (None: not a metric)."""
    return next((prefix for prefix in PHASES if name.startswith(prefix)), None)


def method_metrics(method: str, events: pd.DataFrame | None = None) -> list[str]:
    """The method's metric columns that `events` has: training ones, then their validation ones."""
    names = METRICS.get(method, METRICS["supervised"])
    wanted = [*names, *(f"valid_{n[6:]}" for n in names), *(f"full_valid_{n[6:]}" for n in names)]
    columns = set(getattr(events, "columns", wanted))
    return [name for name in wanted if name in columns]


def method_series(events: pd.DataFrame | None, method: str) -> dict[str, tuple[list[float], list[float]]]:
    """(steps, values) of each of the method's metrics that has values, in step order."""
    if events is None or "step" not in getattr(events, "columns", ()):
        return {}
    return _series(events, method_metrics(method, events))


def chart_series(events: pd.DataFrame | None, method: str) -> dict[str, list[tuple[float, float]]]:
    """(step, value) pairs of the headline's curves that have values, in step order."""
    if events is None or "step" not in getattr(events, "columns", ()):
        return {}
    names = [name for name in CURVES.get(method, CURVES["supervised"]) if name in events.columns]
    return {name: list(zip(*pair, strict=True)) for name, pair in _series(events, names).items()}


def latest(events: pd.DataFrame | None, method: str) -> dict[str, float]:
    """The last reported value of each of the method's metrics (step included), in their order."""
    if events is None or "step" not in getattr(events, "columns", ()):
        return {}
    reported = events[events["step"].notna()]
    if reported.empty:
        return {}
    values = {"step": float(reported["step"].iloc[-1])}
    for name in method_metrics(method, events):
        column = reported[name].dropna()
        if len(column):
            values[name] = float(column.iloc[-1])
    return values


def _series(events: pd.DataFrame, names: list[str]) -> dict[str, tuple[list[float], list[float]]]:
    found = {}
    for name in names:
        rows = events[["step", name]].dropna().sort_values("step", kind="stable")
        if len(rows):
            found[name] = (rows["step"].astype(float).tolist(), rows[name].astype(float).tolist())
    return found
