"""Every public function under every fault, over real HTTP against the sandbox.

Each case either succeeds after retries or raises the documented error with a useful
one-line message. Long jobs (moderation over a Series, embeddings, chat_map, a batch) are
checked row by row: nothing finished is lost and nothing is duplicated. The table of
outcomes (cases tried, survived, rows lost) is printed at the end of the run.
"""

from __future__ import annotations

import math
import threading
import time

import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._core.constants import MAX_RETRY_AFTER
from openai_widgets.sandbox import SANDBOX_ADMIN_KEY
from tests.conftest import TEST_KEY
from tests.support.evals import EXACT, TEMPLATE, capitals
from tests.support.faults import CASES, REPORT, Case, Target
from tests.support.media import picture, tone
from tests.support.tuning import examples

pytestmark = pytest.mark.filterwarnings("ignore:complete\\(\\) uses:DeprecationWarning")

TIMEOUT = 0.25  # the client's; the "timeout" faults make the sandbox wait longer than this
STREAM_CUT = Case("stream cut midway", "cut_stream", {"after": 2}, 1, ow.StreamInterruptedError)
FAILED_RESPONSE = Case("response ends failed", "failed_response", {}, 1, ow.ResponseFailedError)


# -- long jobs: results are compared row by row with a clean run -----------------------------------

SERIES = pd.Series([f"text {n}" for n in range(70)], index=[f"r{n}" for n in range(70)])
TEXTS = [f"note {n}" for n in range(2600)]  # two embeddings requests
ROWS = pd.DataFrame({"text": [f"line {n}" for n in range(12)]}, index=range(500, 512))
ITEMS = capitals(4)
STORED = {"type": "stored_completions", "metadata": {"suite": "faults"}}


def get_weather(city: str) -> str:
    """Weather in a city (a tool for the tool-loop target)."""
    return f"sunny in {city}"


def rows_lost(result, expected_labels) -> int:
    """Rows missing or repeated compared with the input (0 means nothing lost, nothing duplicated)."""
    labels = list(result.index)
    return len(set(expected_labels) - set(labels)) + (len(labels) - len(set(labels)))


def _ok_frame(frame) -> bool:
    return isinstance(frame, pd.DataFrame)


TARGETS = [
    Target("models", lambda c, x: c.models(), "/models", check=lambda f: len(f) > 0),
    Target("model", lambda c, x: c.model("gpt-4o"), "/models/gpt-4o", check=lambda r: r["id"] == "gpt-4o"),
    Target(
        "request",
        lambda c, x: c.request("GET", "models/dall-e-2"),
        "/models/dall-e-2",
        check=lambda r: r["id"] == "dall-e-2",
    ),
    Target("chat", lambda c, x: c.chat("hello"), "/chat/completions", check=lambda r: "[sandbox]" in r.text),
    Target(
        "chat (streamed)",
        lambda c, x: c.chat("hello", stream=True, on_update=lambda r: None),
        "/chat/completions",
        check=lambda r: "[sandbox]" in r.text,
        stream=True,
    ),
    Target(
        "complete", lambda c, x: c.complete("Once upon"), "/completions", check=lambda t: isinstance(t, str)
    ),
    Target(
        "edit",
        lambda c, x: c.edit("teh cat", "Fix the spelling"),
        "/chat/completions",
        check=lambda t: isinstance(t, str),
    ),
    Target(
        "moderate", lambda c, x: c.moderate("hello"), "/moderations", check=lambda f: len(f) == 1, engine=True
    ),
    Target(
        "moderate (Series, 3 batches)",
        lambda c, x: c.moderate(SERIES, progress=False),
        "/moderations",
        engine=True,
        rows=list(SERIES.index),
    ),
    Target(
        "embed (2 requests)",
        lambda c, x: c.embed(TEXTS, dimensions=8, progress=False),
        "/embeddings",
        engine=True,
        rows=list(range(len(TEXTS))),
    ),
    Target(
        "chat_map (12 rows)",
        lambda c, x: c.chat_map(ROWS, "Say {text}", progress=False),
        "/chat/completions",
        engine=True,
        rows=list(ROWS.index),
    ),
    Target(
        "batch",
        lambda c, x: c.batch(
            [{"model": "text-embedding-3-small", "input": "a"}] * 3,
            "/v1/embeddings",
            poll_interval=0.05,
            progress=False,
        ),
        "/batches",
        rows=[0, 1, 2],
    ),
    Target("batches", lambda c, x: c.batches(), "/batches", check=_ok_frame),
    Target(
        "generate_images",
        lambda c, x: c.generate_images("a fox", size="256x256"),
        "/images/generations",
        check=lambda r: r[0].size == (256, 256),
    ),
    Target(
        "edit_image",
        lambda c, x: c.edit_image(picture(hole=(16, 16, 48, 48)), "a moon", size="256x256"),
        "/images/edits",
        check=lambda r: r[0].size == (256, 256),
    ),
    Target(
        "image_variations",
        lambda c, x: c.image_variations(picture(mode="RGB"), size="256x256"),
        "/images/variations",
        check=lambda r: r[0].size == (256, 256),
    ),
    Target(
        "transcribe",
        lambda c, x: c.transcribe(tone(0.5)),
        "/audio/transcriptions",
        check=lambda t: "[sandbox]" in t,
    ),
    Target(
        "translate",
        lambda c, x: c.translate(tone(0.5)),
        "/audio/translations",
        check=lambda t: "[sandbox]" in t,
    ),
    Target(
        "speak",
        lambda c, x: c.speak("hello", format="wav"),
        "/audio/speech",
        check=lambda s: s.content[:4] == b"RIFF",
        binary=True,
    ),
    Target("files", lambda c, x: c.files(), "/files", method="GET", check=_ok_frame),
    Target(
        "upload_file",
        lambda c, x: c.upload_file(b'{"a": 1}\n', "batch", filename="f.jsonl"),
        "/files",
        method="POST",
        check=lambda r: r["bytes"] == 9,
    ),
    Target(
        "file", lambda c, x: c.file(x["file"]), "/files/", check=lambda r: r["object"] == "file", setup="file"
    ),
    Target(
        "file_content",
        lambda c, x: c.file_content(x["file"]),
        "/files/",
        check=lambda b: b == b'{"a": 1}\n',
        setup="file",
        binary=True,
    ),
    Target(
        "delete_file",
        lambda c, x: c.delete_file(x["file"]),
        "/files/",
        method="DELETE",
        check=lambda r: r["deleted"] is True,
        setup="file",
    ),
    Target(
        "fine_tune",
        lambda c, x: c.fine_tune(examples(10), suffix="faults"),
        "/fine_tuning/jobs",
        method="POST",
        check=lambda r: r["object"] == "fine_tuning.job",
    ),
    Target(
        "fine_tuning_jobs",
        lambda c, x: c.fine_tuning_jobs(),
        "/fine_tuning/jobs",
        method="GET",
        check=_ok_frame,
    ),
    Target(
        "fine_tuning_job",
        lambda c, x: c.fine_tuning_job(x["job"]),
        "/fine_tuning/jobs/",
        setup="job",
        check=lambda r: r["id"].startswith("ftjob-"),
    ),
    Target(
        "fine_tuning_events",
        lambda c, x: c.fine_tuning_events(x["job"]),
        "/fine_tuning/jobs/",
        setup="job",
        check=_ok_frame,
    ),
    Target(
        "fine_tuning_checkpoints",
        lambda c, x: c.fine_tuning_checkpoints(x["job"]),
        "/fine_tuning/jobs/",
        setup="job",
        check=_ok_frame,
    ),
    Target(
        "cancel_fine_tuning",
        lambda c, x: c.cancel_fine_tuning(x["job"]),
        "/fine_tuning/jobs/",
        method="POST",
        setup="running job",
        check=lambda r: r["status"] == "cancelled",
    ),
    Target(
        "delete_model",
        lambda c, x: c.delete_model(x["model"]),
        "/models/ft:",
        method="DELETE",
        setup="model",
        check=lambda r: r["deleted"] is True,
    ),
    Target(
        "pause_fine_tuning",
        lambda c, x: c.pause_fine_tuning(x["job"]),
        "/fine_tuning/jobs/",
        method="POST",
        setup="running job",
        check=lambda r: r["status"] == "paused",
    ),
    Target(
        "resume_fine_tuning",
        lambda c, x: c.resume_fine_tuning(x["job"]),
        "/fine_tuning/jobs/",
        method="POST",
        setup="paused job",
        check=lambda r: r["status"] in {"validating_files", "queued", "running"},
    ),
    # -- evals, graders, stored completions, checkpoints, usage -------------------------------
    Target(
        "create_eval",
        lambda c, x: c.create_eval("faults", ITEMS, criteria=EXACT),
        "/evals",
        method="POST",
        check=lambda r: r["object"] == "eval",
    ),
    Target("evals", lambda c, x: c.evals(), "/evals", method="GET", check=_ok_frame),
    Target(
        "eval", lambda c, x: c.eval(x["eval"]), "/evals/", setup="eval", check=lambda r: r["object"] == "eval"
    ),
    Target(
        "update_eval",
        lambda c, x: c.update_eval(x["eval"], name="renamed"),
        "/evals/",
        method="POST",
        setup="eval",
        check=lambda r: r["name"] == "renamed",
    ),
    Target(
        "delete_eval",
        lambda c, x: c.delete_eval(x["eval"]),
        "/evals/",
        method="DELETE",
        setup="eval",
        check=lambda r: r["deleted"] is True,
    ),
    Target(
        "run_eval",
        lambda c, x: c.run_eval(x["eval"], ITEMS, template=TEMPLATE, progress=False),
        "/evals/",
        setup="eval",
        check=lambda f: list(f.index) == list(ITEMS.index),
    ),
    Target(
        "run_eval (wait=False)",
        lambda c, x: c.run_eval(x["eval"], ITEMS, template=TEMPLATE, wait=False),
        "/evals/",
        method="POST",
        setup="eval",
        check=lambda r: r["object"] == "eval.run",
    ),
    Target("eval_runs", lambda c, x: c.eval_runs(x["eval"]), "/evals/", setup="run", check=_ok_frame),
    Target(
        "eval_run",
        lambda c, x: c.eval_run(x["eval"], x["run"]),
        "/evals/",
        setup="run",
        check=lambda r: r["status"] == "completed",
    ),
    Target(
        "eval_results",
        lambda c, x: c.eval_results(x["eval"], x["run"]),
        "/evals/",
        setup="run",
        check=lambda f: len(f) == len(ITEMS),
    ),
    Target(
        "cancel_eval_run",
        lambda c, x: c.cancel_eval_run(x["eval"], x["run"]),
        "/evals/",
        method="POST",
        setup="running run",
        check=lambda r: r["status"] == "canceled",
    ),
    Target(
        "delete_eval_run",
        lambda c, x: c.delete_eval_run(x["eval"], x["run"]),
        "/evals/",
        method="DELETE",
        setup="run",
        check=lambda r: r["deleted"] is True,
    ),
    Target(
        "compare_models",
        lambda c, x: c.compare_models(ITEMS, ["gpt-4o-mini", "gpt-4o"], TEMPLATE, EXACT, progress=False),
        "/evals",
        check=lambda f: f["model"].tolist() == ["gpt-4o-mini", "gpt-4o"],
    ),
    Target(
        "run_grader",
        lambda c, x: c.run_grader(EXACT, {"answer": "x"}, "x"),
        "/fine_tuning/alpha/graders/run",
        check=lambda r: r["reward"] == 1.0,
    ),
    Target(
        "validate_grader",
        lambda c, x: c.validate_grader(EXACT),
        "/fine_tuning/alpha/graders/validate",
        check=lambda r: r["grader"]["type"] == "string_check",
    ),
    Target(
        "stored_completions",
        lambda c, x: c.stored_completions(metadata=STORED["metadata"]),
        "/chat/completions",
        method="GET",
        setup="stored",
        check=lambda f: x_in(f),
    ),
    Target(
        "stored_completion",
        lambda c, x: c.stored_completion(x["stored"]),
        "/chat/completions/",
        setup="stored",
        check=lambda r: r["id"].startswith("chatcmpl-"),
    ),
    Target(
        "stored_completion_messages",
        lambda c, x: c.stored_completion_messages(x["stored"]),
        "/chat/completions/",
        setup="stored",
        check=lambda f: f["role"].tolist() == ["user"],
    ),
    Target(
        "update_stored_completion",
        lambda c, x: c.update_stored_completion(x["stored"], {"suite": "faults", "seen": "yes"}),
        "/chat/completions/",
        method="POST",
        setup="stored",
        check=lambda r: r["id"].startswith("chatcmpl-"),
    ),
    Target(
        "delete_stored_completion",
        lambda c, x: c.delete_stored_completion(x["stored"]),
        "/chat/completions/",
        method="DELETE",
        setup="stored",
        check=lambda r: r["deleted"] is True,
    ),
    Target(
        "checkpoint_permissions",
        lambda c, x: c.checkpoint_permissions(x["checkpoint"]),
        "/fine_tuning/checkpoints/",
        setup="checkpoint",
        check=_ok_frame,
    ),
    Target(
        "share_checkpoint",
        lambda c, x: c.share_checkpoint(x["checkpoint"], ["proj_faults"]),
        "/fine_tuning/checkpoints/",
        method="POST",
        setup="checkpoint",
        check=lambda f: f["project_id"].tolist() == ["proj_faults"],
    ),
    Target(
        "unshare_checkpoint",
        lambda c, x: c.unshare_checkpoint(x["checkpoint"], x["permission"]),
        "/fine_tuning/checkpoints/",
        method="DELETE",
        setup="checkpoint",
        check=lambda r: r["deleted"] is True,
    ),
    Target(
        "org_usage",
        lambda c, x: c.org_usage("completions", "3d", group_by="model"),
        "/organization/usage/",
        check=_ok_frame,
    ),
    Target("org_costs", lambda c, x: c.org_costs("3d"), "/organization/costs", check=_ok_frame),
    # -- Responses and conversations --
    Target(
        "respond",
        lambda c, x: c.respond("hello"),
        "/responses",
        method="POST",
        check=lambda r: r.text.startswith("[sandbox]"),
        responses=True,
    ),
    Target(
        "respond (streamed)",
        lambda c, x: c.respond("hello", stream=True, on_update=lambda r: None),
        "/responses",
        method="POST",
        check=lambda r: r.text.startswith("[sandbox]") and not r.interrupted,
        stream=True,
        responses=True,
    ),
    Target(
        "respond (tool loop)",
        lambda c, x: c.respond("Use get_weather for Oslo", tools=[get_weather]),
        "/responses",
        method="POST",
        check=lambda r: 'get_weather returned "sunny in Oslo"' in r.text and len(r.rounds) == 2,
        responses=True,
    ),
    Target(
        "respond_map (12 rows)",
        lambda c, x: c.respond_map(ROWS, "Say {text}", progress=False),
        "/responses",
        engine=True,
        rows=list(ROWS.index),
        responses=True,
    ),
    Target(
        "response",
        lambda c, x: c.response(x["response"]),
        "/responses/",
        method="GET",
        setup="response",
        check=lambda r: r.status == "completed",
    ),
    Target(
        "delete_response",
        lambda c, x: c.delete_response(x["response"]),
        "/responses/",
        method="DELETE",
        setup="response",
        check=lambda r: r["deleted"] is True,
    ),
    Target(
        "cancel_response",
        lambda c, x: c.cancel_response(x["response"]),
        "/responses/",
        method="POST",
        setup="background response",
        check=lambda r: r.status == "cancelled",
    ),
    Target(
        "response_input_items",
        lambda c, x: c.response_input_items(x["response"]),
        "/responses/",
        setup="response",
        check=lambda f: f["text"].tolist() == ["hello"],
    ),
    Target(
        "count_input_tokens",
        lambda c, x: c.count_input_tokens("hello"),
        "/responses/input_tokens",
        check=lambda n: isinstance(n, int) and n > 0,
    ),
    Target(
        "compact_response",
        lambda c, x: c.compact_response(previous_response_id=x["response"]),
        "/responses/compact",
        setup="response",
        check=lambda r: r["output"][-1]["type"] == "compaction",
    ),
    Target(
        "container_file_content",
        lambda c, x: c.container_file_content(x["container"], x["container_file"]),
        "/containers/",
        setup="container file",
        check=lambda b: b.startswith(b"index,value"),
        binary=True,
    ),
    Target(
        "create_conversation",
        lambda c, x: c.create_conversation(["hello"], metadata={"k": "v"}),
        "/conversations",
        method="POST",
        check=lambda r: r["id"].startswith("conv_"),
    ),
    Target(
        "conversation",
        lambda c, x: c.conversation(x["conversation"]),
        "/conversations/",
        method="GET",
        setup="conversation",
        check=lambda r: r["object"] == "conversation",
    ),
    Target(
        "update_conversation",
        lambda c, x: c.update_conversation(x["conversation"], {"k": "w"}),
        "/conversations/",
        method="POST",
        setup="conversation",
        check=lambda r: r.get("metadata", {"k": "w"}) == {"k": "w"},  # missing_optional drops it
    ),
    Target(
        "conversation_items",
        lambda c, x: c.conversation_items(x["conversation"]),
        "/conversations/",
        method="GET",
        setup="conversation",
        check=lambda f: f["text"].tolist() == ["hello"],
    ),
    Target(
        "add_conversation_items",
        lambda c, x: c.add_conversation_items(x["conversation"], ["more"]),
        "/conversations/",
        method="POST",
        setup="conversation",
        check=lambda f: f["text"].tolist() == ["more"],
    ),
    Target(
        "delete_conversation_item",
        lambda c, x: c.delete_conversation_item(x["conversation"], x["item"]),
        "/conversations/",
        method="DELETE",
        setup="conversation",
        check=lambda r: r["object"] == "conversation",
    ),
    Target(
        "delete_conversation",
        lambda c, x: c.delete_conversation(x["conversation"]),
        "/conversations/",
        method="DELETE",
        setup="conversation",
        check=lambda r: r["deleted"] is True,
    ),
]


def x_in(frame) -> bool:
    return isinstance(frame, pd.DataFrame) and len(frame) >= 1


def prepare(kind: str | None, client: ow.Client, sandbox) -> dict:
    """What a target acts on, made before any fault is injected."""
    if kind == "file":
        return {"file": client.upload_file(b'{"a": 1}\n', "batch", filename="f.jsonl")["id"]}
    if kind == "response":
        return {"response": client.respond("hello").id}
    if kind == "background response":
        sandbox.background_seconds = 30.0  # still running when it is cancelled (restored after the case)
        return {"response": client.respond("hello", background=True).id}
    if kind == "container file":
        (row,) = client.respond("Calculate the sum of 1 2", tools=["code_interpreter"]).files.itertuples()
        return {"container": row.container_id, "container_file": row.file_id}
    if kind == "conversation":
        made = client.create_conversation(["hello"], metadata={"k": "v"})
        return {"conversation": made["id"], "item": client.conversation_items(made["id"]).loc[0, "id"]}
    if kind in {"job", "running job", "paused job", "model", "checkpoint"}:
        return _job(kind, client, sandbox)
    if kind in {"eval", "run", "running run"}:
        made = client.create_eval("faults", ITEMS, criteria=EXACT)
        if kind == "eval":
            return {"eval": made["id"]}
        sandbox.eval_seconds = 30.0 if kind == "running run" else 0.0
        try:
            run = client.run_eval(made["id"], ITEMS, template=TEMPLATE, wait=False)
        finally:
            sandbox.eval_seconds = 0.0
        return {"eval": made["id"], "run": run["id"]}
    if kind == "stored":
        return {"stored": client.chat("remember me", store=True, metadata=STORED["metadata"]).id}
    return {}


def _job(kind: str, client: ow.Client, sandbox) -> dict:
    sandbox.job_seconds = 30.0 if kind in {"running job", "paused job"} else 0.0
    try:
        job = client.fine_tune(examples(10), suffix="faults")
        if kind in {"model", "checkpoint"}:
            job = client.fine_tuning_job(job["id"])
        if kind == "paused job":
            client.pause_fine_tuning(job["id"])
    finally:
        sandbox.job_seconds = 0.6
    made = {"job": job["id"], "model": job.get("fine_tuned_model")}
    if kind == "checkpoint":
        made["checkpoint"] = job["fine_tuned_model"]
        made["permission"] = client.share_checkpoint(job["fine_tuned_model"], ["proj_setup"])["id"].iloc[0]
    return made


def expected(case: Case, target: Target) -> type[Exception] | None:
    """What the case must end in. The bulk engine retries each request as often as the
    client does (twice), but waits out 429s without counting them; and a long job has
    several requests in flight, so a case's faults (3 at most) spread over them and each
    request stays within its retries. A body it cannot read is retried too (a proxy may
    have cut it), where a single call reports it at once. A response that ends "failed" is
    an answer, not a failure to retry: it stops a long job too."""
    if target.engine and case.kind == "malformed":
        return None
    retried = case.expect is not None and case.kind not in ("malformed", "failed_response")
    retried = retried and "beyond" not in case.name
    if target.engine and retried and (case.expect is ow.RateLimitError or target.rows is not None):
        return None
    return case.expect


def cases_for(target: Target) -> list[Case]:
    # A stream is not one JSON body, and audio or file bytes are not JSON at all.
    chosen = [c for c in CASES if not ((target.stream or target.binary) and c.kind == "malformed")]
    chosen += [STREAM_CUT] if target.stream else []
    return [*chosen, FAILED_RESPONSE] if target.responses else chosen


PAIRS = [(t, c) for t in TARGETS for c in cases_for(t)]


@pytest.fixture
def fault_client(sandbox):
    """A client with short timeouts (and the sandbox's admin key); eval runs finish at once."""
    before = sandbox.eval_seconds
    sandbox.eval_seconds = 0.0
    client = ow.Client(
        api_key=TEST_KEY,
        base_url=sandbox.base_url,
        timeout=TIMEOUT,
        max_retries=2,
        admin_key=SANDBOX_ADMIN_KEY,
    )
    client.sleeps = []
    client.sleep = client.sleeps.append
    yield client
    client.close()
    sandbox.eval_seconds = before


@pytest.mark.parametrize(("target", "case"), PAIRS, ids=[f"{t.name}-{c.name}" for t, c in PAIRS])
def test_function_under_fault(target, case, sandbox, fault_client):
    background_seconds = sandbox.background_seconds
    context = prepare(target.setup, fault_client.with_options(timeout=10), sandbox)
    sandbox.inject(case.kind, path=target.path, method=target.method, times=case.times, **case.params)
    outcome, lost = "FAILED", 0
    expect = expected(case, target)
    try:
        if expect is None:
            result = target.call(fault_client, context)
            if target.check is not None:
                assert target.check(result) is not False
            if target.rows is not None:
                lost = rows_lost(result, target.rows)
                assert lost == 0
            outcome = "succeeded" + (
                f" after {fault_client.last_request.attempts} attempt(s)"
                if not target.engine and fault_client.last_request
                else ""
            )
        else:
            with pytest.raises(expect) as info:
                target.call(fault_client, context)
            message = str(info.value)
            assert len(message) > 40 and "\n" not in message and TEST_KEY not in message, message
            partial = getattr(info.value, "partial", None)
            if target.rows is not None and partial is not None:
                labels = list(partial.index)
                lost = len(labels) - len(set(labels)) + len(set(labels) - set(target.rows))
                assert lost == 0  # what finished is kept once, and only rows of the input
            outcome = f"raised {expect.__name__}"
    finally:
        sandbox.background_seconds = background_seconds
        REPORT.add(target.name, case.name, outcome, lost)


# -- hostile retry headers: nonsense waits are never waited on, nor spun on --------------------------

HOSTILE_WAITS = [
    Case("429 Retry-After nan", "status", {"status": 429, "retry_after": "nan"}, 1, None),
    Case("429 retry-after-ms nan", "status", {"status": 429, "retry_after_ms": "nan"}, 1, None),
    Case("503 Retry-After -1", "status", {"status": 503, "retry_after": "-1"}, 1, None),
    Case("429 Retry-After inf", "status", {"status": 429, "retry_after": "inf"}, 1, None),
    Case("429 Retry-After 1e400", "status", {"status": 429, "retry_after": "1e400"}, 1, None),
    Case(
        "429 Retry-After year 99999",
        "status",
        {"status": 429, "retry_after": "Mon, 01 Jan 99999 00:00:00 GMT"},
        1,
        None,
    ),
    Case("429 Retry-After huge", "status", {"status": 429, "retry_after": "1e300"}, 1, ow.RateLimitError),
]
HOSTILE_PAIRS = [(t, c) for t in TARGETS if t.setup is None for c in HOSTILE_WAITS]
HOSTILE_LIMIT = 20.0  # seconds a call may take before it counts as hanging


def call_within(seconds: float, call):
    """`call()`'s result (or error), or a failure if it is still running after `seconds` (a spin)."""
    box: dict = {}

    def run():
        try:
            box["result"] = call()
        except BaseException as exc:  # handed to the test's thread
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds:g} s"
    if "error" in box:
        raise box["error"]
    return box["result"], time.monotonic() - started


@pytest.mark.parametrize(
    ("target", "case"), HOSTILE_PAIRS, ids=[f"{t.name}-{c.name}" for t, c in HOSTILE_PAIRS]
)
def test_function_under_a_hostile_retry_header(target, case, sandbox, fault_client):
    sandbox.inject(case.kind, path=target.path, method=target.method, times=case.times, **case.params)
    outcome, lost = "FAILED", 0
    try:
        if case.expect is None:
            result, elapsed = call_within(HOSTILE_LIMIT, lambda: target.call(fault_client, {}))
            if target.check is not None:
                assert target.check(result) is not False
            if target.rows is not None:
                lost = rows_lost(result, target.rows)
                assert lost == 0
            outcome = f"succeeded in {elapsed:.1f} s"
        else:
            with pytest.raises(case.expect) as info:
                call_within(HOSTILE_LIMIT, lambda: target.call(fault_client, {}))
            assert "asked to wait 1e+300 s" in str(info.value), str(info.value)
            outcome = f"raised {case.expect.__name__}"
        # Every wait the client took is a real, bounded number of seconds.
        assert all(math.isfinite(s) and 0 <= s <= MAX_RETRY_AFTER for s in fault_client.sleeps)
    finally:
        REPORT.add(target.name, case.name, outcome, lost)


# -- a body that trickles in: each byte beats the read timeout, the whole answer does not ---------

TRICKLE = Case("body trickling in", "trickle", {"bytes": 1, "interval": 0.05}, 3, ow.APITimeoutError)
# Streams are bounded per event, not as a whole; the bulk engine's requests are bounded by
# the engine itself.
TRICKLE_LIMIT = 10.0  # 3 attempts of TIMEOUT each, and slack; the whole body would take minutes
TRICKLE_TARGETS = [t for t in TARGETS if t.setup is None and not t.stream and not t.engine]


@pytest.mark.parametrize("target", TRICKLE_TARGETS, ids=[t.name for t in TRICKLE_TARGETS])
def test_a_trickling_body_fails_at_the_timeout(target, sandbox, fault_client):
    sandbox.inject(TRICKLE.kind, path=target.path, method=target.method, times=3, **TRICKLE.params)
    outcome = "FAILED"
    try:
        with pytest.raises(ow.APITimeoutError, match=f"within {TIMEOUT:g} s after 3 attempts"):
            call_within(TRICKLE_LIMIT, lambda: target.call(fault_client, {}))
        outcome = "raised APITimeoutError"
    finally:
        REPORT.add(target.name, TRICKLE.name, outcome)
