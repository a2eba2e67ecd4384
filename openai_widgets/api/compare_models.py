"""Compare models on a DataFrame: one eval, one run per model at once, one row per model.

The rows are uploaded once, every model's run starts at once on the server, and they are
followed together (a progress line each). The table: `model`, `pass_rate` (items that
passed every criterion), `<criterion>_pass_rate` per criterion, `mean_score` (of every
grader over every item), `tokens` (the model's own, from the run's usage),
`estimated_cost` (those tokens priced by `prices=`, see `_evals.pricing`), `latency`
(seconds from the runs' start until the run was seen finished), then `items`, `errored`,
`run_id` and `status`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._core.arguments import model_argument, positive_number, text
from .._core.errors import InvalidInputError, InvalidTypeError
from .._tables.records import Record
from .eval_runs import EvalRunsAPI
from .evals import EvalsAPI

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CompareModelsAPI"]


class CompareModelsAPI(EvalsAPI, EvalRunsAPI):
    def compare_models(
        self,
        data: Any,
        models: Sequence[str],
        template: Any,
        criteria: Any,
        *,
        name: str | None = None,
        text_format: Any = None,
        prices: Any = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Run each of `models` over `data` in one eval and compare them, one row per model.

        `template` is the prompt (`{column}` from each row), `criteria` the graders, as in
        `create_eval` and `run_eval`. Columns: `model`, `pass_rate`, `<criterion>_pass_rate`,
        `mean_score`, `tokens`, `estimated_cost` (US dollars; `prices` is a dict of model ->
        (input, output) dollars per 1M tokens, or a function model -> prices; NaN when a
        price is unknown), `latency` (seconds), `items`, `errored`, `run_id`, `status`.
        `.attrs` holds `eval_id`, `prices_dated`; `ow.plot_comparison(frame)` draws it.
        """
        from .._evals.criteria import testing_criteria
        from .._evals.data import check_frame, input_messages, item_schema
        from .._evals.pricing import price_lookup, run_cost
        from .._evals.results import run_summary

        frame = check_frame(data)
        chosen = _models(models)
        made = testing_criteria(criteria, list(frame.columns))
        input_messages(template, list(frame.columns))  # a wrong prompt is refused before anything is sent
        lookup = price_lookup(prices)
        interval = positive_number(poll_interval, "poll_interval", unit="seconds", optional=True)
        title = text(name, "name", optional=True) or f"compare {', '.join(chosen)}"
        prepared = {model: self._prepare_run(frame, model, template, text_format) for model in chosen}
        created = self.create_eval(title, frame, criteria=made, item_schema=item_schema(frame))
        path = f"evals/{created['id']}"
        file_id = self._upload_items(next(iter(prepared.values())))
        runs: dict[str, Record] = {}
        for model, ready in prepared.items():
            runs[model] = self._start_run(path, ready, {"name": model}, file_id)
        finished = self._follow_runs(path, runs, len(frame), interval, progress)
        names = [c["name"] for c in made]
        rows = []
        for model, (run, seconds) in finished.items():
            results = self.eval_results(created["id"], run["id"])
            rows.append(
                run_summary(
                    run,
                    results,
                    names,
                    model=model,
                    seconds=seconds,
                    cost=lambda usage, _model: run_cost(usage, lookup),
                )
            )
        return _comparison_frame(rows, names, created["id"])


def _models(models: Any) -> list[str]:
    if isinstance(models, str):
        models = [part.strip() for part in models.split(",")]
    if not isinstance(models, (list, tuple)):
        raise InvalidTypeError(f"models must be a list of model IDs, not {type(models).__name__}")
    chosen = [model_argument(model, "chat") for model in models if model is not None]
    if not chosen:
        raise InvalidInputError(
            "models is empty; give the model IDs to compare, e.g. ['gpt-4o-mini', 'gpt-4o']"
        )
    repeated = sorted({model for model in chosen if chosen.count(model) > 1})
    if repeated:
        raise InvalidInputError(f"models names {repeated[0]!r} twice; give each model once")
    return chosen


def _comparison_frame(rows: list[dict[str, Any]], names: list[str], eval_id: str) -> pd.DataFrame:
    import pandas as pd

    from .._evals.pricing import PRICES_DATED
    from .._evals.results import criterion_column

    rates = [f"{criterion_column(name)}_pass_rate" for name in names]
    columns = ["model", "pass_rate", *rates, "mean_score", "tokens", "estimated_cost", "latency"]
    columns += ["items", "errored", "run_id", "status"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in ("pass_rate", *rates, "mean_score", "estimated_cost", "latency"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in ("tokens", "items", "errored"):
        frame[column] = frame[column].astype("int64")
    for column in ("model", "run_id", "status"):
        frame[column] = frame[column].astype("str")
    frame.attrs.update(eval_id=eval_id, prices_dated=PRICES_DATED)
    return frame
