"""Bad input, generated: every public function and magic refuses it in one line, and sends nothing."""

from __future__ import annotations

import ast
import json
import shlex
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

import openai_widgets as ow
from openai_widgets.magics._commands import COMMANDS
from openai_widgets.magics._parsing import interpolate
from tests.support.evals import capitals

EXAMPLES = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

WRONG_TYPES = st.one_of(
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2),
    st.builds(object),
)
BLANK = st.sampled_from(["", " ", "\n\t  "])
BAD_TEXT = st.one_of(WRONG_TYPES.filter(lambda v: not isinstance(v, (list, dict))), BLANK)
BAD_ID = st.one_of(WRONG_TYPES, BLANK, st.sampled_from([".", ".."]))
OUT_OF_RANGE = st.one_of(
    st.floats(max_value=-0.01), st.floats(min_value=2.01, allow_infinity=False), st.just(float("nan"))
)
NOT_JSON = st.text(min_size=1).filter(lambda text: text.strip() and not _parses(text))


def _literal_dict(text: str) -> bool:
    try:
        return isinstance(ast.literal_eval(text.strip()), dict)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def refused(sandbox, call) -> str:
    """Run `call`; it must raise an input error in one line, with nothing sent."""
    sandbox.clear_requests()
    with pytest.raises((ow.InvalidInputError, ow.InvalidTypeError)) as info:
        call()
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 500, message
    assert sandbox.requests == [], f"a request was sent for bad input: {sandbox.requests[0].path}"
    return message


EVAL_DATA = capitals(3)
EVAL_CHECK = {"type": "string_check", "reference": "{answer}", "operation": "eq"}

ID_FUNCTIONS = [
    "model",
    "file",
    "file_content",
    "delete_file",
    "fine_tuning_job",
    "cancel_fine_tuning",
    "fine_tuning_checkpoints",
    "fine_tuning_events",
    "delete_model",
    "pause_fine_tuning",
    "resume_fine_tuning",
    "eval",
    "delete_eval",
    "eval_runs",
    "stored_completion",
    "stored_completion_messages",
    "delete_stored_completion",
    "checkpoint_permissions",
    "response",
    "delete_response",
    "cancel_response",
    "response_input_items",
    "conversation",
    "delete_conversation",
    "conversation_items",
]
TWO_ID_FUNCTIONS = ["eval_run", "cancel_eval_run", "delete_eval_run", "eval_results", "unshare_checkpoint"]


@pytest.mark.parametrize("name", ID_FUNCTIONS)
@EXAMPLES
@given(value=BAD_ID)
def test_ids_are_checked(connected, sandbox, name, value):
    refused(sandbox, lambda: getattr(ow, name)(value))


@pytest.mark.parametrize("name", TWO_ID_FUNCTIONS)
@EXAMPLES
@given(value=BAD_ID, first=st.booleans())
def test_both_ids_are_checked(connected, sandbox, name, value, first):
    ids = (value, "id_ok") if first else ("id_ok", value)
    refused(sandbox, lambda: getattr(ow, name)(*ids))


TEXT_ARGUMENTS = {
    "complete prompt": lambda v: ow.complete(v),
    "edit input": lambda v: ow.edit(v, "fix it"),
    "edit instruction": lambda v: ow.edit("some text", v),
    "generate_images prompt": lambda v: ow.generate_images(v),
    "speak text": lambda v: ow.speak(v),
    "chat message": lambda v: ow.chat(v),
    "chat content": lambda v: ow.chat([{"role": "user", "content": v}]),
    "create_eval name": lambda v: ow.create_eval(v, EVAL_DATA, criteria=EVAL_CHECK),
    "run_eval template": lambda v: ow.run_eval("eval_x", EVAL_DATA, template=v),
    "compare_models template": lambda v: ow.compare_models(EVAL_DATA, ["gpt-4o"], v, EVAL_CHECK),
    "respond input": lambda v: ow.respond(v),
    "respond content": lambda v: ow.respond([{"role": "user", "content": v}]),
    "respond instructions": lambda v: ow.respond("hi", instructions=v),
    "count_input_tokens input": lambda v: ow.count_input_tokens(v),
    "create_conversation items": lambda v: ow.create_conversation([{"role": "user", "content": v}]),
}


@pytest.mark.filterwarnings(r"ignore:complete\(\) uses:DeprecationWarning")
@pytest.mark.parametrize("name", list(TEXT_ARGUMENTS))
@EXAMPLES
@given(value=BAD_TEXT)
def test_text_arguments_are_checked(connected, sandbox, name, value):
    refused(sandbox, lambda: TEXT_ARGUMENTS[name](value))


@EXAMPLES
@given(
    value=st.one_of(
        WRONG_TYPES.filter(lambda v: not isinstance(v, list)), st.lists(WRONG_TYPES, min_size=1, max_size=3)
    )
)
def test_moderation_input_is_checked(connected, sandbox, value):
    refused(sandbox, lambda: ow.moderate(value))


@EXAMPLES
@given(temperature=OUT_OF_RANGE, top_p=st.one_of(st.floats(max_value=-0.01), st.floats(min_value=1.01)))
def test_sampling_settings_are_checked(connected, sandbox, temperature, top_p):
    assert "temperature must be between 0 and 2" in refused(
        sandbox, lambda: ow.chat("hi", temperature=temperature)
    )
    assert "top_p must be between 0 and 1" in refused(sandbox, lambda: ow.chat("hi", top_p=top_p))


@EXAMPLES
@given(
    temperature=OUT_OF_RANGE,
    rounds=st.one_of(st.integers(max_value=-1), st.integers(min_value=101), st.floats(), st.booleans()),
)
def test_respond_settings_are_checked(connected, sandbox, temperature, rounds):
    assert "temperature must be between 0 and 2" in refused(
        sandbox, lambda: ow.respond("hi", temperature=temperature)
    )
    assert "max_tool_rounds must be" in refused(sandbox, lambda: ow.respond("hi", max_tool_rounds=rounds))


@EXAMPLES
@given(
    tool=st.text(max_size=20).filter(
        lambda t: t not in {"web_search", "web_search_preview", "code_interpreter", "image_generation"}
    )
)
def test_unknown_tool_names_are_refused(connected, sandbox, tool):
    refused(sandbox, lambda: ow.respond("hi", tools=[tool]))


@EXAMPLES
@given(
    name=st.text(min_size=1, max_size=80).filter(
        lambda n: len(n) > 64 or any(c not in string.ascii_letters + string.digits + "_-" for c in n)
    )
)
def test_message_names_are_checked(connected, sandbox, name):
    message = refused(sandbox, lambda: ow.chat([{"role": "user", "content": "hi", "name": name}]))
    assert "messages[0].name" in message


@EXAMPLES
@given(
    role=st.text(max_size=20).filter(lambda r: r not in {"system", "developer", "user", "assistant", "tool"})
)
def test_roles_are_checked(connected, sandbox, role):
    assert "messages[0].role" in refused(sandbox, lambda: ow.chat([{"role": role, "content": "hi"}]))


@EXAMPLES
@given(
    extra=st.integers(min_value=1, max_value=50_000),
    model=st.sampled_from(["dall-e-2", "dall-e-3", "gpt-image-1"]),
)
def test_huge_prompts_are_refused_with_the_model_limit(connected, sandbox, extra, model):
    limit = {"dall-e-2": 1000, "dall-e-3": 4000, "gpt-image-1": 32000}[model]
    message = refused(sandbox, lambda: ow.generate_images("é" * (limit + extra), model=model))
    assert f"{model} takes up to {limit}" in message


@EXAMPLES
@given(
    n=st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=11),
        st.text(max_size=3),
        st.floats().filter(lambda f: not (f == f and f.is_integer() and 1 <= f <= 10)),
    )
)
def test_image_counts_are_checked(connected, sandbox, n):
    """Whole numbers 1 to 10 only (a whole float such as 2.0, from a slider, is taken as 2)."""
    refused(sandbox, lambda: ow.generate_images("a fox", n=n))


@EXAMPLES
@given(extra=st.integers(min_value=1, max_value=20_000))
def test_speech_text_over_4096_characters_is_refused(connected, sandbox, extra):
    assert "4096" in refused(sandbox, lambda: ow.speak("🙂" * (4096 + extra)))


@EXAMPLES
@given(
    purpose=st.text(max_size=20).filter(
        lambda p: p not in {"fine-tune", "batch", "assistants", "vision", "user_data", "evals"}
    )
)
def test_upload_purposes_are_checked(connected, sandbox, purpose):
    refused(sandbox, lambda: ow.upload_file(b'{"a": 1}\n', purpose))


@EXAMPLES
@given(grader=st.one_of(WRONG_TYPES, st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3)))
def test_graders_are_checked(connected, sandbox, grader):
    refused(sandbox, lambda: ow.validate_grader(grader))
    refused(sandbox, lambda: ow.create_eval("x", EVAL_DATA, criteria=[grader]))


@EXAMPLES
@given(
    reference=st.from_regex(r"\{[a-z_]{1,10}\}", fullmatch=True).filter(
        lambda r: r[1:-1] not in {"question", "answer", "difficulty", "weight", "hard", "output"}
    )
)
def test_criteria_naming_a_missing_column_are_refused(connected, sandbox, reference):
    message = refused(
        sandbox, lambda: ow.create_eval("x", EVAL_DATA, criteria={**EVAL_CHECK, "reference": reference})
    )
    assert f"names the column {reference[1:-1]!r}" in message


@EXAMPLES
@given(
    start=st.one_of(
        st.booleans(),
        st.integers(max_value=-1),
        st.text(max_size=12).filter(lambda t: not t.strip()[:1].isdigit()),
        st.lists(st.integers(), max_size=2),
    ),
    kind=st.sampled_from(["org_usage", "org_costs"]),
)
def test_usage_times_are_checked(connected, sandbox, start, kind):
    call = (
        (lambda: ow.org_usage("completions", start)) if kind == "org_usage" else (lambda: ow.org_costs(start))
    )
    refused(sandbox, call)


@EXAMPLES
@given(
    url=st.from_regex(r"(https?|ftp|file|javascript):/{0,3}[a-z0-9.]{1,12}(/[a-z]{0,5}){0,2}", fullmatch=True)
)
def test_custom_calls_refuse_other_hosts(connected, sandbox, url):
    refused(sandbox, lambda: ow.request("GET", url))


@EXAMPLES
@given(text=NOT_JSON, field=st.sampled_from(["headers", "query", "body"]))
def test_custom_calls_refuse_invalid_json_naming_the_field(connected, sandbox, text, field):
    message = refused(sandbox, lambda: ow.request("POST", "chat/completions", **{field: text}))
    assert message.startswith(f"{field} ")


# -- magics ---------------------------------------------------------------------------------------

IDENTIFIER = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)


def usage_error(ip, sandbox, line: str, cell: str | None = None) -> str:
    sandbox.clear_requests()
    run = (
        (lambda: ip.run_line_magic("openai", line))
        if cell is None
        else (lambda: ip.run_cell_magic("openai", line, cell))
    )
    with pytest.raises(UsageError) as info:
        run()
    message = str(info.value)
    assert message and "\n" not in message, message
    assert sandbox.requests == []
    return message


@EXAMPLES
@given(word=IDENTIFIER.filter(lambda w: w not in COMMANDS and w != "help"))
def test_unknown_subcommands(ip, sandbox, word):
    assert "unknown subcommand" in usage_error(ip, sandbox, f"{word} something")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flag=IDENTIFIER.filter(lambda f: f not in {"o", "out", "h", "help"}))
def test_unknown_flags(ip, sandbox, command, flag):
    message = usage_error(
        ip,
        sandbox,
        f"{command} --zz-{flag}",
        cell="text" if command in {"chat", "edit", "complete"} else None,
    )
    assert "unrecognized arguments" in message or "required" in message


@EXAMPLES
@given(body=NOT_JSON)
def test_call_magic_refuses_invalid_json_bodies(ip, sandbox, body):
    assert "body is not valid JSON" in usage_error(ip, sandbox, "call POST chat/completions", cell=body)


@EXAMPLES
@given(text=NOT_JSON.filter(lambda text: not _literal_dict(text) and text.strip() != "None"))
def test_stores_magic_refuses_filters_it_cannot_read(ip, sandbox, text):
    message = usage_error(ip, sandbox, f"stores search vs_1 some words --filter={shlex.quote(text)}")
    assert message.startswith("--filter ")


@EXAMPLES
@given(k=st.integers().filter(lambda k: not 1 <= k <= 50))
def test_stores_magic_refuses_result_counts_out_of_range(ip, sandbox, k):
    assert f"k must be from 1 to 50, not {k}" in usage_error(ip, sandbox, f"stores search vs_1 words -k {k}")


@EXAMPLES
@given(name=IDENTIFIER, action=st.sampled_from(["create shelf --files", "add vs_1"]))
def test_stores_magic_refuses_paths_that_name_nothing(ip, sandbox, name, action):
    message = usage_error(ip, sandbox, f"stores {action} no-such-dir/{name}.txt")
    assert f"'no-such-dir/{name}.txt' is not a file, a folder, a glob pattern or a File ID" in message


@EXAMPLES
@given(text=st.text(max_size=40), name=IDENTIFIER.map(lambda n: n.replace("-", "_")))
def test_unknown_names_are_left_as_written(text, name):
    written = text + "{" + name + "}"
    assert interpolate(written, {}) == written
    assert interpolate(written, {name: "X"}) == interpolate(text, {name: "X"}) + "X"


@EXAMPLES
@given(line=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_line_gives_a_result_or_a_one_line_usage_error(ip, sandbox, line):
    """Random lines: never a traceback of another kind."""
    try:
        ip.run_line_magic("openai", line)
    except UsageError as exc:
        message = str(exc)
    else:
        message = ""
    assert "\n" not in message
