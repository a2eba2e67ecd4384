"""compare_models on the sandbox: one eval, one upload, a run per model at once, one row per model."""

from __future__ import annotations

import pytest

import openai_widgets as ow
from openai_widgets._evals import pricing
from openai_widgets._evals.pricing import TokenPrice, run_cost
from tests.support.evals import CLOSE, EXACT, TEMPLATE, capitals

MODELS = ["gpt-4o-mini", "gpt-4o"]


def test_two_models_compared_in_one_eval(evals_client, sandbox, spec):
    sandbox.clear_requests()
    frame = evals_client.compare_models(capitals(40), MODELS, TEMPLATE, [EXACT, CLOSE], progress=False)

    assert list(frame.columns) == [
        "model",
        "pass_rate",
        "answer_equals_pass_rate",
        "answer_similar_fuzzy_match_pass_rate",
        "mean_score",
        "tokens",
        "estimated_cost",
        "latency",
        "items",
        "errored",
        "run_id",
        "status",
    ]
    assert frame["model"].tolist() == MODELS
    assert frame["pass_rate"].dtype == "float64" and frame["tokens"].dtype == "int64"
    assert frame["status"].tolist() == ["completed", "completed"] and frame["items"].tolist() == [40, 40]
    assert (frame["latency"] > 0).all()

    (created,) = [r for r in sandbox.requests_to("/evals", "POST") if r.path == "/evals"]
    spec.validate_request("POST", "/evals", created.json())
    assert len(sandbox.requests_to("/files", "POST")) == 1, "the rows are uploaded once"
    eval_id = frame.attrs["eval_id"]
    starts = sandbox.requests_to(f"/evals/{eval_id}/runs", "POST")
    assert [r.json()["data_source"]["model"] for r in starts] == MODELS
    for start in starts:
        spec.validate_request("POST", f"/evals/{eval_id}/runs", start.json())
    log = list(sandbox.requests)
    first_look = next(i for i, r in enumerate(log) if r.method == "GET" and "/runs/" in r.path)
    assert all(log.index(start) < first_look for start in starts), "both runs start before any is followed"

    for row in frame.itertuples():
        run = evals_client.eval_run(eval_id, row.run_id)
        counts = run["result_counts"]
        assert row.pass_rate == pytest.approx(counts["passed"] / counts["total"])
        per = {r["testing_criteria"]: r["passed"] for r in run["per_testing_criteria_results"]}
        assert row.answer_equals_pass_rate == pytest.approx(per["answer equals"] / 40)
        usage = [u for u in run["per_model_usage"] if u["model_name"] == row.model]
        assert row.tokens == usage[0]["total_tokens"]
        assert row.estimated_cost == pytest.approx(run_cost(usage, pricing.table_price))
        results = evals_client.eval_results(eval_id, row.run_id)
        scores = results[["answer_equals_score", "answer_similar_fuzzy_match_score"]]
        assert row.mean_score == pytest.approx(scores.stack().mean())
    rates = frame.set_index("model")["pass_rate"]
    assert rates["gpt-4o"] > rates["gpt-4o-mini"], "the larger model knows more (the sandbox's rule)"


def test_prices_can_be_given_and_an_unknown_price_is_not_zero(evals_client):
    prices = {"gpt-4o": (1.0, 2.0), "gpt-4o-mini": TokenPrice(0.1, 0.05, 0.2)}
    frame = evals_client.compare_models(capitals(6), MODELS, TEMPLATE, EXACT, prices=prices, progress=False)
    assert (frame["estimated_cost"] > 0).all()
    row = frame.set_index("model").loc["gpt-4o"]
    run = evals_client.eval_run(frame.attrs["eval_id"], row["run_id"])
    usage = next(u for u in run["per_model_usage"] if u["model_name"] == "gpt-4o")
    expected = (usage["prompt_tokens"] * 1.0 + usage["completion_tokens"] * 2.0) / 1e6
    assert row["estimated_cost"] == pytest.approx(expected)

    unknown = evals_client.compare_models(capitals(4), ["gpt-4o"], TEMPLATE, EXACT, prices={}, progress=False)
    assert unknown["estimated_cost"].isna().all()


def test_the_default_price_lookup_can_be_replaced(evals_client, monkeypatch):
    monkeypatch.setattr(pricing, "DEFAULT_LOOKUP", lambda model: TokenPrice(1000.0, 1000.0, 1000.0))
    frame = evals_client.compare_models(capitals(4), ["gpt-4o"], TEMPLATE, EXACT, progress=False)
    assert frame["estimated_cost"].iloc[0] == pytest.approx(frame["tokens"].iloc[0] * 1000.0 / 1e6)


def test_the_price_table_knows_snapshots_and_tuned_models():
    assert pricing.table_price("gpt-4o-mini-2024-07-18") == pricing.table_price("gpt-4o-mini")
    base = pricing.table_price("gpt-4o-mini")
    assert pricing.table_price("ft:gpt-4o-mini-2024-07-18:org:demo:abc") == TokenPrice(*(2 * v for v in base))
    assert pricing.table_price("some-local-model") is None
    usage = [{"model_name": "gpt-4o", "prompt_tokens": 1000, "cached_tokens": 400, "completion_tokens": 100}]
    assert run_cost(usage, pricing.table_price) == pytest.approx((600 * 2.5 + 400 * 1.25 + 100 * 10.0) / 1e6)


def test_the_comparison_chart(evals_client):
    frame = evals_client.compare_models(capitals(6), MODELS, TEMPLATE, EXACT, progress=False)
    image = ow.plot_comparison(frame)
    assert image.size == (760, 260)
    assert len(image.getcolors(maxcolors=10_000)) > 3, "bars were drawn"


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((capitals(), [], TEMPLATE, EXACT), {}, ow.InvalidInputError, "models is empty"),
        ((capitals(), ["gpt-4o", "gpt-4o"], TEMPLATE, EXACT), {}, ow.InvalidInputError, "'gpt-4o' twice"),
        ((capitals(), 3, TEMPLATE, EXACT), {}, ow.InvalidTypeError, "models must be a list"),
        ((capitals(), MODELS, "Say {nope}", EXACT), {}, ow.InvalidInputError, "column 'nope'"),
        ((capitals(), MODELS, TEMPLATE, []), {}, ow.InvalidInputError, "criteria is empty"),
        ((capitals(), MODELS, TEMPLATE, EXACT), {"prices": 3}, ow.InvalidTypeError, "prices must be a dict"),
        (
            (capitals(), MODELS, TEMPLATE, EXACT),
            {"prices": {"gpt-4o": (1,)}},
            ow.InvalidInputError,
            r"prices\['gpt-4o'\] must be \(input, output\)",
        ),
        (([], MODELS, TEMPLATE, EXACT), {}, ow.InvalidTypeError, "data must be a DataFrame"),
    ],
)
def test_compare_mistakes_are_refused_before_anything_is_sent(
    evals_client, sandbox, args, kwargs, error, message
):
    sandbox.clear_requests()
    with pytest.raises(error, match=message):
        evals_client.compare_models(*args, **kwargs)
    assert sandbox.requests == []
