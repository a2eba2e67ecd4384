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
from .._tables.text_input import check_texts
from ..bulk.options import BulkOptions
from ..bulk.rows import RowResults, keep_partial
from .chat import chat_body

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ChatMapAPI"]

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
        max_concurrency: int = bulk.DEFAULT_MAX_CONCURRENCY,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        max_retries: int | None = None,
        progress: bool | None = None,
        resume: Any = None,
        **advanced: Any,
    ) -> pd.Series:
        """Ask `template`, filled from each row, and return the answers as a Series (index kept).

        `template` names columns in braces: `"Translate {text} into {language}"` for a
        DataFrame; for a Series, `{}`, `{value}` or `{<the Series' name>}` stand for the
        value. Every row's prompt is made (and a missing column reported) before anything
        is sent. `system` adds a system message; `advanced` settings go into every request
        (temperature, max_completion_tokens, response_format, ...).

        Requests run on the bulk engine: several in flight, paced by the rate limits, with
        a progress bar. The bulk options `max_concurrency`, `requests_per_minute`,
        `tokens_per_minute`, `max_retries`, `progress` and `resume` are the same on every
        bulk call: see `openai_widgets.bulk.options`. If the run stops (an error after
        retries, or Ctrl-C), the error's `partial` holds the answers so far and
        `chat_map(..., resume=True)` (or `resume=error.partial`) asks only the rest. With
        `batch=True` the requests go through the Batch API instead (half the price, answers
        within 24 hours; `poll_interval` seconds between looks); rows that failed there are
        None, with the reason in `.attrs["errors"]`.
        """
        prompts, index = _prompts(rows, template)
        messages = [{"role": "system", "content": text(system, "system", optional=True)}] if system else []
        bodies = [
            chat_body(normalize_messages([*messages, {"role": "user", "content": p}]), model, advanced)
            for p in prompts
        ]
        options = BulkOptions(
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute,
            tokens_per_minute=tokens_per_minute,
            max_retries=max_retries,
            progress=progress,
            resume=resume,
        )
        answers = RowResults(
            prompts, "chat_map", options.resume, settings=_answer_settings(bodies, template, system)
        )
        if boolean(batch, "batch"):
            return self._chat_map_batch(bodies, answers, index, options, poll_interval)
        return self._chat_map_engine(bodies, answers, index, options)

    def _chat_map_engine(
        self, bodies: list[dict[str, Any]], answers: RowResults, index: Any, options: BulkOptions
    ) -> pd.Series:
        """One request per row on the bulk engine; the error of a stopped run keeps what finished."""
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}

        def send(sender: bulk.Sender, batch_bodies: list[dict[str, Any]]) -> dict[str, Any]:
            answer = sender.post("chat/completions", batch_bodies[0])
            spent = answer.get("usage", {}).get("total_tokens") if isinstance(answer, dict) else None
            sender.cost = spent if isinstance(spent, (int, float)) else None  # corrects token pacing
            return answer

        def collect(positions: Any, answer: dict[str, Any]) -> None:
            answers.store(positions, [_reply_text(answer)])
            for key in usage:
                value = answer.get("usage", {}).get(key)
                usage[key] += value if isinstance(value, int) else 0

        try:
            bulk.run(
                bodies,
                send,
                collect,
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
            partial = _series([answers.values[p] for p in done], index[done])
            keep_partial(error, partial, answers, what="rows are answered")
            raise
        answers.done()
        result = _series(answers.values, index)
        result.attrs.update({"model": bodies[0]["model"] if bodies else None, "usage": usage})
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


def _prompts(rows: Any, template: Any) -> tuple[list[str], Any]:
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
    for name in dict.fromkeys(fields):  # the rule every bulk text follows, for every row, first
        values = [record.get(name) for record in records]
        check_texts(values, rows.index, f"the value for {{{name}}}", allow_empty=True)
    prompts = []
    for record in records:
        positional = [record[""]] if "" in record else []
        try:
            prompts.append(template.format(*positional, **_named(record)))
        except (ValueError, KeyError, IndexError, AttributeError) as exc:
            raise InvalidInputError(
                f"template {template!r} cannot be filled ({type(exc).__name__}: {exc}); the values "
                "are text, so write plain {column} fields without format specs or attributes"
            ) from None
    check_texts(prompts, rows.index, "the prompt")  # the template's own text, e.g. a lone surrogate
    return prompts, rows.index


def _answer_settings(bodies: list[dict[str, Any]], template: str, system: str | None) -> dict[str, Any]:
    """What shapes every answer besides the row's prompt: a resumed run must share all of it."""
    settings = {k: v for k, v in (bodies[0] if bodies else {}).items() if k != "messages"}
    return {"template": template, "system": system, **settings}  # model, temperature, response_format...


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
