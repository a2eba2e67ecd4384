"""An eval run's output items as a DataFrame, and a run's figures as one row of a comparison.

`results_frame`: one row per item, in data source order: the item's fields, the model's
`output`, the item's `status` (pass, fail or error), the `error` of an item a grader could
not grade, then for each criterion `<name>_passed` (bool) and `<name>_score` (float), the
name made an identifier (`exact topic` -> `exact_topic`). An item field that would clash
with those columns is prefixed `item_`. The columns are the same when there are no items.

`run_summary`: what `compare_models` shows of one finished run: pass rates overall and
per criterion, the mean score, tokens, estimated cost and time taken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["criterion_column", "criterion_names", "results_frame", "run_summary"]

_FIXED = ("output", "status", "error")


def criterion_column(name: str) -> str:
    """A criterion's name as an identifier for column names: `exact topic` -> `exact_topic`."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower() or "criterion"


def criterion_names(eval_record: dict[str, Any]) -> list[str]:
    return [str(c.get("name")) for c in eval_record.get("testing_criteria") or [] if isinstance(c, dict)]


def results_frame(
    items: Iterable[dict[str, Any]], criteria: Sequence[str], fields: Sequence[str] = ()
) -> pd.DataFrame:
    """Output items -> one row per item (see the module docstring); `fields` are the item's schema."""
    import pandas as pd

    ordered = sorted(items, key=lambda item: item.get("datasource_item_id") or 0)
    names = list(dict.fromkeys([*fields, *(k for i in ordered for k in (i.get("datasource_item") or {}))]))
    graded = [criterion_column(name) for name in criteria]
    taken = {*_FIXED, *(f"{g}_{part}" for g in graded for part in ("passed", "score"))}
    shown = {name: f"item_{name}" if name in taken else name for name in names}
    columns: dict[str, Any] = {
        shown[name]: pd.Series([(i.get("datasource_item") or {}).get(name) for i in ordered], dtype=object)
        for name in names
    }
    columns["output"] = pd.Series([_output_text(i) for i in ordered], dtype="str")
    columns["status"] = pd.Series([i.get("status") for i in ordered], dtype="str")
    columns["error"] = pd.Series([_error(i) for i in ordered], dtype="str")
    for name, column in zip(criteria, graded, strict=True):
        found = [_result(i, name) for i in ordered]
        columns[f"{column}_passed"] = pd.Series([bool(r.get("passed")) for r in found], dtype=bool)
        columns[f"{column}_score"] = pd.Series([r.get("score") for r in found], dtype="float64")
    frame = pd.DataFrame(columns)
    frame.index = pd.Index([i.get("datasource_item_id") for i in ordered], dtype="int64", name="item")
    return _typed(frame, [shown[n] for n in names])


def run_summary(
    run: dict[str, Any],
    results: pd.DataFrame,
    criteria: Sequence[str],
    *,
    model: str,
    seconds: float,
    cost: Callable[[list[dict[str, Any]], str], float | None],
) -> dict[str, Any]:
    """One row of `compare_models`: a finished run's figures (`cost(per_model_usage, model)` prices it)."""
    counts = run.get("result_counts") or {}
    total = counts.get("total") or 0
    per_criterion = {r.get("testing_criteria"): r for r in run.get("per_testing_criteria_results") or []}
    row: dict[str, Any] = {"model": model, "pass_rate": _share(counts.get("passed"), total)}
    for name in criteria:
        found = per_criterion.get(name) or {}
        row[f"{criterion_column(name)}_pass_rate"] = _share(found.get("passed"), total)
    scores = results[[c for c in results.columns if c.endswith("_score")]]
    row["mean_score"] = float(scores.stack().mean()) if scores.size and total else float("nan")
    usage = [u for u in run.get("per_model_usage") or [] if u.get("model_name") == model]
    row["tokens"] = sum(int(u.get("total_tokens") or 0) for u in usage)
    row["estimated_cost"] = cost(usage, model)
    row["latency"] = seconds
    row.update(items=total, errored=counts.get("errored") or 0)
    row.update(run_id=run.get("id"), status=run.get("status"))
    return row


# -- helpers ---------------------------------------------------------------------------------


def _output_text(item: dict[str, Any]) -> str | None:
    sample = item.get("sample") or {}
    outputs = sample.get("output") or []
    texts = [str(m.get("content")) for m in outputs if isinstance(m, dict) and m.get("content") is not None]
    return " ".join(texts) if texts else None


def _error(item: dict[str, Any]) -> str | None:
    error = (item.get("sample") or {}).get("error")
    if isinstance(error, dict) and (error.get("message") or error.get("code")):
        return str(error.get("message") or error.get("code"))
    return None


def _result(item: dict[str, Any], name: str) -> dict[str, Any]:
    return next((r for r in item.get("results") or [] if r.get("name") == name), {})


def _share(part: Any, total: int) -> float:
    return float(part or 0) / total if total else float("nan")


def _typed(frame: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """Item fields as real dtypes where the values allow (numbers, booleans, text)."""
    import pandas as pd

    for name in fields:
        values = frame[name].dropna()
        if values.empty:
            continue
        if all(isinstance(v, bool) for v in values):
            frame[name] = frame[name].astype("boolean")
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            frame[name] = frame[name].astype("Int64")
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        elif all(isinstance(v, str) for v in values):
            frame[name] = frame[name].astype("str")
    return frame
