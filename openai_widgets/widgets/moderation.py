"""The moderation panel: texts in, a table out with flagged rows highlighted."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .._core.constants import DEFAULT_MODELS
from ._output import show
from ._panel import Panel, frame_trait

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ModerationPanel", "summary_frame"]


def summary_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Per input: `input`, `flagged`, `top_category` and `top_score`, and the flagged `categories`."""
    import pandas as pd

    scores = frame[[c for c in frame.columns if c.endswith("_score")]]
    flags = frame[[c[: -len("_score")] for c in scores.columns]]
    summary = pd.DataFrame({"input": frame["input"], "flagged": frame["flagged"]}, index=frame.index)
    if scores.empty or not len(frame):
        summary["top_category"] = pd.Series(dtype="object")
        summary["top_score"] = pd.Series(dtype="float64")
        summary["categories"] = pd.Series(dtype="object")
        return summary
    summary["top_category"] = scores.idxmax(axis=1).str.removesuffix("_score")
    summary["top_score"] = scores.max(axis=1)
    summary["categories"] = flags.apply(lambda row: ", ".join(row.index[row.to_numpy(dtype=bool)]), axis=1)
    return summary


def _table_html(summary: pd.DataFrame) -> str:
    header = "".join(f"<th>{html.escape(c)}</th>" for c in summary.columns)
    rows = []
    for _, row in summary.iterrows():
        cells = "".join(
            f"<td>{html.escape(f'{v:.3f}' if isinstance(v, float) else str(v))}</td>" for v in row
        )
        rows.append(f"<tr class='{'ow-flagged' if row['flagged'] else ''}'>{cells}</tr>")
    body = "".join(rows)
    return f"<table class='ow-moderation-table'><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


class ModerationPanel(Panel):
    """Check texts (one per line); the table shows each one's top category, flagged rows in red.

    `frame` is the last `moderate()` DataFrame (also `result`), `summary` its table.
    """

    title = "Moderation"
    model_kinds = ("moderation",)
    frame = frame_trait("the last moderate() DataFrame")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["moderation"])
        self.inputs = widgets.Textarea(
            placeholder="one text per line",
            description="Inputs",
            layout=widgets.Layout(width="100%", height="120px"),
        )
        self.check_button = widgets.Button(description="Check", button_style="primary", icon="shield")
        self.table = widgets.Output().add_class("ow-moderation-results")
        self.counts = widgets.HTML()
        self.summary: pd.DataFrame | None = None
        self.children = [
            self.model_picker,
            self.inputs,
            self.check_button,
            self.status,
            self.counts,
            self.table,
        ]
        self.add_class("ow-panel-moderation")
        self.check_button.on_click(self.check)

    def check(self, _button: Any = None) -> pd.DataFrame | None:
        return self.act(self.check_button, self._check, working="checking...", table=True)

    def _check(self) -> pd.DataFrame:
        texts = [line for line in self.inputs.value.splitlines() if line.strip()]
        frame = self.client.moderate(texts, model=self.model_picker.value)
        self.summary = summary_frame(frame)
        from IPython.display import HTML

        show(self.table, HTML(_table_html(self.summary)))
        flagged = int(frame["flagged"].sum())
        self.counts.value = html.escape(f"{flagged} of {len(frame)} flagged · {frame.attrs.get('model')}")
        return frame
