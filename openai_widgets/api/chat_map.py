"""`chat_map`: one chat completion per row of a Series or DataFrame, on the bulk engine."""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import bulk
from .._chat.messages import normalize_messages
from .._core.arguments import boolean, text, type_error
from .._core.errors import APIResponseValidationError, InvalidInputError
from .._core.transport import BaseClient
from .._costs.estimate import CostEstimate, estimate_bodies
from ..bulk.options import BulkOptions
from ..bulk.rows import RowResults, assemble, keep_partial
from .chat import chat_body

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ChatMapAPI", "chat_map_estimate", "row_prompts"]

# Tokens a reply is assumed to cost for pacing when max_tokens is not given; corrected
# by each answer's real usage as the run goes.
_REPLY_TOKENS = 256


class ChatMapAPI(BaseClient):
    def chat_map(
        self,
        rows: pd.Series | pd.DataFrame,
        template: str,
        model: str | None = None,
        *,
        system: str | None = None,
        batch: bool = False,
        poll_interval: float | None = None,
        max_concurrency: int | None = None,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        max_retries: int | None = None,
        progress: bool | None = None,
        resume: Any = None,
        max_cost: float | None = None,
        **advanced: Any,
    ) -> pd.Series:
        """Ask `template`, filled from each row, and return the answers as a Series (index kept).

        `template` names columns in braces: `"Translate {text} into {language}"` for a
        DataFrame; for a Series, `{}`, `{value}` or `{<the Series' name>}` stand for the
        value. Every row's prompt is made (and a missing column reported) before anything
        is sent. `system` adds a system message; `advanced` settings go into every request
        (temperature, max_completion_tokens, response_format, ...).

        Requests run on the bulk engine: as many in flight as the rate limits allow, with a
        progress bar. The bulk options `max_concurrency`, `requests_per_minute`,
        `tokens_per_minute`, `max_retries`, `progress`, `resume` and `max_cost` are the same
        on every bulk call: see `openai_widgets.bulk.options`. If the run stops (an error
        after retries, or Ctrl-C), the error's `partial` holds the answers so far and
        `chat_map(..., resume=True)` (or `resume=error.partial`) asks only the rest. With
        `batch=True` the requests go through the Batch API instead (half the price, answers
        within 24 hours; `poll_interval` seconds between looks); rows that failed there are
        None, with the reason in `.attrs["errors"]`. `ow.estimate_cost("chat_map", ...)`
        with the same arguments tells the cost before anything is sent.
        """
        options = BulkOptions(
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute,
            tokens_per_minute=tokens_per_minute,
            max_retries=max_retries,
            progress=progress,
            resume=resume,
            max_cost=max_cost,
        )
        bodies, answers, index = self._chat_map_plan(rows, template, model, system, options.resume, advanced)
        if boolean(batch, "batch"):
            options.check_cost("chat_map", lambda: chat_map_estimate(bodies, answers, batch=True))
            return self._chat_map_batch(bodies, answers, index, options, poll_interval)
        options.check_cost("chat_map", lambda: chat_map_estimate(bodies, answers, batch=False))
        return self._chat_map_engine(bodies, answers, index, options)

    def _chat_map_plan(
        self, rows: Any, template: Any, model: Any, system: Any, resume: Any, advanced: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], RowResults, Any]:
        """Every row's request body, the answers kept so far (resumed), and the index to label them with."""
        prompts, index = row_prompts(rows, template)
        messages = [{"role": "system", "content": text(system, "system", optional=True)}] if system else []
        bodies = [
            chat_body(normalize_messages([*messages, {"role": "user", "content": p}]), model, advanced)
            for p in prompts
        ]
        return bodies, RowResults(prompts, "chat_map", resume), index

    def _chat_map_engine(
        self, bodies: list[dict[str, Any]], answers: RowResults, index: Any, options: BulkOptions
    ) -> pd.Series:
        """One request per row on the bulk engine; the error of a stopped run keeps what finished."""
        first = bodies[0] if bodies else {}
        job = _ChatRows(
            answers, first.get("max_completion_tokens") or first.get("max_tokens"), first.get("model")
        )
        try:
            stats = bulk.run(
                bodies,
                job,
                client=self,
                max_items=1,
                costs=[_cost(b) for b in bodies],
                skip=answers.skip,
                description="chat_map",
                unit="row",
                **options.engine_settings(self),
            )
        except (bulk.BulkError, bulk.BulkInterrupted) as error:
            done = answers.skip
            keep_partial(
                error,
                lambda: _series([answers.values[p] for p in done], index[done]),
                answers,
                what="rows are answered",
            )
            raise
        result = assemble(lambda: _series(answers.values, index), answers, stats, what="rows are answered")
        answers.done()
        result.attrs.update({"model": bodies[0]["model"] if bodies else None, "usage": job.usage})
        return result

    def _chat_map_batch(
        self,
        bodies: list[dict[str, Any]],
        answers: RowResults,
        index: Any,
        options: BulkOptions,
        poll_interval: float | None,
    ) -> pd.Series:
        """The rows not answered yet (all, unless resumed) through the Batch API."""
        missing = [p for p, done in enumerate(answers.finished) if not done]
        errors: dict[Any, str] = {}
        batch_ids: list[str] = []
        if missing:
            frame = self.batch(
                [bodies[p] for p in missing],
                "/v1/chat/completions",
                poll_interval=poll_interval,
                progress=options.progress,
            )
            batch_ids = frame.attrs.get("batch_ids", [])
            for position, answer, error in zip(missing, frame["response"], frame["error"], strict=True):
                if error is None:
                    answers.store([position], [_reply_text(answer)])
                else:
                    errors[index[position]] = error
        answers.done()
        result = _series(answers.values, index)
        result.attrs.update({"errors": errors, "batch_ids": batch_ids})
        return result


class _ChatRows:
    """One `POST /chat/completions` per row, for the bulk engine (see `bulk.engine.Job`)."""

    path = "chat/completions"

    def __init__(self, answers: RowResults, reserve: int | None, model: str | None) -> None:
        self.answers = answers
        self.model = model  # asked for; the answer's own `model` is filed when it names one
        self.reserve = reserve  # max_completion_tokens: what a rate limiter counts for the reply
        self.usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}

    def body(self, bodies: list[dict[str, Any]]) -> dict[str, Any]:
        return bodies[0]

    def reader(self, positions: Any) -> bulk.JSONReader[dict[str, Any]]:
        return bulk.JSONReader("POST chat/completions", _checked_answer)

    def collect(self, positions: Any, answer: dict[str, Any]) -> None:
        self.answers.store(positions, [_reply_text(answer)])
        for key in self.usage:
            value = (answer.get("usage") or {}).get(key)
            self.usage[key] += value if isinstance(value, int) else 0

    def spent(self, answer: dict[str, Any]) -> tuple[Any, Any]:
        return answer.get("model") or self.model, answer.get("usage")

    def counted_tokens(self, answer: dict[str, Any]) -> float | None:
        """What the server counts against the limit: the prompt, and the reply's reservation
        (max_completion_tokens) when one is set, else the reply."""
        usage = answer.get("usage") or {}
        prompt, reply = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if not isinstance(prompt, (int, float)):
            return None
        if self.reserve is not None:
            return prompt + self.reserve
        return prompt + reply if isinstance(reply, (int, float)) else None


def _checked_answer(answer: Any) -> dict[str, Any]:
    """A chat answer that holds a reply (else the engine retries it, as a garbled body)."""
    _reply_text(answer)
    return answer


def chat_map_estimate(
    bodies: list[dict[str, Any]], answers: RowResults, *, batch: bool, prices: Any = None
) -> CostEstimate:
    """The cost of the rows not answered yet (all of them, unless resumed)."""
    missing = [body for body, done in zip(bodies, answers.finished, strict=True) if not done]
    return estimate_bodies("chat_map", "chat/completions", missing, batch=batch, prices=prices)


def row_prompts(rows: Any, template: Any) -> tuple[list[str], Any]:
    """Every row's prompt, and the index to label the answers with."""
    import pandas as pd

    text(template, "template", hint="write a prompt such as 'Summarise: {text}'")
    fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    if isinstance(rows, pd.DataFrame):
        missing = sorted({f for f in fields if f not in rows.columns})
        if missing or "" in fields:
            raise InvalidInputError(
                f"template field(s) {', '.join('{' + f + '}' for f in missing) or '{}'} are not columns; "
                f"name columns of the DataFrame: {', '.join(map(str, rows.columns))}"
            )
        records = rows.to_dict("records")
    elif isinstance(rows, pd.Series):
        names = {"value", "", *([str(rows.name)] if rows.name is not None else [])}
        unknown = sorted(set(fields) - names)
        if unknown:
            raise InvalidInputError(
                f"template field(s) {', '.join('{' + f + '}' for f in unknown)} are unknown; for a Series "
                f"use {{}} or {{value}}" + (f" or {{{rows.name}}}" if rows.name is not None else "")
            )
        records = [dict.fromkeys(names, value) for value in rows.tolist()]
    else:
        raise type_error("rows", "a pandas Series or DataFrame", rows)
    prompts = []
    for position, record in enumerate(records):
        for name in fields:
            value = record.get(name)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                raise InvalidInputError(
                    f"row {position} (index {rows.index[position]!r}) has no value for {{{name}}}; "
                    "fill or drop missing values first"
                )
        positional = [record[""]] if "" in record else []
        prompts.append(template.format(*positional, **_named(record)))
    return prompts, rows.index


def _named(record: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in record.items() if key != ""}


def _reply_text(answer: Any) -> str:
    try:
        content = answer["choices"][0]["message"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise APIResponseValidationError(f"a chat answer holds no reply: {str(answer)[:120]}") from None
    return content if isinstance(content, str) else ""


def _cost(body: dict[str, Any]) -> float:
    """Tokens a request may count against a tokens-per-minute limit (about 4 characters a token)."""
    text = sum(len(str(m.get("content", ""))) for m in body["messages"])
    reply = body.get("max_completion_tokens") or body.get("max_tokens") or _REPLY_TOKENS
    return math.ceil(text / 4) + reply


def _series(values: list[Any], index: Any) -> pd.Series:
    import pandas as pd

    return pd.Series(values, index=index, name="answer", dtype="object")
