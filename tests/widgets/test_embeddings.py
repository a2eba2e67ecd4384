"""The embeddings and batches panels, driven from Python as a user would click them."""

from __future__ import annotations

import pandas as pd

from openai_widgets.widgets import BatchesPanel, EmbeddingsPanel


def shown_html(output) -> str:
    return "".join(item.get("data", {}).get("text/html", "") for item in output.outputs)


def test_the_embeddings_panel_is_built_without_a_request(sandbox):
    panel = EmbeddingsPanel()
    assert panel.title == "Embeddings"
    assert "ow-panel-embeddings" in panel._dom_classes
    assert panel.model_picker.value == "text-embedding-3-small"
    assert not sandbox.requests
    assert panel.search_button.disabled
    assert panel.plot_button.disabled


def test_embed_search_and_plot(connected, sandbox):
    panel = EmbeddingsPanel()
    panel.inputs.value = "a cat on the sofa\n\nstock prices fell\na cat and a dog\n"
    panel.dimensions.value = "32"
    panel.embed_button.click()
    assert isinstance(panel.result, pd.DataFrame)
    assert list(panel.result["input"]) == ["a cat on the sofa", "stock prices fell", "a cat and a dog"]
    assert panel.result.attrs["dimensions"] == 32
    assert "3 texts, 32 dimensions" in panel.status.value
    assert "<table" in shown_html(panel.table)
    assert not panel.embed_button.disabled

    panel.query.value = "cat"
    panel.k.value = 2
    panel.search_button.click()
    assert set(panel.matches["input"]) == {"a cat on the sofa", "a cat and a dog"}
    assert "score" in shown_html(panel.matches_view)

    panel.plot_button.click()
    assert panel.plot_view.children == (panel.plot.figure,)  # the interactive map, in the panel
    hovers = [text for trace in panel.plot.figure.data for text in trace.hovertext]
    assert sorted(hovers) == ["a cat and a dog", "a cat on the sofa", "stock prices fell"]


def test_the_model_picker_fills_from_models_embedding_models_first(connected, sandbox):
    panel = EmbeddingsPanel()
    panel.model_picker.refresh_button.click()
    assert panel.model_picker.options[0].startswith("text-embedding")
    panel.select_model("text-embedding-3-large")
    panel.inputs.value = "x"
    panel.embed_button.click()
    assert panel.result.attrs["model"] == "text-embedding-3-large"


def test_errors_show_in_the_status_line(connected, sandbox):
    panel = EmbeddingsPanel()
    panel.embed_button.click()
    assert "at least one text" in panel.status.value
    panel.inputs.value = "hello"
    panel.model_picker.value = "no-such-model"
    panel.embed_button.click()
    assert "NotFoundError" in panel.status.value
    assert panel.result is None
    assert not panel.embed_button.disabled


def test_the_batches_panel_lists_shows_collects_and_cancels_with_confirmation(connected, sandbox):
    panel = BatchesPanel()
    assert "ow-panel-batches" in panel._dom_classes
    assert not sandbox.requests
    sandbox.batch_seconds = 5.0
    try:
        (record,) = connected.batch(
            [{"input": "x", "model": "text-embedding-3-small"}], "/v1/embeddings", wait=False
        )
        panel.refresh_button.click()
        assert record["id"] in set(panel.frame["id"])
        assert "<table" in shown_html(panel.table)
        panel.picker.value = record["id"]
        assert panel.record["id"] == record["id"]
        assert record["id"] in panel.details.value
        assert not panel.cancel_button.disabled

        panel.cancel_button.click()
        assert panel.confirm.layout.display == "flex"
        panel.keep_button.click()
        assert panel.confirm.layout.display == "none"
        assert not sandbox.requests_to(f"/batches/{record['id']}/cancel")

        panel.cancel_button.click()
        panel.confirm_button.click()
        assert panel.record["status"] == "cancelling"
        assert len(sandbox.requests_to(f"/batches/{record['id']}/cancel")) == 1
        assert "cancelling" in panel.status.value

        panel.results_button.click()
        assert list(panel.results["custom_id"]) == ["request-0"]
    finally:
        sandbox.batch_seconds = 0.3
