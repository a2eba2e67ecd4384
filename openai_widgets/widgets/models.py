"""The model explorer: search, filter and sort `models()`, inspect one, use it in another panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .._core.model_kinds import KINDS, model_kind
from ._controls import wrapping_row
from ._panel import Panel, frame_trait

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ModelsPanel"]

ALL = "all"
SORTS = {
    "newest first": (["created", "id"], [False, True]),
    "oldest first": (["created", "id"], [True, True]),
    "id": (["id"], [True]),
    "owner": (["owned_by", "id"], [True, True]),
}
# Which panel a model of each kind can be used in: (button label, studio tab key).
USES = {
    "chat": ("Use in chat", "chat"),
    "reasoning": ("Use in chat", "chat"),
    "fine-tuned": ("Use in chat", "chat"),
    "embedding": ("Use in embeddings", "embeddings"),
    "image": ("Use in images", "images"),
}


class ModelsPanel(Panel):
    """A searchable, sortable table of the models, filtered by owner, kind and creation date.

    Kinds are guessed from the model ID (see `openai_widgets._core.model_kinds`). Selecting a
    model shows its record; "use in ..." hands it to another panel through `on_use`,
    which the studio sets to switch tab with the model picked. `frame` is the models
    shown (after search, filters and sort), `result` the last list loaded or record shown.
    """

    title = "Models"
    frame = frame_trait("the models shown, after search, filters and sort")

    def __init__(self, *, client: Any = None, on_use: Callable[[str, str], None] | None = None) -> None:
        super().__init__(client=client)
        self.on_use = on_use
        self._all: pd.DataFrame | None = None  # the models() DataFrame, with a `kind` column
        short = {"description_width": "initial"}  # a label as wide as its word: more room in one row
        self.search = widgets.Text(
            placeholder="search model IDs",
            description="Search",
            continuous_update=True,
            style=short,
            layout=widgets.Layout(width="240px"),
        )
        self.owner = widgets.Dropdown(
            options=[ALL], value=ALL, description="Owner", style=short, layout=widgets.Layout(width="200px")
        )
        self.kind = widgets.Dropdown(
            options=[ALL, *KINDS],
            value=ALL,
            description="Kind",
            style=short,
            layout=widgets.Layout(width="170px"),
        )
        self.created_from = widgets.DatePicker(description="From")
        self.created_to = widgets.DatePicker(description="To")
        self.sort = widgets.Dropdown(
            options=list(SORTS),
            value="newest first",
            description="Sort",
            style=short,
            layout=widgets.Layout(width="190px"),
        )
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh", layout={"width": "auto"})
        self.summary = widgets.HTML()
        self.table = widgets.Select(options=[], rows=14, layout=widgets.Layout(width="100%"))
        self.table.add_class("ow-models-table")
        self.record = widgets.HTML()
        self.use_button = widgets.Button(description="Use in chat", disabled=True, button_style="info")
        self.children = [
            wrapping_row(self.search, self.owner, self.kind, self.sort, self.refresh_button),
            wrapping_row(self.created_from, self.created_to),
            self.summary,
            self.table,
            wrapping_row(self.use_button, self.status),
            self.record,
        ]
        self.add_class("ow-panel-models")
        self.refresh_button.on_click(lambda _: self.refresh())
        for control in (self.search, self.owner, self.kind, self.created_from, self.created_to, self.sort):
            control.observe(lambda _: self._show(), names="value")
        self.table.observe(self._on_select, names="value")
        self.use_button.on_click(self._on_use)

    def _filtered(self):
        """The models to show now, after search, filters and sort (a DataFrame)."""
        if self._all is None:
            return None
        frame = self._all
        if self.search.value.strip():
            frame = frame[frame["id"].str.contains(self.search.value.strip(), case=False, regex=False)]
        if self.owner.value != ALL:
            frame = frame[frame["owned_by"] == self.owner.value]
        if self.kind.value != ALL:
            frame = frame[frame["kind"] == self.kind.value]
        if self.created_from.value:
            frame = frame[frame["created"] >= _utc(self.created_from.value)]
        if self.created_to.value:
            frame = frame[frame["created"] < _utc(self.created_to.value + dt.timedelta(days=1))]
        columns, ascending = SORTS[self.sort.value]
        return frame.sort_values(columns, ascending=ascending, kind="stable").reset_index(drop=True)

    def load(self) -> None:
        """The first view lists the models."""
        self.refresh()

    def refresh(self) -> None:
        """Load the models (one `models()` call)."""
        self.act(self.refresh_button, lambda: self._loaded(self.client.models()), working="loading models...")

    def _loaded(self, frame):
        self._all = frame.assign(kind=[model_kind(m) for m in frame["id"]])
        owners = sorted(self._all["owned_by"].dropna().unique())
        self.owner.options = [ALL, *owners]
        self._show()
        return self._all

    def _show(self) -> None:
        frame = self._filtered()
        self.frame = frame
        if frame is None or self._all is None:  # both are None until the models are loaded
            self.summary.value = "<i>Press Refresh to load the models.</i>"
            return
        self.table.options = [(_row(r), r.id) for r in frame.itertuples()]
        self.summary.value = f"<b>{len(frame)}</b> of {len(self._all)} models"

    def _on_select(self, change) -> None:
        model_id = change["new"]
        if not model_id:
            self.record.value = ""
            self.use_button.disabled = True
            return
        record = self.act(None, lambda: self.client.model(model_id), working=f"loading {model_id}...")
        if record is not None:
            self.record.value = record._repr_html_()
        use = USES.get(model_kind(model_id))
        self.use_button.disabled = use is None or self.on_use is None
        self.use_button.description = use[0] if use else "Use in chat"

    def _on_use(self, _button=None) -> None:
        model_id = self.table.value
        use = USES.get(model_kind(model_id or ""))
        if model_id and use and self.on_use is not None:
            self.on_use(use[1], model_id)


def _row(row: Any) -> str:
    created = row.created.strftime("%Y-%m-%d") if row.created == row.created else "?"
    return f"{row.id}  ·  {row.kind}  ·  {row.owned_by}  ·  {created}"


def _utc(day: dt.date):
    import pandas as pd

    return pd.Timestamp(day, tz="UTC")
