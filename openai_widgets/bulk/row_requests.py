"""One request per row, on the bulk engine or through the Batch API: what chat_map and respond_map share.

A `RowJob` names the request of each row (`bodies`, sent to `path`), how an answer is
checked (`check`, which raises for an answer that is an error in itself, such as a failed
response) and how it becomes the row's value (`reply`). `run_on_engine` sends them concurrently, paced and
retried by the engine, storing each value by position in a `RowResults`; if the run stops,
the error's `partial` is what `partial(positions)` makes of the finished rows (with what
`resume=` needs, see `rows.keep_partial`). `run_in_batch` sends the rows not done yet
through the Batch API (`client.batch`), storing the values and returning the errors by
index label and the batch IDs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._core.errors import OpenAIError
from . import engine
from .options import BulkOptions
from .rows import RowResults, keep_partial

__all__ = ["RowJob", "run_in_batch", "run_on_engine"]


@dataclass
class RowJob:
    """The requests of a row job and how each answer becomes a row's value."""

    path: str  # relative to the base URL, e.g. "responses"
    bodies: list[dict[str, Any]]
    reply: Callable[[Any], Any]
    costs: list[float]  # tokens each request may count against a tokens-per-minute limit
    usage_keys: tuple[str, ...]
    description: str
    check: Callable[[Any], None] | None = None  # raises for an answer that is an error in itself


def run_on_engine(
    client: Any,
    job: RowJob,
    answers: RowResults,
    options: BulkOptions,
    partial: Callable[[list[int]], Any],
) -> dict[str, int]:
    """Send every row not done yet; returns the summed usage. A stopped run raises with its partial."""
    usage = dict.fromkeys(job.usage_keys, 0)

    def send(sender: engine.Sender, bodies: list[dict[str, Any]]) -> Any:
        answer = sender.post(job.path, bodies[0])
        if job.check is not None:
            job.check(answer)  # here, in the worker: the engine treats it as the request's failure
        spent = answer.get("usage", {}).get("total_tokens") if isinstance(answer, dict) else None
        sender.cost = spent if isinstance(spent, (int, float)) else None  # corrects token pacing
        return answer

    def collect(positions: Any, answer: dict[str, Any]) -> None:
        answers.store(positions, [job.reply(answer)])
        for key in usage:
            value = (answer.get("usage") or {}).get(key)
            usage[key] += value if isinstance(value, int) else 0

    try:
        engine.run(
            job.bodies,
            send,
            collect,
            client=client,
            max_items=1,
            costs=job.costs,
            skip=answers.skip,
            description=job.description,
            unit="row",
            **options.engine_settings(client),
        )
    except (engine.BulkError, engine.BulkInterrupted) as error:
        keep_partial(error, partial(answers.skip), answers, what="rows are answered")
        raise
    answers.done()
    return usage


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
                except OpenAIError as exc:  # an answer that is an error in itself (a failed response)
                    errors[index[position]] = str(exc)
                else:
                    answers.store([position], [job.reply(answer)])
            else:
                errors[index[position]] = error
    answers.done()
    return errors, batch_ids
