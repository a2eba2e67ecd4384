"""The embedding map: interactive with the `plots` extra (hover, colour, selection -> rows),
a PIL drawing without it, and a PNG either way."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageDraw

import openai_widgets as ow
from openai_widgets._embeddings.embedding_map import EmbeddingMap
from openai_widgets._embeddings.plot import MARGIN, ProjectionPlot, _captions, _font, _to_pixels
from openai_widgets._tables import plotting
from tests.support.plots import deselect_in_browser, hide_plotly, select_in_browser

TEXTS = pd.Series(
    [
        "my cat sleeps on the sofa",
        "the stock market fell sharply",
        "cats and kittens love to play",
        "bond markets and stock prices",
        "a dog chased the cat",
    ],
    index=["pet1", "fin1", "pet2", "fin2", "pet3"],
)


@pytest.fixture
def frame(client):
    result = client.embed(TEXTS, dimensions=64)
    result["topic"] = ["pets", "money", "pets", "money", "pets"]
    result["stars"] = [5, 1, 4, 2, 3]
    return result


@pytest.fixture
def without_plotly(monkeypatch):
    hide_plotly(monkeypatch)


# -- the interactive map --------------------------------------------------------------------


def test_the_map_is_interactive_with_the_plots_extra(frame):
    plot = ow.plot_embeddings(frame, color="topic")
    assert isinstance(plot, EmbeddingMap)
    assert type(plot.figure).__name__ == "FigureWidget"
    assert plot.figure.layout.dragmode == "lasso"
    assert plot.figure.layout.xaxis.title.text.startswith("PC1 (")
    assert plot.figure.layout.yaxis.title.text.startswith("PC2 (")
    assert plot.figure.layout.title.text == "Embeddings: 5 points, PCA"


def test_colour_by_a_column_makes_one_trace_per_category(frame):
    plot = ow.plot_embeddings(frame, color="topic")
    traces = {trace.name: trace for trace in plot.figure.data}
    assert set(traces) == {"pets", "money"}
    assert len(traces["pets"].x) == 3 and len(traces["money"].x) == 2
    assert traces["pets"].marker.color != traces["money"].marker.color
    assert plot.figure.layout.legend.title.text == "topic"
    rows = [int(row[0]) for row in traces["money"].customdata]
    assert list(frame.index[rows]) == ["fin1", "fin2"]


def test_a_numeric_colour_is_a_scale(frame):
    plot = ow.plot_embeddings(frame, color="stars")
    (trace,) = plot.figure.data
    assert list(trace.marker.color) == [5, 1, 4, 2, 3]
    assert trace.marker.showscale is True


def test_hover_shows_the_row_label_its_text_and_its_columns(frame):
    plot = ow.plot_embeddings(frame, color="topic")
    money = next(trace for trace in plot.figure.data if trace.name == "money")
    assert money.hovertext[0] == "<b>fin1</b><br>the stock market fell sharply<br>topic: money<br>stars: 1"
    assert money.hovertemplate == "%{hovertext}<extra></extra>"


def test_hover_text_is_escaped_and_wrapped():
    matrix = np.eye(3, 4, dtype="float32")
    texts = ["<script>x</script> " + "word " * 40, "b", "c"]
    made = pd.DataFrame({"input": texts, "embedding": list(matrix)})
    plot = ow.plot_embeddings(made, color=["x", "y", "x"])
    hover = plot.figure.data[0].hovertext[0]
    assert "<script>" not in hover and "&lt;script&gt;" in hover
    assert hover.count("<br>") >= 3  # wrapped in lines of 60 characters
    assert hover.endswith("<br>color: x")  # a colour that is not a column is shown by itself


def test_a_lasso_selection_comes_back_as_the_frames_rows(frame):
    plot = ow.plot_embeddings(frame, color="topic")
    assert plot.selected.empty and list(plot.selected.columns) == list(frame.columns)
    names = [trace.name for trace in plot.figure.data]
    select_in_browser(plot.figure, {names.index("pets"): [0, 2], names.index("money"): [1]})
    selected = plot.selected
    pd.testing.assert_frame_equal(selected, frame.loc[["pet1", "fin2", "pet3"]])
    assert "3 selected" in repr(plot)
    select_in_browser(plot.figure, {names.index("money"): [0]}, kind="box")
    assert list(plot.selected.index) == ["fin1"]  # a new selection replaces the last
    deselect_in_browser(plot.figure)
    assert plot.selected.empty


def test_labels_are_drawn_for_few_points(frame):
    plot = ow.plot_embeddings(frame, labels="input")
    assert plot.figure.data[0].mode == "markers+text"
    assert "my cat sleeps on the sofa" in plot.figure.data[0].text
    # Labels near the edges are drawn whole: room around the points, and not clipped.
    assert plot.figure.data[0].cliponaxis is False
    low, high = plot.figure.layout.xaxis.range
    xs = plot.points["x"]
    assert low < xs.min() - 0.2 * (xs.max() - xs.min()) and high > xs.max() + 0.2 * (xs.max() - xs.min())
    assert plot.figure.layout.width == 720


def test_the_notebook_gets_the_live_map_and_a_picture_for_saved_files(frame):
    bundle = ow.plot_embeddings(frame)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    image = Image.open(io.BytesIO(__import__("base64").b64decode(bundle["image/png"])))
    assert image.size == (720, 480)
    assert bundle["text/plain"].startswith("<EmbeddingMap of 5 embeddings: PC1 ")


def test_the_accessor_and_the_magic_free_function_draw_the_same(frame):
    plot = frame.embeddings.plot(color="topic", width=300, height=200)
    assert isinstance(plot, EmbeddingMap)
    assert plot.image.size == (300, 200)
    assert plot.figure.layout.height == 200


def test_png_export_draws_the_map_with_plotly(frame, tmp_path):
    plot = ow.plot_embeddings(frame, color="topic")
    try:
        saved = plot.save(tmp_path / "map")
    finally:
        plotting.stop_export()
    assert saved == tmp_path / "map.png"
    image = Image.open(saved)
    assert image.size == (720, 480)
    assert image.tobytes() != plot.image.tobytes()  # plotly's drawing, not the PIL one
    assert len(image.convert("RGB").getcolors(maxcolors=100_000)) > 50


def test_png_export_without_kaleido_is_the_pil_drawing(frame, monkeypatch):
    monkeypatch.setattr(plotting, "export_png", lambda figure, width, height: None)
    from openai_widgets._embeddings import embedding_map

    monkeypatch.setattr(embedding_map, "export_png", plotting.export_png)
    plot = ow.plot_embeddings(frame)
    assert Image.open(io.BytesIO(plot.to_png())).tobytes() == plot.image.tobytes()


def test_plotly_is_loaded_only_when_a_plot_is_made():
    code = (
        "import sys, numpy as np, pandas as pd, openai_widgets as ow\n"
        "frame = pd.DataFrame({'input': ['a', 'b'], 'embedding': list(np.eye(2, dtype='float32'))})\n"
        "ow.as_matrix(frame)\n"
        "before = 'plotly' in sys.modules\n"
        "ow.plot_embeddings(frame)\n"
        "print(before, 'plotly' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


# -- without the extra: the PIL drawing ------------------------------------------------------


def test_without_plotly_the_map_is_a_png_with_a_hint(frame, without_plotly):
    plot = ow.plot_embeddings(frame, color="topic", labels="input", title="Topics")
    assert isinstance(plot, ProjectionPlot)
    image = Image.open(io.BytesIO(plot._repr_png_()))
    assert image.format == "PNG"
    assert image.size == (720, 480)
    assert list(plot.points.columns) == ["x", "y", "input", "color"]
    assert list(plot.points.index) == list(frame.index)
    assert 0 < plot.explained[0] <= 1
    assert plot.explained[0] >= plot.explained[1] >= 0
    box = (MARGIN["left"], MARGIN["top"], 720 - MARGIN["right"], 480 - MARGIN["bottom"])
    pixels = _to_pixels(plot.points[["x", "y"]].to_numpy(), box)
    colours = {image.getpixel((int(x), int(y))) for x, y in pixels}
    assert len(colours) >= 2  # two topics, two colours
    assert "ProjectionPlot of 5 embeddings" in repr(plot)
    assert 'pip install "openai-widgets[plots]"' in plot._repr_html_()
    assert frame.embeddings.plot(width=300, height=200).image.size == (300, 200)


def test_the_axis_labels_and_the_title_do_not_overlap():
    drawing = ImageDraw.Draw(Image.new("RGB", (720, 480)))
    box = (MARGIN["left"], MARGIN["top"], 720 - MARGIN["right"], 480 - MARGIN["bottom"])
    placed = [
        drawing.textbbox(xy, text, font=_font(size))
        for text, xy, size, _ in _captions("A title of some length", 5, (0.61, 0.23), box)
    ]
    for number, first in enumerate(placed):
        for second in placed[number + 1 :]:
            apart = (
                first[2] <= second[0]
                or second[2] <= first[0]
                or first[3] <= second[1]
                or second[3] <= first[1]
            )
            assert apart, f"{first} overlaps {second}"
    assert all(bottom <= box[1] or top >= box[3] for _, top, _, bottom in placed), "labels stay off the plot"


def test_plot_errors_name_the_problem(frame):
    with pytest.raises(ow.InvalidInputError, match="'nope' is not a column"):
        ow.plot_embeddings(frame, color="nope")
    with pytest.raises(ow.InvalidInputError, match="3 values for 5 rows"):
        ow.plot_embeddings(frame, labels=["a", "b", "c"])
    one = ow.plot_embeddings(frame.iloc[:1])
    assert one.points[["x", "y"]].to_numpy().tolist() == [[0.0, 0.0]]
