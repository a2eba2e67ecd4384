"""Organization usage and costs against the sandbox: tidy frames, every page, grouping and filters."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._usage.kinds import KINDS
from openai_widgets.sandbox._prices import TOKENS
from tests.conftest import TEST_KEY
from tests.support.media import tone

COMPLETIONS = [
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
]


def usage_queries(server, kind="completions"):
    return server.requests_to(f"/organization/usage/{kind}", "GET")


def test_completions_usage_adds_up_per_model(org, spec):
    server, client = org
    answers = [client.chat("one"), client.chat("two words", "gpt-4o"), client.chat("three")]
    frame = client.org_usage("completions", "1h", bucket="1h", group_by="model")

    assert list(frame.columns) == ["start", "end", "model", *COMPLETIONS, "num_model_requests"]
    assert str(frame["start"].dt.tz) == "UTC" and str(frame["end"].dt.tz) == "UTC"
    assert frame["input_tokens"].dtype == "int64" and frame["model"].dtype == "str"
    by_model = frame.groupby("model")[["input_tokens", "output_tokens", "num_model_requests"]].sum()
    mini = [a.usage for a in answers if a.model.startswith("gpt-4o-mini")]
    assert by_model.loc["gpt-4o-mini", "input_tokens"] == sum(u["prompt_tokens"] for u in mini)
    assert by_model.loc["gpt-4o-mini", "output_tokens"] == sum(u["completion_tokens"] for u in mini)
    assert by_model.loc["gpt-4o", "num_model_requests"] == 1
    (query,) = usage_queries(server)
    assert query.headers["authorization"] == f"Bearer {ow.sandbox.SANDBOX_ADMIN_KEY}"
    assert query.query["group_by"] == ["model"] and query.query["bucket_width"] == ["1h"]
    answer = client.request(
        "GET", "organization/usage/completions", query={"start_time": int(time.time()) - 60}
    )
    spec.validate_response("GET", "/organization/usage/completions", answer)


def test_filters_and_an_ungrouped_series_of_every_bucket(org):
    server, client = org
    client.chat("hello")
    asked = pd.Timestamp(time.time(), unit="s", tz="UTC")
    client.chat("hello", "gpt-4o")
    only = client.org_usage("completions", "3h", bucket="1h", models=["gpt-4o"])
    assert len(only) in (3, 4), "one row per bucket, zeros included (the last one up to now)"
    assert only["num_model_requests"].sum() == 1
    # The request lands in the bucket of its second, which is the last or (when the window's
    # whole-second start cuts a second in two) the one before it.
    (counted,) = only.index[only["num_model_requests"] == 1]
    assert only.loc[counted, "end"] > asked - pd.Timedelta(seconds=1) and counted >= len(only) - 2
    assert (only["end"] - only["start"] == pd.Timedelta(hours=1)).all()
    assert usage_queries(server)[-1].query["models"] == ["gpt-4o"]
    red = ow.Client(api_key=TEST_KEY, base_url=server.base_url, project="proj_red")
    red.chat("from the red project")
    projects = client.org_usage("completions", "1d", group_by=["project_id"], projects="proj_red")
    assert projects["project_id"].tolist() == ["proj_red"] and projects["num_model_requests"].tolist() == [1]


def test_every_kind_has_its_columns(org):
    _, client = org
    client.embed(["a b c"], dimensions=8, progress=False)
    client.moderate("some text")
    client.generate_images("a cat", size="256x256", n=2)
    client.speak("Hello there", format="wav")
    client.transcribe(tone(2.5))
    for kind, report in KINDS.items():
        frame = client.org_usage(kind, "1d")
        assert list(frame.columns) == ["start", "end", *report.amounts], kind
        assert all(frame[name].dtype == "int64" for name in report.amounts), kind
    assert client.org_usage("images", "1d", group_by=["size", "source"])[
        ["images", "size", "source"]
    ].values.tolist() == [[2, "256x256", "image.generation"]]
    assert client.org_usage("audio_speeches", "1d")["characters"].sum() == len("Hello there")
    assert client.org_usage("vector_stores", "1d")["usage_bytes"].sum() == 0
    batch = client.org_usage("completions", "1d", group_by="batch")
    assert batch.empty and str(batch["batch"].dtype) == "boolean"


def test_every_page_is_collected(org):
    server, client = org
    client.chat("now")
    end = int(time.time()) + 1
    minutes = client.org_usage("completions", end - 1500 * 60, end, bucket="1m")
    assert len(minutes) == 1500 and minutes["num_model_requests"].sum() == 1
    pages = usage_queries(server)
    assert len(pages) == 2 and "page" not in pages[0].query and pages[1].query["page"][0].startswith("page_")
    assert pages[0].query["limit"] == ["1440"]
    assert minutes["start"].is_monotonic_increasing and minutes["start"].is_unique


def test_costs_in_dollars_by_line_item_and_every_page(org, spec):
    server, client = org
    answers = [client.chat("price me"), client.chat("and me")]
    costs = client.org_costs("2d", group_by="line_item")
    assert list(costs.columns) == ["start", "end", "line_item", "cost", "quantity", "quantity_unit"]
    assert costs["cost"].dtype == "float64" and costs.attrs["currency"] == "usd"
    items = costs.set_index("line_item")
    prompt = sum(a.usage["prompt_tokens"] for a in answers)
    assert items.loc["gpt-4o-mini, input", "quantity"] == prompt
    assert items.loc["gpt-4o-mini, input", "cost"] == pytest.approx(prompt * TOKENS["gpt-4o-mini"][0] / 1e6)
    whole = client.org_costs(dt.date.today() - dt.timedelta(days=199))
    assert list(whole.columns) == ["start", "end", "cost"]
    assert len(whole) in (199, 200, 201) and whole["cost"].sum() == pytest.approx(costs["cost"].sum())
    pages = server.requests_to("/organization/costs", "GET")[1:]
    assert len(pages) == 2 and pages[0].query["limit"] == ["180"]
    spec.validate_response(
        "GET", "/organization/costs", client.request("GET", "organization/costs", query={"start_time": 1})
    )


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc), 1748779200),
        (dt.datetime(2025, 6, 1, 12, 0), 1748779200),
        (dt.date(2025, 6, 1), 1748736000),
        (pd.Timestamp("2025-06-01T14:00:00+02:00"), 1748779200),
        ("2025-06-01", 1748736000),
        ("2025-06-01T12:00:00Z", 1748779200),
        (1748779200, 1748779200),
        (1748779200.7, 1748779200),
    ],
)
def test_start_takes_datetimes_dates_seconds_and_iso_texts(org, start, expected):
    server, client = org
    client.org_costs(start, 1748800000)
    assert server.requests_to("/organization/costs", "GET")[0].query["start_time"] == [str(expected)]


def test_start_takes_a_time_ago(org):
    server, client = org
    before = int(time.time())
    client.org_usage("embeddings", "7d")
    client.org_usage("embeddings", "12h", "30m", bucket="1h")
    first, second = (r.query for r in usage_queries(server, "embeddings"))
    assert abs(int(first["start_time"][0]) - (before - 7 * 86400)) <= 2 and "end_time" not in first
    assert abs(int(second["start_time"][0]) - (before - 12 * 3600)) <= 2
    assert abs(int(second["end_time"][0]) - (before - 1800)) <= 2


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda c: c.org_usage("tokens", "1d"),
            ow.InvalidInputError,
            "kind 'tokens' is not one of completions",
        ),
        (
            lambda c: c.org_usage("completions", "1d", bucket="1w"),
            ow.InvalidInputError,
            "bucket '1w' is not one of 1m, 1h, 1d",
        ),
        (
            lambda c: c.org_usage("completions", "1d", group_by="size"),
            ow.InvalidInputError,
            r"group_by 'size' is not one of project_id, user_id, api_key_id, model, batch, service_tier \(for completions\)",
        ),
        (
            lambda c: c.org_usage("vector_stores", "1d", models="gpt-4o"),
            ow.InvalidInputError,
            "not kept per model",
        ),
        (lambda c: c.org_usage("completions", "soon"), ow.InvalidInputError, "start 'soon' is not a time"),
        (lambda c: c.org_usage("completions", True), ow.InvalidTypeError, "start must be a time, not bool"),
        (lambda c: c.org_usage("completions", None), ow.InvalidInputError, "start is needed"),
        (lambda c: c.org_usage("completions", -5), ow.InvalidInputError, "start must be 0 or more"),
        (lambda c: c.org_usage("completions", "1d", "2d"), ow.InvalidInputError, "end must be after start"),
        (
            lambda c: c.org_usage("completions", "1d", group_by=[3]),
            ow.InvalidTypeError,
            "group_by must be a string",
        ),
        (lambda c: c.org_costs("1d", group_by="model"), ow.InvalidInputError, r"\(for costs\)"),
        (lambda c: c.org_costs([1]), ow.InvalidTypeError, "start must be a time, not list"),
    ],
)
def test_mistakes_are_refused_before_anything_is_sent(org, call, error, message):
    server, client = org
    server.clear_requests()
    with pytest.raises(error, match=message):
        call(client)
    assert server.requests == []


def test_usage_and_costs_need_the_admin_key(org):
    server, _ = org
    plain = ow.Client(api_key=TEST_KEY, base_url=server.base_url)
    for call in (lambda: plain.org_usage("completions", "1d"), lambda: plain.org_costs("7d")):
        with pytest.raises(ow.AdminKeyRequiredError, match="admin_key="):
            call()
    assert server.requests == []


def test_either_frame_plots_over_time(org):
    _, client = org
    client.chat("one")
    client.chat("two", "gpt-4o")
    usage = client.org_usage("completions", "6h", bucket="1h", group_by="model")
    image = ow.plot_usage(usage)
    assert image.size == (640, 300) and len(image.getcolors(maxcolors=10_000)) > 4
    assert ow.plot_usage(client.org_costs("3d")).size == (640, 300)
    assert ow.plot_usage(usage, "output_tokens").size == (640, 300)
    with pytest.raises(ow.InvalidInputError, match="column 'tokens' is not an amount of this frame"):
        ow.plot_usage(usage, "tokens")
    with pytest.raises(ow.InvalidTypeError, match="plot_usage takes the DataFrame of org_usage"):
        ow.plot_usage([1, 2])
