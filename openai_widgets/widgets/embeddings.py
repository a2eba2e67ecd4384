"""The embeddings panel: embed texts, look at the result, search it, see its 2-D projection."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from .._core.constants import DEFAULT_MODELS
from ._controls import wrapping_row
from ._output import notice, show
from ._panel import Panel, frame_trait
from ._pictures import PlotView

__all__ = ["EmbeddingsPanel"]


class EmbeddingsPanel(Panel):
    """Texts (one per line) -> `embed()`, then `search()` in the result and a projection plot.

    Everything is drivable from Python: set `inputs.value`, click `embed_button`, read
    `frame` (the embeddings DataFrame); set `query.value`, click `search_button`, read
    `matches`; click `plot_button` and `plot` holds the map (`ow.plot_embeddings`'s), shown
    in `plot_view`. `dimensions` is empty for the model's own size. `result` is the last
    action's DataFrame: the embeddings, or the matches of a search.
    """

    title = "Embeddings"
    model_kinds = ("embedding",)
    frame = frame_trait("the last embed() DataFrame, which Search and Plot use")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        wide = widgets.Layout(width="100%")
        self.inputs = widgets.Textarea(
            placeholder="one text per line", description="Texts", rows=6, layout=wide
        )
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["embedding"])
        self.dimensions = widgets.Text(
            value="",
            placeholder="default",
            description="Dimensions",
            tooltip="empty: the model's own size",
            layout=widgets.Layout(width="200px"),
        )
        self.embed_button = widgets.Button(description="Embed", button_style="primary", icon="cubes")
        self.table = widgets.Output(layout=wide)
        self.query = widgets.Text(
            placeholder="search the embedded texts", description="Search", continuous_update=False
        )
        self.k = widgets.BoundedIntText(value=5, min=1, max=100, description="Top", layout={"width": "140px"})
        self.search_button = widgets.Button(description="Search", icon="search", disabled=True)
        self.matches_view = widgets.Output(layout=wide)
        self.plot_button = widgets.Button(description="Plot", icon="line-chart", disabled=True)
        self.plot_view = PlotView("Embed some texts, then Plot draws their map.")
        self.plot: Any = None  # the last map drawn
        self.matches = None  # the last search() DataFrame
        self.children = [
            self.inputs,
            wrapping_row(self.model_picker, self.dimensions, self.embed_button),
            self.status,
            self.table,
            wrapping_row(self.query, self.k, self.search_button, self.plot_button),
            self.matches_view,
            self.plot_view,
        ]
        self.add_class("ow-panel-embeddings")
        self.embed_button.on_click(lambda _: self.embed())
        self.search_button.on_click(lambda _: self.search())
        self.plot_button.on_click(lambda _: self.draw())
        self.query.observe(lambda _: self.search(), names="value")  # Enter (or leaving the box) searches

    @property
    def texts(self) -> list[str]:
        return [line.strip() for line in self.inputs.value.splitlines() if line.strip()]

    def embed(self) -> None:
        """Embed the texts (one `embed()` call) and show the result."""
        texts = self.texts
        if not texts:
            self.status.value = notice("Type at least one text, one per line.")
            return
        model = self.model_picker.value.strip() or DEFAULT_MODELS["embedding"]
        dimensions = self.dimensions.value.strip()
        if dimensions and not (dimensions.isdigit() and int(dimensions) > 0):
            self.status.value = notice("Dimensions takes a whole number above 0, or nothing for the default.")
            return
        frame = self.act(
            self.embed_button,
            lambda: self.client.embed(texts, model=model, dimensions=int(dimensions) if dimensions else None),
            working=f"embedding {len(texts)} texts...",
            table=True,
        )
        if frame is None:
            return
        usage = frame.attrs.get("usage", {})
        self.status.value = html.escape(
            f"{len(frame)} texts, {frame.attrs.get('dimensions')} dimensions, "
            f"{usage.get('total_tokens', 0)} tokens ({frame.attrs.get('model')})"
        )
        show(self.table, frame)
        self.plot_view.clear()  # a map of the texts before would not be of these
        self.search_button.disabled = self.plot_button.disabled = False

    def search(self) -> None:
        """Rank the embedded texts by closeness to the query (one `search()` call)."""
        if self.frame is None or not self.query.value.strip():
            return
        found = self.act(
            self.search_button,
            lambda: self.client.search(self.frame, self.query.value.strip(), k=self.k.value),
            working="searching...",
        )
        if found is not None:
            self.matches = found
            show(self.matches_view, found)

    def draw(self) -> None:
        """Show the 2-D projection of the result (computed here, no request)."""
        if self.frame is None:
            return
        from .._embeddings.plot import plot_embeddings

        labels = "input" if len(self.frame) <= 40 else None
        self.plot = plot = plot_embeddings(self.frame, labels=labels)
        figure = getattr(plot, "figure", None)
        if figure is not None:
            self.plot_view.show_figure(figure)
        else:
            self.plot_view.show_png(plot.to_png())
