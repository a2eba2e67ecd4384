"""One request per row, on the bulk engine or through the Batch API: what chat_map and respond_map share.

A `RowJob` names the request of each row (`bodies`, sent to `path`), how an answer is
checked (`check`, which raises for an answer that is an error in itself, such as a failed
response) and how it becomes the row's value (`reply`). It is a bulk engine `Job`:
`run_on_engine` sends the rows concurrently, paced and retried by the engine, storing each
value by position in a `RowResults`; if the run stops, the error's `partial` is what
`partial(positions)` makes of the finished rows (with what `resume=` needs, see
`rows.keep_partial`). `run_in_batch` sends the rows not done yet through the Batch API
(`client.batch`), storing the values and returning the errors by index label and the
batch IDs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._core.errors import OpenAIError
from . import engine
from .errors import BulkError, BulkInterrupted
from .options import BulkOptions
from .reading import JSONReader
from .rows import RowResults, assemble, keep_partial

if TYPE_CHECKING:
    from .._costs.estimate import CostEstimate

__all__ = ["RowJob", "answer_settings", "run_in_batch", "run_on_engine", "unanswered_cost"]


@dataclass
class RowJob:
    """The requests of a row job and how each answer becomes a row's value (a `bulk.engine.Job`)."""

    path: str  # relative to the base URL, e.g. "responses"
    bodies: list[dict[str, Any]]
    reply: Callable[[Any], Any]
    costs: list[float]  # tokens each request may count against a tokens-per-minute limit
    usage_keys: tuple[str, ...]
    description: str
    check: Callable[[Any], None] | None = None  # raises for an answer that is an error in itself
    answers: RowResults | None = None  # where values go; set by run_on_engine
    usage: dict[str, int] = field(default_factory=dict)

    def body(self, bodies: list[dict[str, Any]]) -> dict[str, Any]:
        return bodies[0]

    def reader(self, positions: Any) -> JSONReader[tuple[Any, Any]]:
        """The answer is checked and made the row's value as it is read, so a reply that
        cannot be read is retried like a garbled body, and `check`'s error stops the run."""
        return JSONReader(f"POST {self.path}", self._value)

    def _value(self, answer: Any) -> tuple[Any, Any]:
        if self.check is not None:
            self.check(answer)
        return answer, self.reply(answer)

    def collect(self, positions: Any, result: tuple[Any, Any]) -> None:
        answer, value = result
        assert self.answers is not None
        self.answers.store(positions, [value])
        used = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
        for key in self.usage_keys:
            value = used.get(key)
            self.usage[key] = self.usage.get(key, 0) + (value if isinstance(value, int) else 0)

    def spent(self, result: tuple[Any, Any]) -> tuple[Any, Any]:
        answer, _ = result
        return answer.get("model") or self._asked(), answer.get("usage")

    def counted_tokens(self, result: tuple[Any, Any]) -> float | None:
        """What the server counts against the limit: the prompt, and the reply's reservation
        (max_completion_tokens / max_output_tokens) when one is set, else the reply."""
        answer, _ = result
        used = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
        prompt = used.get("prompt_tokens", used.get("input_tokens"))
        reply = used.get("completion_tokens", used.get("output_tokens"))
        if not isinstance(prompt, (int, float)):
            return None
        first = self.bodies[0] if self.bodies else {}
        reserve = (
            first.get("max_completion_tokens") or first.get("max_tokens") or first.get("max_output_tokens")
        )
        if isinstance(reserve, int):
            return prompt + reserve
        return prompt + reply if isinstance(reply, (int, float)) else None

    def _asked(self) -> Any:
        return self.bodies[0].get("model") if self.bodies else None


def run_on_engine(
    client: Any,
    job: RowJob,
    answers: RowResults,
    options: BulkOptions,
    partial: Callable[[list[int]], Any],
    whole: Callable[[], Any],
) -> tuple[Any, dict[str, int]]:
    """Send every row not done yet: (`whole()`, the summed usage). A stopped run raises with its partial.

    `whole()` builds the result once every row is in; Ctrl-C while it does keeps everything
    (see `rows.assemble`).
    """
    job.answers = answers
    job.usage = dict.fromkeys(job.usage_keys, 0)
    try:
        stats = engine.run(
            job.bodies,
            job,
            client=client,
            max_items=1,
            costs=job.costs,
            skip=answers.skip,
            description=job.description,
            unit="row",
            **options.engine_settings(client),
        )
    except (BulkError, BulkInterrupted) as error:
        done = answers.skip
        keep_partial(error, lambda: partial(done), answers, what="rows are answered")
        raise
    result = assemble(whole, answers, stats, what="rows are answered")
    answers.done()
    return result, job.usage


def run_in_batch(
    client: Any,
    job: RowJob,
    endpoint: str,
    answers: RowResults,
    index: Any,
    *,
    poll_interval: float | None,
    progress: bool | None,
) -> tuple[dict[Any, str], list[str]]:
    """The rows not answered yet (all, unless resumed) through the Batch API: (errors by label, batch IDs)."""
    missing = [p for p, done in enumerate(answers.finished) if not done]
    errors: dict[Any, str] = {}
    batch_ids: list[str] = []
    if missing:
        frame = client.batch(
            [job.bodies[p] for p in missing], endpoint, poll_interval=poll_interval, progress=progress
        )
        batch_ids = frame.attrs.get("batch_ids", [])
        for position, answer, error in zip(missing, frame["response"], frame["error"], strict=True):
            if error is None:
                try:
                    if job.check is not None:
                        job.check(answer)
                    value = job.reply(answer)
                except OpenAIError as exc:  # an answer that is an error in itself (a failed response)
                    errors[index[position]] = str(exc)
                else:
                    answers.store([position], [value])
            else:
                errors[index[position]] = error
    answers.done()
    return errors, batch_ids


def answer_settings(bodies: list[dict[str, Any]], prompt_field: str, **shaping: Any) -> dict[str, Any]:
    """What shapes every answer besides the row's prompt (each body's `prompt_field`): the
    call's `shaping` arguments (template, system...) and the first body's other fields (model,
    temperature, format...). A resumed run must share all of it (see `rows.RowResults`)."""
    shared = {key: value for key, value in (bodies[0] if bodies else {}).items() if key != prompt_field}
    return {**shaping, **shared}


def unanswered_cost(
    call: str,
    path: str,
    bodies: list[dict[str, Any]],
    answers: RowResults,
    *,
    batch: bool,
    prices: Any = None,
) -> CostEstimate:
    """The cost of the rows not answered yet (all of them, unless resumed)."""
    from .._costs.estimate import estimate_bodies

    missing = [body for body, done in zip(bodies, answers.finished, strict=True) if not done]
    return estimate_bodies(call, path, missing, batch=batch, prices=prices)
