"""`LossChart`: a fine-tuning job's metrics against step, one plotly chart updated in place.

Which metrics is the job's method's rule (`metrics`): the top panel holds the headline's
curves (the losses; for reinforcement tuning the mean rewards), the bottom one the
method's other metrics (token accuracy, reward margin, preference accuracy, reward
spread), each for training, validation and full validation as far as the job reports
them. `update(events)` changes the drawn lines where they are: a followed job's chart
grows without being drawn again. Used by the live view of
`fine_tuning_events(follow=True)` and the fine-tuning panel when the `plots` extra is
installed.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from .._media.image_input import encode_png
from .._tables.plotting import export_png, figure_widget
from .loss_plot import loss_plot
from .metrics import CURVES, job_method, method_series, phase

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LossChart"]

# Per phase: dash and markers (full validation runs once per epoch: points) and, in the top
# panel, the colour. Below, each kind of metric has a colour of its own.
_STYLE = {
    "train_": ("solid", "lines", "#0072B2"),
    "valid_": ("dash", "lines", "#E69F00"),
    "full_valid_": ("dot", "lines+markers", "#009E73"),
}
_KIND_COLOURS = ("#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
_SPLIT = 0.42  # the bottom panel's share of the height, when there is one


class LossChart:
    """The metrics of a job's events: `figure` (a plotly FigureWidget), `update(events)`, `series`.

    `series` maps each metric drawn to its (steps, values); `image` is the PIL drawing of
    the headline metric that a saved notebook shows; `to_png()` a PNG drawn by plotly.
    `width` in pixels fits the chart to a box of that width; None fills the output's width.
    `method` is the job's ("supervised", "dpo", "reinforcement"); None guesses it from the
    events' columns each update.
    """

    def __init__(
        self,
        events: pd.DataFrame | None = None,
        *,
        method: str | None = None,
        width: int | None = None,
        height: int = 340,
    ) -> None:
        self.height = height
        self.method = method
        self._kind = method or "supervised"  # the method drawn now
        self.series: dict[str, tuple[list[float], list[float]]] = {}
        self._events = events
        self._kinds: list[str] = []  # the kinds of metric in the bottom panel, in order of arrival
        self.figure = figure_widget(_empty_figure(width, height))
        self.update(events)

    def update(self, events: pd.DataFrame | None, *, method: str | None = None) -> None:
        """Draw the method's metrics in `events` (the whole events frame so far), in place."""
        self.method = method or self.method
        self._events = events
        self._kind = self.method or job_method({}, events)
        self.series = method_series(events, self._kind)
        traces = {trace.name: trace for trace in self.figure.data}
        top = CURVES[self._kind]
        with self.figure.batch_update():
            for name, (steps, values) in self.series.items():
                if name not in traces:
                    self.figure.add_scatter(**_trace_style(name, name in top, self._kinds))
                    traces[name] = self.figure.data[-1]
                traces[name].x, traces[name].y = steps, values
            for name, trace in traces.items():
                if name not in self.series:  # another job's metric: emptied, not left drawn
                    trace.x, trace.y = [], []
            self._arrange()

    def _arrange(self) -> None:
        """Size the panels and name the axes after what is drawn."""
        below = any(name not in CURVES[self._kind] for name in self.series)
        layout = self.figure.layout
        layout.yaxis.domain = (_SPLIT + 0.08, 1.0) if below else (0.0, 1.0)
        layout.yaxis.title.text = "mean reward" if self._kind == "reinforcement" else "loss"
        layout.yaxis2.visible = layout.xaxis2.visible = below
        layout.xaxis.showticklabels = not below
        layout.xaxis.title.text = "" if below else "step"

    @property
    def image(self) -> Any:
        return loss_plot(self._events, method=self._kind, width=560, height=260)

    def to_png(self, width: int = 640, height: int | None = None) -> bytes:
        """The chart as a PNG: drawn by plotly through kaleido, or the PIL drawing without them."""
        drawn = export_png(self.figure, width=width, height=height or self.height)
        return drawn if drawn is not None else encode_png(self.image)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # The live chart where widgets run; the PIL drawing for a notebook saved without them.
        data = dict(self.figure._repr_mimebundle_())
        data["image/png"] = base64.b64encode(encode_png(self.image)).decode("ascii")
        data["text/plain"] = repr(self)
        return data

    def __repr__(self) -> str:
        last = {name: values[-1] for name, (_, values) in self.series.items() if values}
        shown = ", ".join(f"{name} {value:.4g}" for name, value in last.items()) or "no metrics yet"
        return f"<LossChart: {shown}>"


def _empty_figure(width: int | None, height: int) -> dict[str, Any]:
    return {
        "data": [],
        "layout": {
            "template": "plotly_white",
            **({"width": width} if width else {}),
            "height": height,
            "margin": {"l": 56, "r": 16, "t": 24, "b": 40},
            "hovermode": "x unified",
            "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            "xaxis": {"anchor": "y", "matches": "x2", "title": {"text": "step"}},
            "yaxis": {"domain": (0.0, 1.0), "title": {"text": "loss"}},
            "xaxis2": {"anchor": "y2", "title": {"text": "step"}, "visible": False},
            "yaxis2": {"domain": (0.0, _SPLIT), "title": {"text": "other metrics"}, "visible": False},
        },
    }


def _trace_style(name: str, top: bool, kinds: list[str]) -> dict[str, Any]:
    """A new line for metric `name`: its panel, its phase's dash, and a colour (`kinds` grows)."""
    prefix = phase(name) or "train_"
    dash, mode, colour = _STYLE[prefix]
    if not top:
        kind = name[len(prefix) :]
        if kind not in kinds:
            kinds.append(kind)
        colour = _KIND_COLOURS[kinds.index(kind) % len(_KIND_COLOURS)]
    return {
        "name": name,
        "x": [],
        "y": [],
        "xaxis": "x" if top else "x2",
        "yaxis": "y" if top else "y2",
        "mode": mode,
        "line": {"color": colour, "dash": dash},
    }
