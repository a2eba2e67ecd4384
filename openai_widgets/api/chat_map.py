"""`chat_map`: one chat completion per row of a Series or DataFrame, on the bulk engine."""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import bulk
from .._chat.messages import normalize_messages
from .._core.errors import APIResponseValidationError, InvalidInputError, InvalidTypeError
from .._core.transport import BaseClient
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
        max_concurrency: int = bulk.DEFAULT_MAX_CONCURRENCY,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
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
        a progress bar. If the run stops (an error after retries, or Ctrl-C), the error's
        `partial` holds the answers so far and `chat_map(..., resume=error.partial)`
        asks only the rest. With `batch=True` the requests go through the Batch API
        instead (half the price, answers within 24 hours); rows that failed there are
        None, with the reason in `.attrs["errors"]`.
        """
        prompts, index = _prompts(rows, template)
        messages = [{"role": "system", "content": system}] if system else []
        bodies = [
            chat_body(normalize_messages([*messages, {"role": "user", "content": p}]), model, advanced)
            for p in prompts
        ]
        if batch:
            return self._chat_map_batch(bodies, index, progress)
        pacing = {
            "max_concurrency": max_concurrency,
            "requests_per_minute": requests_per_minute,
            "tokens_per_minute": tokens_per_minute,
            "progress": progress,
        }
        return self._chat_map_engine(bodies, RowResults(prompts, "chat_map", resume), index, pacing)

    def _chat_map_engine(
        self, bodies: list[dict[str, Any]], answers: RowResults, index: Any, pacing: dict[str, Any]
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
                **pacing,
            )
        except (bulk.BulkError, bulk.BulkInterrupted) as error:
            done = answers.skip
            partial = _series([answers.values[p] for p in done], index[done])
            keep_partial(error, partial, answers, what="rows are answered")
            raise
        result = _series(answers.values, index)
        result.attrs.update({"model": bodies[0]["model"] if bodies else None, "usage": usage})
        return result

    def _chat_map_batch(self, bodies: list[dict[str, Any]], index: Any, progress: bool | None) -> pd.Series:
        frame = self.batch(bodies, "/v1/chat/completions", progress=progress)
        errors = list(frame["error"])
        texts = [
            _reply_text(answer) if error is None else None
            for answer, error in zip(frame["response"], errors, strict=True)
        ]
        result = _series(texts, index)
        result.attrs["errors"] = {
            label: e for label, e in zip(result.index, errors, strict=True) if e is not None
        }
        result.attrs["batch_ids"] = frame.attrs.get("batch_ids", [])
        return result


def _prompts(rows: Any, template: Any) -> tuple[list[str], Any]:
    """Every row's prompt, and the index to label the answers with."""
    import pandas as pd

    if not isinstance(template, str) or not template.strip():
        raise InvalidTypeError("template must be a non-empty string such as 'Summarise: {text}'")
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
        raise InvalidTypeError(f"rows must be a pandas Series or DataFrame, not {type(rows).__name__}")
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
