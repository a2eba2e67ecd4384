"""Fine-tuning against the sandbox: starting jobs (and checking data first), listing, following."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._tuning import live_view
from openai_widgets._tuning import monitor as _ft_live
from openai_widgets._tuning.loss_chart import LossChart
from openai_widgets.api import fine_tuning as ft_module
from tests.support import tuning as tuning_support
from tests.support.plots import hide_plotly
from tests.support.tuning import examples, jsonl

fresh = tuning_support.fresh  # a fixture
quick_jobs = tuning_support.quick_jobs  # a fixture

JOB_COLUMNS = [
    "id",
    "status",
    "model",
    "fine_tuned_model",
    "created_at",
    "finished_at",
    "training_file",
    "validation_file",
    "trained_tokens",
    "error_message",
]


def created_body(sandbox) -> dict:
    return sandbox.requests_to("/fine_tuning/jobs", "POST")[-1].json()


def uploaded(sandbox) -> list[tuple[dict, object]]:
    """(fields, file part) of each upload the sandbox received."""
    return [
        (fields, parts["file"][0])
        for fields, parts in (r.form() for r in sandbox.requests_to("/files", "POST"))
    ]


def finish(client, job_id: str) -> ow.Record:
    """Watch a job to its end; the job's last record."""
    *_, last = client.watch_fine_tuning(job_id, poll_interval=0.05)
    return last.job


# -- starting a job --------------------------------------------------------------------


def test_fine_tune_checks_and_uploads_a_dataframe_then_starts(client, sandbox, spec):
    frame = pd.DataFrame(examples(12))

    job = client.fine_tune(frame, suffix="demo", seed=7, hyperparameters={"n_epochs": 2})

    ((fields, part),) = uploaded(sandbox)
    assert fields == {"purpose": "fine-tune"}
    assert part.filename == "training.jsonl"
    assert [json.loads(line) for line in part.content.decode().splitlines()] == examples(12)
    body = created_body(sandbox)
    spec.validate_request("POST", "/fine_tuning/jobs", body)
    assert body == {
        "model": "gpt-4o-mini-2024-07-18",
        "training_file": job["training_file"],
        "suffix": "demo",
        "seed": 7,
        "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
    }
    assert isinstance(job, ow.Record)
    assert job["status"] == "validating_files"
    spec.validate_response("POST", "/fine_tuning/jobs", dict(job))


def test_fine_tune_uploads_a_path_as_it_is(client, sandbox, tmp_path):
    path = tmp_path / "support.jsonl"
    path.write_bytes(jsonl(examples(10)))

    client.fine_tune(path, model="gpt-4o-mini")

    ((_, part),) = uploaded(sandbox)
    assert part.filename == "support.jsonl"
    assert part.content == path.read_bytes()
    assert created_body(sandbox)["model"] == "gpt-4o-mini"


def test_fine_tune_takes_a_file_id_without_uploading(client, sandbox, spec):
    file_id = client.upload_file(jsonl(examples(10)), "fine-tune")["id"]
    sandbox.clear_requests()

    job = client.fine_tune(file_id, validation=file_id)

    assert uploaded(sandbox) == []
    body = created_body(sandbox)
    assert body == {"model": "gpt-4o-mini-2024-07-18", "training_file": file_id, "validation_file": file_id}
    spec.validate_request("POST", "/fine_tuning/jobs", body)
    assert job["validation_file"] == file_id


def test_fine_tune_uploads_validation_data_with_fewer_examples(client, sandbox):
    client.fine_tune(examples(10), validation=pd.DataFrame(examples(2, start=50)))

    names = [part.filename for _, part in uploaded(sandbox)]
    assert names == ["training.jsonl", "validation.jsonl"]
    body = created_body(sandbox)
    assert body["training_file"] != body["validation_file"]


def test_fine_tune_methods(client, sandbox, spec):
    preference = [
        {
            "input": {"messages": [{"role": "user", "content": f"q{n}"}]},
            "preferred_output": [{"role": "assistant", "content": "good"}],
            "non_preferred_output": [{"role": "assistant", "content": "bad"}],
        }
        for n in range(10)
    ]
    client.fine_tune(preference, method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}})
    body = created_body(sandbox)
    assert body["method"] == {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}}
    spec.validate_request("POST", "/fine_tuning/jobs", body)

    client.fine_tune(examples(10), method="supervised", hyperparameters={"learning_rate_multiplier": 0.5})
    body = created_body(sandbox)
    assert body["method"] == {
        "type": "supervised",
        "supervised": {"hyperparameters": {"learning_rate_multiplier": 0.5}},
    }
    spec.validate_request("POST", "/fine_tuning/jobs", body)

    grader = {
        "type": "string_check",
        "name": "exact",
        "input": "{{sample.output_text}}",
        "reference": "x",
        "operation": "eq",
    }
    prompts = [{"messages": [{"role": "user", "content": f"q{n}"}]} for n in range(10)]
    job = client.fine_tune(prompts, method={"type": "reinforcement", "reinforcement": {"grader": grader}})
    spec.validate_request("POST", "/fine_tuning/jobs", created_body(sandbox))
    assert job["method"]["type"] == "reinforcement"


# -- the data rules, each with its message ---------------------------------------------

GOOD = examples(1)[0]
ASSISTANT = {"role": "assistant", "content": "fine"}


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"messages": [', "line 3: not valid JSON"),
        ("[1, 2]", "line 3: a JSON list, not an object with 'messages'"),
        ({"prompt": "x", "completion": "y"}, "line 3: no 'messages' list"),
        ({"messages": []}, "line 3: 'messages' must be a non-empty list of messages"),
        ({"messages": ["hi", ASSISTANT]}, "line 3: messages item 1 is not an object"),
        (
            {"messages": [{"role": "user", "content": "q"}, {"role": "bot", "content": "a"}]},
            "line 3: messages item 2 has role 'bot'; "
            "use one of system, developer, user, assistant, tool, function",
        ),
        ({"messages": [{"role": "user"}, ASSISTANT]}, "line 3: messages item 1 (user) has no content"),
        (
            {"messages": [{"role": "user", "content": "q"}]},
            "line 3: no assistant message; each example needs at least one assistant reply to learn from",
        ),
        (
            {"messages": [{"role": "user", "content": "q"}, {**ASSISTANT, "weight": 2}]},
            "line 3: messages item 2 has weight 2; use 0 or 1",
        ),
    ],
)
def test_each_rule_names_the_line_and_the_problem(client, sandbox, tmp_path, line, problem):
    rows = [json.dumps(row) for row in examples(12)]
    rows[2] = line if isinstance(line, str) else json.dumps(line)
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(rows) + "\n")

    with pytest.raises(ow.InvalidInputError) as caught:
        client.fine_tune(path)

    assert str(caught.value) == f"training 'train.jsonl' has 1 problem: {problem}. Fix the data and try again"
    assert sandbox.requests == [], "nothing is uploaded or started"


def test_tool_calls_stand_in_for_assistant_content(client, sandbox):
    call = {
        "role": "assistant",
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
    rows = [
        {
            "messages": [
                {"role": "user", "content": "q"},
                call,
                {"role": "tool", "tool_call_id": "c1", "content": "1"},
                ASSISTANT,
            ]
        }
    ] * 10
    client.fine_tune(rows)
    assert len(uploaded(sandbox)) == 1


@pytest.mark.parametrize(
    ("count", "problem"),
    [(9, "there are 9 examples; fine-tuning needs at least 10"), (1, "there is 1 example;")],
)
def test_training_data_needs_ten_examples(client, sandbox, count, problem):
    with pytest.raises(ow.InvalidInputError, match=f"training has 1 problem: {problem}"):
        client.fine_tune(examples(count))
    assert sandbox.requests == []


def test_at_most_five_problems_are_listed(client):
    rows = examples(12)
    for n in range(8):
        rows[n] = {"messages": [{"role": "user", "content": "q"}]}
    with pytest.raises(ow.InvalidInputError) as caught:
        client.fine_tune(rows)
    text = str(caught.value)
    assert text.startswith("training has 8 problems: line 1: no assistant message")
    assert "line 5:" in text
    assert "line 6:" not in text
    assert "(and 3 more)" in text


def test_dataframe_problems_name_line_and_row(client):
    frame = pd.DataFrame(examples(12), index=[f"ex{n}" for n in range(12)])
    frame.at["ex2", "messages"] = [{"role": "user", "content": "only a question"}]
    with pytest.raises(ow.InvalidInputError, match=r"line 3 \(row 'ex2'\): no assistant message"):
        client.fine_tune(frame)


def test_blank_lines_are_skipped_but_counted(client, tmp_path):
    rows = [json.dumps(row) for row in examples(12)]
    rows.insert(1, "")
    rows[5] = json.dumps({"messages": [{"role": "user", "content": "q"}]})
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(rows))
    with pytest.raises(
        ow.InvalidInputError, match="training 'train.jsonl' has 1 problem: line 6: no assistant"
    ):
        client.fine_tune(path)


@pytest.mark.parametrize(
    ("example", "problem"),
    [
        (
            {"preferred_output": [ASSISTANT], "non_preferred_output": [ASSISTANT]},
            "no 'input' object with 'messages'",
        ),
        (
            {"input": {"messages": [{"role": "user", "content": "q"}]}, "non_preferred_output": [ASSISTANT]},
            "no 'preferred_output' list of assistant messages",
        ),
        (
            {
                "input": {"messages": [{"role": "user", "content": "q"}]},
                "preferred_output": [{"role": "user", "content": "x"}],
                "non_preferred_output": [ASSISTANT],
            },
            "'preferred_output' may hold only assistant messages",
        ),
        (
            {
                "input": {"messages": [{"role": "robot", "content": "q"}]},
                "preferred_output": [ASSISTANT],
                "non_preferred_output": [ASSISTANT],
            },
            "input.messages item 1 has role 'robot'",
        ),
    ],
)
def test_preference_data_rules(client, example, problem):
    good = {
        "input": {"messages": [{"role": "user", "content": "q"}]},
        "preferred_output": [ASSISTANT],
        "non_preferred_output": [{"role": "assistant", "content": "meh"}],
    }
    rows = [good] * 9 + [example]
    with pytest.raises(ow.InvalidInputError, match=f"line 10: {problem}"):
        client.fine_tune(rows, method="dpo")


def test_validation_data_is_checked_before_anything_is_uploaded(client, sandbox):
    bad = [{"messages": [{"role": "user", "content": "q"}]}]
    with pytest.raises(ow.InvalidInputError, match="validation has 1 problem: line 1: no assistant message"):
        client.fine_tune(examples(10), validation=bad)
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"suffix": "x" * 65},
            ow.InvalidInputError,
            "suffix has 65 characters; it may have at most 64, shorten it",
        ),
        ({"suffix": ""}, ow.InvalidInputError, "suffix is empty"),
        ({"suffix": 5}, ow.InvalidTypeError, "suffix must be a string, not int"),
        ({"seed": -1}, ow.InvalidInputError, "seed must be between 0 and 2147483647, got -1"),
        ({"seed": "7"}, ow.InvalidTypeError, "seed must be a whole number"),
        ({"model": ""}, ow.InvalidInputError, "model is empty; pass a model ID such as"),
        ({"model": 3}, ow.InvalidTypeError, "model must be a model ID string such as"),
        (
            {"hyperparameters": {"n_epochs": 0}},
            ow.InvalidInputError,
            "hyperparameter n_epochs must be between 1 and 50, got 0",
        ),
        (
            {"hyperparameters": {"n_epochs": 2.5}},
            ow.InvalidTypeError,
            "hyperparameter n_epochs must be a whole number or 'auto', not float",
        ),
        (
            {"hyperparameters": {"n_epochs": "3"}},
            ow.InvalidTypeError,
            "hyperparameter n_epochs must be a whole number or 'auto', not str",
        ),
        (
            {"hyperparameters": {"learning_rate_multiplier": "high"}},
            ow.InvalidTypeError,
            "hyperparameter learning_rate_multiplier must be a number or 'auto', not str",
        ),
        (
            {"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 3}}}},
            ow.InvalidInputError,
            "hyperparameter beta must be 2 or less, got 3",
        ),
        (
            {"hyperparameters": {"batch_size": 300}},
            ow.InvalidInputError,
            "batch_size must be between 1 and 256",
        ),
        (
            {"hyperparameters": {"learning_rate_multiplier": 0}},
            ow.InvalidInputError,
            "must be more than 0, got 0",
        ),
        (
            {"hyperparameters": {"epochs": 3}},
            ow.InvalidInputError,
            "hyperparameter 'epochs' is not one of n_epochs",
        ),
        (
            {"hyperparameters": {"beta": 0.1}},
            ow.InvalidInputError,
            "'beta' is not one of .* \\(for supervised\\)",
        ),
        ({"hyperparameters": [3]}, ow.InvalidTypeError, "hyperparameters must be a dict"),
        (
            {
                "hyperparameters": {"n_epochs": 2},
                "method": {"type": "supervised", "supervised": {"hyperparameters": {}}},
            },
            ow.InvalidInputError,
            "hyperparameters are given twice",
        ),
        (
            {"method": "rl"},
            ow.InvalidInputError,
            "method type 'rl' is not one of supervised, dpo, reinforcement",
        ),
        ({"method": "reinforcement"}, ow.InvalidInputError, "reinforcement fine-tuning needs a grader"),
        ({"method": 3}, ow.InvalidTypeError, "method must be a dict"),
    ],
)
def test_arguments_are_checked_before_sending(client, sandbox, kwargs, error, message):
    with pytest.raises(error, match=message):
        client.fine_tune(examples(10), **kwargs)
    assert sandbox.requests == []


def test_suffix_of_64_characters_is_fine(client, sandbox):
    job = client.fine_tune(examples(10), suffix="s" * 64)
    assert created_body(sandbox)["suffix"] == "s" * 64
    assert job["user_provided_suffix"] == "s" * 64


@pytest.mark.parametrize(
    ("training_file", "error", "message"),
    [
        ("data/train.jsonl", ow.InvalidInputError, "training 'data/train.jsonl': no such file"),
        ("train.jsonl", ow.InvalidInputError, "no such file; give the path of a JSONL file, or a file ID"),
        ("  ", ow.InvalidInputError, "training is empty"),
        (3, ow.InvalidTypeError, "training must be a file ID, a path, a DataFrame or a list"),
    ],
)
def test_training_file_kinds(client, sandbox, training_file, error, message):
    with pytest.raises(error, match=message):
        client.fine_tune(training_file)
    assert sandbox.requests == []


# -- jobs, events, checkpoints ----------------------------------------------------------


def test_fine_tuning_jobs_lists_every_page(fresh, spec, monkeypatch):
    server, client = fresh
    monkeypatch.setattr(ft_module, "PAGE_SIZE", 2)
    file_id = client.upload_file(jsonl(examples(10)), "fine-tune")["id"]
    made = [client.fine_tune(file_id, suffix=f"n{n}")["id"] for n in range(5)]

    frame = client.fine_tuning_jobs()

    assert list(frame.columns[: len(JOB_COLUMNS)]) == JOB_COLUMNS
    assert list(frame["id"]) == made[::-1], "newest first"
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert str(frame["finished_at"].dt.tz) == "UTC"
    assert frame["trained_tokens"].dtype == "Int64"
    pages = server.requests_to("/fine_tuning/jobs", "GET")
    assert [r.query.get("after", [None])[0] for r in pages] == [None, made[3], made[1]]
    spec.validate_response("GET", "/fine_tuning/jobs", client._get("fine_tuning/jobs", {"limit": 2}))


def test_fine_tuning_jobs_keeps_its_columns_when_empty(fresh):
    _, client = fresh
    frame = client.fine_tuning_jobs()
    assert list(frame.columns) == JOB_COLUMNS
    assert frame.empty


def test_job_record_events_and_checkpoints_of_a_finished_job(client, quick_jobs, spec, monkeypatch):
    job = client.fine_tune(examples(10), suffix="done", hyperparameters={"n_epochs": 2})
    final = finish(client, job["id"])
    monkeypatch.setattr(ft_module, "PAGE_SIZE", 5)
    quick_jobs.clear_requests()

    record = client.fine_tuning_job(job["id"])
    events = client.fine_tuning_events(job["id"])
    monkeypatch.setattr(ft_module, "PAGE_SIZE", 1)
    checkpoints = client.fine_tuning_checkpoints(job["id"])

    assert record == final
    assert record["status"] == "succeeded"
    assert record["fine_tuned_model"] == f"ft:gpt-4o-mini-2024-07-18:sandbox:done:{job['id'][-8:]}"
    spec.validate_response("GET", f"/fine_tuning/jobs/{job['id']}", dict(record))

    assert list(events.columns[:4]) == ["created_at", "level", "message", "type"]
    assert {"step", "train_loss", "train_mean_token_accuracy"} <= set(events.columns)
    assert events["train_loss"].dtype == "float64"
    assert str(events["created_at"].dt.tz) == "UTC"
    assert events["message"].iloc[0].startswith("[sandbox] Created fine-tuning job")
    assert events["message"].iloc[-1] == "The job has successfully completed"
    metrics = events[events["type"] == "metrics"]
    assert metrics["step"].tolist() == [float(n) for n in range(1, 21)], "10 examples x 2 epochs"
    assert events[events["type"] == "message"]["train_loss"].isna().all()
    event_pages = quick_jobs.requests_to(f"/fine_tuning/jobs/{job['id']}/events")
    assert len(event_pages) == -(-len(events) // 5)
    spec.validate_response(
        "GET", f"/fine_tuning/jobs/{job['id']}/events", client._get(f"fine_tuning/jobs/{job['id']}/events")
    )

    assert checkpoints["step_number"].tolist() == [10, 20]
    assert len(quick_jobs.requests_to(f"/fine_tuning/jobs/{job['id']}/checkpoints")) == 2, "one per page"
    assert list(checkpoints.columns) == [
        "id",
        "step_number",
        "created_at",
        "fine_tuned_model_checkpoint",
        "train_loss",
        "train_mean_token_accuracy",
        "fine_tuning_job_id",
    ]
    assert checkpoints["fine_tuned_model_checkpoint"].iloc[-1] == f"{record['fine_tuned_model']}:ckpt-step-20"
    spec.validate_response(
        "GET",
        f"/fine_tuning/jobs/{job['id']}/checkpoints",
        client._get(f"fine_tuning/jobs/{job['id']}/checkpoints"),
    )


def test_results_file_reads_as_a_frame(client, quick_jobs):
    job = client.fine_tune(examples(10), hyperparameters={"n_epochs": 1}, validation=examples(3))
    final = finish(client, job["id"])

    results = client.file_content(final["result_files"][0], as_frame=True)

    assert list(results.columns) == [
        "step",
        "train_loss",
        "train_mean_token_accuracy",
        "valid_loss",
        "valid_mean_token_accuracy",
    ]
    assert results["step"].tolist() == list(range(1, 11))
    assert client.file(final["result_files"][0])["purpose"] == "fine-tune-results"


def test_the_fine_tuned_model_can_be_listed_and_deleted(client, quick_jobs, spec):
    job = client.fine_tune(examples(10), suffix="tmp")
    model = finish(client, job["id"])["fine_tuned_model"]
    assert model in client.models()["id"].tolist()
    spec.validate_response("GET", "/models", client._get("models"))
    spec.validate_response("GET", f"/models/{model}", client._get(f"models/{model}"))

    record = client.delete_model(model)

    assert record == {"id": model, "object": "model", "deleted": True}
    spec.validate_response("DELETE", f"/models/{model}", dict(record))
    assert model not in client.models()["id"].tolist()
    with pytest.raises(ow.NotFoundError, match=f"The model `{model}` does not exist"):
        client.delete_model(model)


def test_base_models_cannot_be_deleted(client):
    with pytest.raises(ow.PermissionDeniedError, match="You cannot delete the model gpt-4o"):
        client.delete_model("gpt-4o")


def test_cancel_a_running_job(client, sandbox, spec):
    job = client.fine_tune(examples(10))

    cancelled = client.cancel_fine_tuning(job["id"])

    assert cancelled["status"] == "cancelled"
    assert cancelled["fine_tuned_model"] is None
    spec.validate_response("POST", f"/fine_tuning/jobs/{job['id']}/cancel", dict(cancelled))
    assert client.fine_tuning_events(job["id"])["message"].iloc[-1] == "Fine-tuning job cancelled"
    with pytest.raises(ow.BadRequestError, match="has already cancelled and cannot be cancelled"):
        client.cancel_fine_tuning(job["id"])


def test_unknown_jobs_are_404(client):
    with pytest.raises(ow.NotFoundError, match="Could not find fine-tuning job ftjob-nope"):
        client.fine_tuning_job("ftjob-nope")
    with pytest.raises(ow.NotFoundError):
        client.fine_tuning_events("ftjob-nope")


@pytest.mark.parametrize(
    "call",
    [
        "fine_tuning_job",
        "cancel_fine_tuning",
        "fine_tuning_events",
        "fine_tuning_checkpoints",
        "delete_model",
    ],
)
def test_ids_are_checked_before_sending(client, sandbox, call):
    with pytest.raises(ow.InvalidInputError, match="is empty"):
        getattr(client, call)("")
    assert sandbox.requests == []


# -- following ---------------------------------------------------------------------------


class RecordingHandle:
    """Stands in for IPython's display handle: keeps every drawing of the live view."""

    def __init__(self, view):
        self.drawn = [view._repr_mimebundle_()]

    def update(self, view):
        self.drawn.append(view._repr_mimebundle_())


class RecordingChart:
    """Stands in for the live chart below the view: a real LossChart, its updates recorded."""

    made: list[RecordingChart] = []
    ready: LossChart | None = None  # made before the job starts: plotly's first import takes seconds

    def __init__(self):
        self.chart = RecordingChart.ready
        self.steps_drawn = []  # how many steps the chart held after each update
        self.final = False
        RecordingChart.made.append(self)

    def update(self, events):
        self.chart.update(events)
        self.steps_drawn.append(len(self.chart.series.get("train_loss", ([], []))[0]))

    def show_final(self):
        self.final = True


@pytest.fixture
def handles(monkeypatch):
    made = []

    def display(view):
        made.append(RecordingHandle(view))
        return made[-1]

    monkeypatch.setattr(live_view, "live_display", display)
    monkeypatch.setattr(live_view, "LiveChart", RecordingChart)
    RecordingChart.ready = LossChart()
    RecordingChart.made = []
    return made


def status_of(bundle) -> str:
    return bundle["text/plain"].splitlines()[0].split(": ")[1].split(",")[0]


def test_follow_updates_in_place_until_succeeded(client, quick_jobs, handles):
    job = client.fine_tune(examples(10))

    frame = client.fine_tuning_events(job["id"], follow=True, poll_interval=0.03)

    (handle,) = handles
    statuses = [status_of(bundle) for bundle in handle.drawn[1:]]
    assert statuses[-1] == "succeeded"
    assert "running" in statuses
    assert statuses.index("running") < len(statuses) - 1, "the view was drawn while the job ran"
    final = handle.drawn[-1]["text/html"]
    assert "class='ow-ft-status'" in final
    assert "succeeded" in final
    assert "data:image/png;base64," not in final  # the chart is the live one below the view
    assert "The job has successfully completed" in final
    pd.testing.assert_frame_equal(frame, client.fine_tuning_events(job["id"]))
    (chart,) = RecordingChart.made
    assert len(chart.steps_drawn) >= 2, "the chart was updated in place while the job ran"
    assert chart.steps_drawn == sorted(chart.steps_drawn) and chart.steps_drawn[-1] == 30
    assert chart.final, "the chart was shown once more at the end, for the saved notebook"


def test_follow_without_the_plots_extra_draws_the_loss_in_the_view(client, quick_jobs, handles, monkeypatch):
    hide_plotly(monkeypatch)
    job = client.fine_tune(examples(10))

    client.fine_tuning_events(job["id"], follow=True, poll_interval=0.03)

    assert "data:image/png;base64," in handles[0].drawn[-1]["text/html"]
    assert RecordingChart.made == []


def test_follow_ends_when_the_job_fails(client, quick_jobs, handles):
    bad = client.upload_file(jsonl(examples(3)), "fine-tune")["id"]  # too few: only the server notices
    job = client.fine_tune(bad)

    frame = client.fine_tuning_events(job["id"], follow=True, poll_interval=0.03)

    final = handles[0].drawn[-1]
    assert status_of(final) == "failed"
    assert "must have at least 10 examples" in final["text/plain"]
    assert frame["level"].iloc[-1] == "error"
    assert (
        client.fine_tuning_jobs()
        .set_index("id")
        .loc[job["id"], "error_message"]
        .startswith("Training file has 3")
    )


def test_follow_ends_when_the_job_is_cancelled_meanwhile(client, quick_jobs, handles, monkeypatch):
    job = client.fine_tune(examples(10))
    real_pause = _ft_live.pause

    def cancel_then_pause(seconds, stop):
        client.cancel_fine_tuning(job["id"])
        return real_pause(seconds, stop)

    monkeypatch.setattr(_ft_live, "pause", cancel_then_pause)

    frame = client.fine_tuning_events(job["id"], follow=True, poll_interval=0.01)

    assert status_of(handles[0].drawn[-1]) == "cancelled"
    assert frame["message"].iloc[-1] == "Fine-tuning job cancelled"


def test_an_interrupt_stops_following_and_leaves_the_job_alone(client, quick_jobs, handles, monkeypatch):
    quick_jobs.job_seconds = 1.5  # still running at the second look, however long drawing the chart takes
    job = client.fine_tune(examples(10))
    pauses = []

    def interrupted(seconds, stop):
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt
        return False

    monkeypatch.setattr(_ft_live, "pause", interrupted)

    frame = client.fine_tuning_events(job["id"], follow=True, poll_interval=0.01)

    assert len(pauses) == 2
    assert not frame.empty
    assert list(frame.columns[:4]) == ["created_at", "level", "message", "type"]
    assert "Stopped following; the job goes on" in handles[0].drawn[-1]["text/html"]
    assert quick_jobs.requests_to(f"/fine_tuning/jobs/{job['id']}/cancel") == [], "no cancel was sent"
    monkeypatch.setattr(_ft_live, "pause", lambda seconds, stop: stop.wait(0.05) if stop else False)
    assert finish(client, job["id"])["status"] == "succeeded", "the job went on"


def test_follow_outside_ipython_prints_the_log(client, quick_jobs, monkeypatch, capsys):
    monkeypatch.setattr(live_view, "live_display", lambda view: None)
    job = client.fine_tune(examples(10))

    client.fine_tuning_events(job["id"], follow=True, poll_interval=0.03)

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("info  [sandbox] Created fine-tuning job")
    assert "info  Fine-tuning job started" in lines
    assert lines[-1].startswith(f"{job['id']}: succeeded, model ft:")


def test_live_display_uses_a_display_handle_in_a_notebook(ip, monkeypatch):
    from IPython.display import DisplayHandle

    assert live_view.live_display(live_view.FineTuningView("ftjob-x")) is None  # a terminal: log lines
    monkeypatch.setattr(live_view, "in_notebook", lambda: True)
    handle = live_view.live_display(live_view.FineTuningView("ftjob-x"))
    assert isinstance(handle, DisplayHandle)


def test_watch_reads_only_new_events(client, quick_jobs):
    job = client.fine_tune(examples(10))

    updates = list(client.watch_fine_tuning(job["id"], poll_interval=0.02))

    seen = [event["id"] for update in updates for event in update.new_events]
    assert len(seen) == len(set(seen)), "no event is reported twice"
    assert sorted(seen) == sorted(client.fine_tuning_events(job["id"])["id"])
    assert updates[-1].done
    assert not any(update.done for update in updates[:-1])
    pd.testing.assert_frame_equal(updates[-1].frame(), client.fine_tuning_events(job["id"]))


def test_watch_stops_when_asked(client, sandbox):
    import threading

    job = client.fine_tune(examples(10))
    stop = threading.Event()
    stop.set()

    updates = list(client.watch_fine_tuning(job["id"], poll_interval=5, stop=stop))

    assert len(updates) == 1
    assert not updates[0].done


@pytest.mark.parametrize(
    ("interval", "error", "message"),
    [
        (0, ow.InvalidInputError, "poll_interval must be more than 0 seconds, got 0"),
        (-1, ow.InvalidInputError, "poll_interval must be more than 0 seconds, got -1"),
        (float("nan"), ow.InvalidInputError, "poll_interval must be more than 0 seconds, got nan"),
        ("2", ow.InvalidTypeError, "poll_interval must be a number of seconds, not str"),
        (True, ow.InvalidTypeError, "poll_interval must be a number of seconds, not bool"),
    ],
)
def test_follow_interval_must_be_positive(client, sandbox, interval, error, message):
    with pytest.raises(error, match=message):
        client.fine_tuning_events("ftjob-x", follow=True, poll_interval=interval)
    with pytest.raises(error, match=message):
        client.watch_fine_tuning("ftjob-x", poll_interval=interval)
    assert sandbox.requests == []


def test_dataframe_cells_holding_numpy_arrays_are_lists(client, sandbox):
    import numpy as np

    frame = pd.DataFrame({"messages": [np.array(e["messages"], dtype=object) for e in examples(10)]})

    client.fine_tune(frame)

    content = sandbox.requests_to("/files", "POST")[-1].form()[1]["file"][0].content
    assert [json.loads(line) for line in content.decode().splitlines()] == examples(10)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_a_jsonl_file_splits_at_newlines_only(client, sandbox, tmp_path, separator):
    rows = [json.dumps(example, ensure_ascii=False) for example in examples(12)]
    # JSON allows U+2028, U+2029 and U+0085 unescaped inside a string; str.splitlines() does not.
    rows[1] = rows[1].replace("answer 1", f"answer{separator}1")
    rows[2] = rows[2].replace("question 2", f"question{separator}2")
    rows[4] = '{"messages": ['  # the one real problem, on line 5
    path = tmp_path / "train.jsonl"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode())  # Windows line ends are fine too
    with pytest.raises(ow.InvalidInputError) as info:
        client.fine_tune(path)
    assert str(info.value) == (
        "training 'train.jsonl' has 1 problem: line 5: not valid JSON. Fix the data and try again"
    )
    del rows[4]
    path.write_bytes(("\n".join(rows) + "\n").encode())
    job = client.fine_tune(path)
    uploaded = sandbox.state.file_contents[job["training_file"]]
    assert uploaded == path.read_bytes()  # sent as it is


def test_jsonl_read_back_keeps_separators_inside_strings():
    from openai_widgets._tables.jsonl import parse_jsonl, read_table

    data = '{"a": "x\u2028y"}\n\n{"a": "z\u0085w"}\r\n{"a": "v"}'.encode()
    assert parse_jsonl(data) == [{"a": "x\u2028y"}, {"a": "z\u0085w"}, {"a": "v"}]
    assert read_table(data)["a"].tolist() == ["x\u2028y", "z\u0085w", "v"]
    with pytest.raises(ow.InvalidInputError, match="line 4 is not valid JSON"):
        parse_jsonl('{"a": "\u2028"}\n\n{"a": 1}\n{"a": \n'.encode())
