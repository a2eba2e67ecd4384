"""The Evals panel: compare models on a DataFrame of the notebook, with a table and a chart.

Pick a DataFrame from the notebook's variables, write the prompt (`{column}` from each row),
say how an answer is graded (the answer column and a check, or a variable holding
graders), list the models, and Compare: one `compare_models()` call, whose table shows
below with a bar chart of each model's pass rate and estimated cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeGuard

import ipywidgets as widgets

from .._core.constants import DEFAULT_MODELS
from .._evals.chart import plot_comparison
from .._media.image_input import encode_png
from ._controls import set_options, wrapping_row
from ._output import notice, show
from ._panel import Panel, frame_trait

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EvalsPanel"]

# (label, the grader it makes for the answer column)
CHECKS = {
    "equals": {"type": "string_check", "operation": "eq"},
    "contains": {"type": "string_check", "operation": "like"},
    "contains, any case": {"type": "string_check", "operation": "ilike"},
    "is similar to": {"type": "text_similarity", "evaluation_metric": "fuzzy_match"},
}
FROM_THE_FORM = "(the check above)"
SHOWN_COLUMNS = ["model", "pass_rate", "mean_score", "tokens", "estimated_cost", "latency"]


class EvalsPanel(Panel):
    """Compare models on a DataFrame: data, prompt, criteria and models in, a table and a chart out.

    The data list holds the notebook's DataFrames (Refresh data reads them again; set
    `namespace` to a dict to use other variables). The criteria are "the answer column
    <check> the model's output", or a variable holding graders (a dict or a list, in the
    API's form or the short form). Compare runs `compare_models()`; `frame` and `result`
    are its table, `chart` shows pass rates and estimated costs per model.
    """

    title = "Evals"
    model_kinds = ("chat", "fine-tuned")
    frame = frame_trait("the comparison: one row per model")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.namespace: Mapping[str, Any] | None = None  # None: the notebook's variables
        self._build_inputs()
        self.compare_button = widgets.Button(description="Compare", icon="play", button_style="primary")
        self.chart = widgets.Image(format="png", layout={"width": "760px"}).add_class("ow-evals-chart")
        self.chart.layout.display = "none"
        self.table = widgets.Output()
        self.children = [
            widgets.HTML("<b>Data</b>"),
            wrapping_row(self.data_picker, self.refresh_data_button),
            self.preview,
            self.template,
            widgets.HTML("<b>Criteria</b>: the answer column, compared with the model's output"),
            wrapping_row(self.answer_column, self.check, self.criteria_picker),
            widgets.HTML("<b>Models</b>"),
            wrapping_row(self.model_picker, self.add_model_button),
            self.models,
            self.compare_button,
            self.status,
            self.chart,
            self.table,
        ]
        self.add_class("ow-panel-evals")
        self.compare_button.on_click(self.compare)
        self.refresh_data()

    def _build_inputs(self) -> None:
        self.data_picker = widgets.Dropdown(options=[], description="DataFrame")
        self.refresh_data_button = widgets.Button(description="Refresh data", icon="refresh")
        self.preview = widgets.Output(layout={"max_height": "180px", "overflow": "auto"})
        self.template = widgets.Textarea(
            placeholder="the prompt, {column} from each row: Answer with the city only: {question}",
            description="Prompt",
            layout={"width": "640px"},
        )
        self.answer_column = widgets.Dropdown(options=[], description="Answer")
        self.check = widgets.Dropdown(options=list(CHECKS), value="equals", description="Check")
        self.criteria_picker = widgets.Dropdown(options=[FROM_THE_FORM], description="or graders")
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["chat"])
        self.add_model_button = widgets.Button(description="Add model", icon="plus")
        self.models = widgets.TagsInput(value=[DEFAULT_MODELS["chat"], "gpt-4o"], allow_duplicates=False)
        self.refresh_data_button.on_click(self.refresh_data)
        self.data_picker.observe(self._on_data, names="value")
        self.add_model_button.on_click(self.add_model)

    # -- actions -----------------------------------------------------------------------------

    def refresh_data(self, _button: Any = None) -> None:
        """List the DataFrames (and the graders) among the notebook's variables."""
        variables = self._variables()
        frames = sorted(name for name, value in variables.items() if _is_frame(value))
        graders = sorted(name for name, value in variables.items() if _is_graders(value))
        set_options(self.data_picker, [(name, name) for name in frames])
        set_options(self.criteria_picker, [(name, name) for name in (FROM_THE_FORM, *graders)])
        if not frames:
            self.status.value = notice("No DataFrame in the notebook yet: make one, then Refresh data.")

    def add_model(self, _button: Any = None) -> None:
        """Add the picked model to the models compared."""
        model = self.model_picker.value.strip()
        if model and model not in self.models.value:
            self.models.value = [*self.models.value, model]

    def compare(self, _button: Any = None) -> None:
        """Run `compare_models()` on the picked data; show its table and chart."""
        data = self._variables().get(self.data_picker.value or "")
        if not _is_frame(data):
            self.status.value = notice("Pick a DataFrame first (Refresh data lists them).")
            return
        criteria = self._criteria()
        if criteria is None:
            return
        models, template = list(self.models.value), self.template.value
        frame = self.act(
            self.compare_button,
            lambda: self.client.compare_models(data, models, template, criteria, progress=False),
            working=f"running {len(models)} models over {len(data)} rows...",
            table=True,
        )
        if frame is not None:
            self.chart.value = encode_png(plot_comparison(frame))
            self.chart.layout.display = ""
            shown = [c for c in frame.columns if c.endswith("pass_rate") or c in SHOWN_COLUMNS]
            show(self.table, frame[shown])
            best = frame.sort_values("pass_rate", ascending=False)["model"].iloc[0]
            self.status.value = notice(f"compared {len(frame)} models; {best} passed most", "ok")

    # -- helpers -----------------------------------------------------------------------------

    def _variables(self) -> Mapping[str, Any]:
        if self.namespace is not None:
            return self.namespace
        from IPython import get_ipython

        shell = get_ipython()
        return shell.user_ns if shell is not None else {}

    def _criteria(self) -> Any:
        """The graders to use: a picked variable, or the answer column and check of the form."""
        if self.criteria_picker.value and self.criteria_picker.value != FROM_THE_FORM:
            return self._variables().get(self.criteria_picker.value)
        column = self.answer_column.value
        if not column:
            self.status.value = notice("Pick the answer column (the data's expected answers).")
            return None
        return {**CHECKS[self.check.value], "reference": "{" + column + "}"}

    def _on_data(self, change: dict[str, Any]) -> None:
        data = self._variables().get(change["new"] or "")
        if not _is_frame(data):
            set_options(self.answer_column, [])
            show(self.preview)
            return
        columns = [str(c) for c in data.columns]
        set_options(self.answer_column, [(column, column) for column in columns])
        guess = next((c for c in columns if c.lower() in {"answer", "label", "expected", "target"}), None)
        if guess:
            self.answer_column.value = guess
        show(self.preview, data.head(5))


def _is_frame(value: Any) -> TypeGuard[pd.DataFrame]:
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")


def _is_graders(value: Any) -> bool:
    """A grader dict, or a non-empty list of them."""
    if isinstance(value, Mapping):
        return isinstance(value.get("type"), str)
    return isinstance(value, list) and bool(value) and all(_is_graders(item) for item in value)
