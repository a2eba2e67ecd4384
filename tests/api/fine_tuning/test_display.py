"""The loss plot (PIL) and the live view of a followed job, without a server."""

from __future__ import annotations

import pandas as pd
from PIL import Image

from openai_widgets._media.image_input import encode_png
from openai_widgets._tables.frames import fine_tuning_events_frame
from openai_widgets._tables.records import Record
from openai_widgets._tuning.live_view import FineTuningView
from openai_widgets._tuning.loss_plot import loss_plot
from openai_widgets._tuning.monitor import FineTuningUpdate, status_summary

BLUE, ORANGE = (0, 114, 178), (230, 159, 0)  # train, validation


def events(steps: int = 5, valid: bool = False) -> list[dict]:
    """Raw events, newest first, as the API lists them."""
    made = [
        {
            "object": "fine_tuning.job.event",
            "id": "ev-0",
            "created_at": 1700000000,
            "level": "info",
            "message": "Fine-tuning job started",
            "type": "message",
            "data": {},
        }
    ]
    for step in range(1, steps + 1):
        data = {"step": step, "train_loss": 2.0 / step}
        if valid:
            data["valid_loss"] = 2.2 / step
        made.append(
            {
                "object": "fine_tuning.job.event",
                "id": f"ev-{step}",
                "created_at": 1700000000 + step,
                "level": "info",
                "message": f"Step {step}",
                "type": "metrics",
                "data": data,
            }
        )
    return made[::-1]


def colors(image: Image.Image) -> set:
    return {color for _, color in image.getcolors(maxcolors=100_000)}


def test_loss_plot_draws_one_line_per_loss():
    image = loss_plot(fine_tuning_events_frame(events(8, valid=True)), width=400, height=200)
    assert image.size == (400, 200)
    assert {BLUE, ORANGE} <= colors(image)
    assert encode_png(image).startswith(b"\x89PNG")


def test_loss_plot_without_metrics_is_an_empty_chart():
    for frame in (fine_tuning_events_frame([]), fine_tuning_events_frame(events(0)), None):
        image = loss_plot(frame)
        assert image.size == (560, 260)
        assert BLUE not in colors(image)


def test_loss_plot_of_a_single_step():
    image = loss_plot(fine_tuning_events_frame(events(1)))
    assert BLUE in colors(image)


def test_events_frame_is_oldest_first_with_metric_columns():
    frame = fine_tuning_events_frame(events(3, valid=True))
    assert list(frame.columns) == [
        "created_at",
        "level",
        "message",
        "type",
        "step",
        "train_loss",
        "valid_loss",
        "id",
    ]
    assert frame["id"].tolist() == ["ev-0", "ev-1", "ev-2", "ev-3"]
    assert frame["step"].tolist()[1:] == [1.0, 2.0, 3.0]
    assert pd.isna(frame.loc[0, "train_loss"])


def test_status_summary():
    job = {"id": "ftjob-1", "status": "running"}
    assert status_summary(job) == "ftjob-1: running"
    frame = fine_tuning_events_frame(events(4))
    assert status_summary(job, frame) == "ftjob-1: running, step 4, train_loss 0.5"
    failed = {"id": "ftjob-1", "status": "failed", "error": {"message": "bad line 3"}}
    assert status_summary(failed) == "ftjob-1: failed, error: bad line 3"
    done = {"id": "ftjob-1", "status": "succeeded", "fine_tuned_model": "ft:m"}
    assert status_summary(done).startswith("ftjob-1: succeeded, model ft:m")


def test_the_view_shows_status_plot_and_latest_events():
    view = FineTuningView("ftjob-1")
    assert "no events yet" in view._repr_mimebundle_()["text/html"]

    raw = events(20)
    view.show(FineTuningUpdate(Record({"id": "ftjob-1", "status": "running"}), raw, raw))
    bundle = view._repr_mimebundle_()

    html = bundle["text/html"]
    assert "<div class='ow-ft-status'" in html
    assert "ftjob-1: running, step 20" in html
    assert "data:image/png;base64," in html
    assert "Step 20" in html
    assert "Step 8<" not in html, "only the latest events are listed"
    assert bundle["text/plain"].splitlines()[0] == "ftjob-1: running, step 20, train_loss 0.1"
    assert len(bundle["text/plain"].splitlines()) == 6

    view.stop("Stopped following.")
    assert view._repr_mimebundle_()["text/plain"].endswith("Stopped following.")
