"""/fine_tuning/alpha/graders/run and /validate: every grader type, and the 400s for bad graders."""

from __future__ import annotations

import pytest

RUN = "/fine_tuning/alpha/graders/run"
VALIDATE = "/fine_tuning/alpha/graders/validate"


def check(operation: str) -> dict:
    return {
        "type": "string_check",
        "name": f"check {operation}",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "operation": operation,
    }


def similar(metric: str) -> dict:
    return {
        "type": "text_similarity",
        "name": metric,
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "evaluation_metric": metric,
    }


SCORE = {
    "type": "score_model",
    "name": "judge",
    "model": "gpt-4o-mini",
    "input": [
        {"role": "system", "content": "Score from 1 to 7."},
        {
            "role": "user",
            "content": [{"type": "input_text", "text": "{{item.answer}} vs {{sample.output_text}}"}],
        },
    ],
    "range": [1, 7],
    "sampling_params": {"seed": 1, "temperature": 0},
}
LABEL = {
    "type": "label_model",
    "name": "tone",
    "model": "gpt-4o",
    "input": [{"role": "user", "content": "Tone of: {{sample.output_text}}"}],
    "labels": ["calm", "angry", "sad"],
    "passing_labels": ["calm"],
}
PYTHON = {"type": "python", "name": "py", "source": "def grade(sample, item):\n    return 1.0\n"}


def run(api, grader: dict, sample: str, item: dict | None = None, *, valid_request: bool = True) -> dict:
    body = {"grader": grader, "model_sample": sample, **({"item": item} if item is not None else {})}
    return api.post(RUN, body, valid_request=valid_request)


# -- running ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "sample", "answer", "reward"),
    [
        ("eq", "Paris", "Paris", 1.0),
        ("eq", "paris", "Paris", 0.0),
        ("ne", "Lyon", "Paris", 1.0),
        ("like", "It is Paris, of course", "Paris", 1.0),
        ("like", "It is PARIS", "Paris", 0.0),
        ("ilike", "It is PARIS", "Paris", 1.0),
        ("ilike", "Lyon", "Paris", 0.0),
    ],
)
def test_string_check_compares_for_real(api, operation, sample, answer, reward):
    answer_body = run(api, check(operation), sample, {"answer": answer})
    assert answer_body["reward"] == reward
    assert answer_body["metadata"]["name"] == f"check {operation}"
    assert answer_body["metadata"]["type"] == "string_check"
    assert not any(v for k, v in answer_body["metadata"]["errors"].items() if k.endswith("_error"))
    assert answer_body["metadata"]["token_usage"] is None


@pytest.mark.parametrize(
    ("metric", "sample", "answer", "reward"),
    [
        ("fuzzy_match", "kitten", "sitting", 0.615385),  # difflib ratio: 2 * 4 matches / 13 characters
        ("fuzzy_match", "same text", "same text", 1.0),
        ("rouge_1", "the cat sat", "the cat ran", 0.666667),
        ("rouge_2", "the cat sat", "the cat ran", 0.5),
        ("rouge_l", "a b c d", "a x c d", 0.75),
        ("cosine", "a b", "a c", 0.5),
        ("bleu", "the quick brown fox", "the quick brown fox", 1.0),
        ("bleu", "nothing alike", "the quick brown fox", 0.0),
        ("gleu", "the cat sat", "the cat ran", 0.5),  # 3 of 6 n-grams shared each way
        ("meteor", "the cat sat", "the cat sat", 0.9815),  # one chunk of 3: penalty 0.5 / 27
    ],
)
def test_text_similarity_metrics_are_computed(api, metric, sample, answer, reward):
    assert run(api, similar(metric), sample, {"answer": answer})["reward"] == pytest.approx(reward, abs=1e-4)


def test_model_graders_score_from_the_sample_deterministically(api):
    samples = [f"answer number {n}" for n in range(12)]
    rewards = [run(api, SCORE, s, {"answer": "42"})["reward"] for s in samples]
    assert all(1 <= r <= 7 for r in rewards)
    assert len(set(rewards)) > 6, "different answers get different scores"
    again = run(api, SCORE, samples[0], {"answer": "42"})
    assert again["reward"] == rewards[0]
    metadata = again["metadata"]
    tokens = again["model_grader_token_usage_per_model"]["gpt-4o-mini"]
    assert (
        metadata["token_usage"]
        == tokens["total_tokens"]
        == tokens["prompt_tokens"] + tokens["completion_tokens"]
    )
    assert metadata["sampled_model_name"] == "gpt-4o-mini"


def test_python_graders_are_never_executed(api, tmp_path):
    marker = tmp_path / "ran.txt"
    source = f"def grade(sample, item):\n    open({str(marker)!r}, 'w').write('ran')\n    return 1.0\n"
    first = run(api, {**PYTHON, "source": source}, "some answer", {"answer": "x"})
    assert not marker.exists(), "the sandbox must not run submitted code"
    assert 0 <= first["reward"] < 1
    assert run(api, {**PYTHON, "source": source}, "some answer", {"answer": "x"})["reward"] == first["reward"]
    assert (
        run(api, {**PYTHON, "source": source}, "another answer", {"answer": "x"})["reward"] != first["reward"]
    )


def test_multi_graders_combine_their_parts_with_the_formula(api):
    # Named parts, as OpenAI's guide writes them; the spec's schema only describes one part.
    grader = {
        "type": "multi",
        "name": "combined",
        "graders": {"exact": check("ilike"), "close": similar("rouge_1"), "tone": LABEL},
        "calculate_output": "0.5 * exact + 0.5 * close + 0 * tone",
    }
    answer = run(api, grader, "Paris is the answer", {"answer": "paris"}, valid_request=False)
    parts = answer["sub_rewards"]
    assert set(parts) == {"exact", "close", "tone"}
    assert parts["exact"] == 1.0 and parts["close"] == pytest.approx(0.4)
    assert answer["reward"] == pytest.approx(0.7)
    assert answer["metadata"]["scores"] == parts
    assert set(answer["model_grader_token_usage_per_model"]) == {"gpt-4o"}


def test_the_spec_shape_of_multi_one_grader_by_name(api):
    grader = {"type": "multi", "name": "m", "graders": check("eq"), "calculate_output": "2 * check_eq - 1"}
    assert run(api, grader, "yes", {"answer": "yes"})["reward"] == 1.0
    assert run(api, grader, "no", {"answer": "yes"})["reward"] == -1.0


@pytest.mark.parametrize(
    ("grader", "sample", "item", "flag"),
    [
        (check("eq"), "Paris", {"other": "x"}, "invalid_variable_error"),
        (
            {**check("eq"), "input": "{{sample.output_json.city}}"},
            "not json",
            {"answer": "x"},
            "sample_parse_error",
        ),
        (
            {"type": "multi", "name": "m", "graders": check("eq"), "calculate_output": "check_eq / 0"},
            "Paris",
            {"answer": "Paris"},
            "formula_parse_error",
        ),
    ],
)
def test_grading_problems_raise_their_error_flag(api, grader, sample, item, flag):
    answer = run(api, grader, sample, item)
    assert answer["reward"] == 0.0
    raised = [k for k, v in answer["metadata"]["errors"].items() if v is True]
    assert raised == [flag]


def test_json_samples_can_be_graded_by_field(api):
    grader = {**check("eq"), "input": "{{sample.output_json.city}}"}
    assert run(api, grader, '{"city": "Paris"}', {"answer": "Paris"})["reward"] == 1.0


# -- validating ---------------------------------------------------------------------------


@pytest.mark.parametrize("grader", [check("eq"), similar("bleu"), SCORE, PYTHON])
def test_valid_graders_come_back_unchanged(api, grader):
    assert api.post(VALIDATE, {"grader": grader}) == {"grader": grader}


@pytest.mark.parametrize(
    ("grader", "param", "message"),
    [
        ({**check("eq"), "type": "regex"}, "grader.type", "unknown grader type 'regex'"),
        (
            {k: v for k, v in check("eq").items() if k != "reference"},
            "grader.reference",
            "Missing required parameter",
        ),
        (check("contains"), "grader.operation", "'contains' is not an operation"),
        (similar("jaccard"), "grader.evaluation_metric", "'jaccard' is not a metric"),
        (
            {**check("eq"), "input": "{{output_text}}"},
            "grader.input",
            "unknown template variable {{output_text}}",
        ),
        (
            {**check("eq"), "input": "{{sample.text}}"},
            "grader.input",
            "unknown template variable {{sample.text}}",
        ),
        (
            {**PYTHON, "source": "def grade(sample, item)\n    return 1"},
            "grader.source",
            "does not parse (line 1",
        ),
        (
            {**PYTHON, "source": "def score(sample, item):\n    return 1"},
            "grader.source",
            "define a function grade",
        ),
        ({**SCORE, "range": [5, 1]}, "grader.range", "low < high"),
        ({**SCORE, "model": "gpt-9"}, "grader.model", "'gpt-9' does not exist"),
        (LABEL, "grader.type", "label_model graders cannot be used here"),
        (
            {
                "type": "multi",
                "name": "m",
                "graders": {**LABEL, "passing_labels": ["happy"]},
                "calculate_output": "tone",
            },
            "grader.graders.passing_labels",
            "'happy' is not one of the labels",
        ),
        (
            {"type": "multi", "name": "m", "graders": {"a": check("eq")}, "calculate_output": "a + b"},
            "grader.calculate_output",
            "uses 'b', which is not a grader name (graders: a, check_eq)",
        ),
        (
            {
                "type": "multi",
                "name": "m",
                "graders": {"a": check("eq")},
                "calculate_output": "__import__('os')",
            },
            "grader.calculate_output",
            "only min, max, abs, floor, ceil, exp, sqrt, log may be called",
        ),
    ],
)
def test_bad_graders_get_a_400_that_names_the_problem(api, grader, param, message):
    error = api.error("POST", VALIDATE, 400, json={"grader": grader})
    assert error["param"] == param
    assert message in error["message"]
    assert api.error("POST", RUN, 400, json={"grader": grader, "model_sample": "x"})["param"] == param


def test_run_needs_a_string_sample_and_an_object_item(api):
    assert api.error("POST", RUN, 400, json={"grader": PYTHON})["param"] == "model_sample"
    assert api.error("POST", RUN, 400, json={"grader": PYTHON, "model_sample": 3})["code"] == "invalid_type"
    assert (
        api.error("POST", RUN, 400, json={"grader": PYTHON, "model_sample": "x", "item": [1]})["param"]
        == "item"
    )
    assert api.error("POST", VALIDATE, 400, json={})["param"] == "grader"
