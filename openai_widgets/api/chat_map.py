"""`chat_map`: one chat completion per row of a Series or DataFrame, on the bulk engine."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .._core.arguments import boolean, text
from .._core.errors import APIResponseValidationError
from .._core.transport import BaseClient
from .chat import chat_body

if TYPE_CHECKING:
    import pandas as pd

    from ..bulk.rows import RowResults

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
        from ..bulk.options import BulkOptions
        from ..bulk.row_requests import RowJob, run_in_batch, run_on_engine, unanswered_cost

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
        batch = boolean(batch, "batch")
        options.check_cost(
            "chat_map", lambda: unanswered_cost("chat_map", "chat/completions", bodies, answers, batch=batch)
        )
        job = RowJob(
            "chat/completions",
            bodies,
            _reply_text,
            [_cost(b) for b in bodies],
            ("prompt_tokens", "completion_tokens", "total_tokens"),
            "chat_map",
        )
        if batch:
            errors, batch_ids = run_in_batch(
                self,
                job,
                "/v1/chat/completions",
                answers,
                index,
                poll_interval=poll_interval,
                progress=progress,
            )
            result = _series(answers.values, index)
            result.attrs.update({"errors": errors, "batch_ids": batch_ids})
            return result
        result, usage = run_on_engine(
            self,
            job,
            answers,
            options,
            lambda done: _series([answers.values[p] for p in done], index[done]),
            lambda: _series(answers.values, index),
        )
        result.attrs.update({"model": bodies[0]["model"] if bodies else None, "usage": usage})
        return result

    def _chat_map_plan(
        self, rows: Any, template: Any, model: Any, system: Any, resume: Any, advanced: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], RowResults, Any]:
        """Every row's request body, the answers kept so far (resumed), and the index to label them with."""
        from .._chat.messages import normalize_messages
        from ..bulk.rows import RowResults
        from ..bulk.templates import row_prompts

        prompts, index = row_prompts(rows, template)
        messages = [{"role": "system", "content": text(system, "system", optional=True)}] if system else []
        bodies = [
            chat_body(normalize_messages([*messages, {"role": "user", "content": p}]), model, advanced)
            for p in prompts
        ]
        from ..bulk.row_requests import answer_settings

        settings = answer_settings(bodies, "messages", template=template, system=system)
        return bodies, RowResults(prompts, "chat_map", resume, settings=settings), index


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
