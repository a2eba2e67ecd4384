"""`respond_map`: one Responses API request per row of a Series or DataFrame, on the bulk engine
or the Batch API, with answers as a Series of text or, with `text_format`, typed columns."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, overload

from .._core.arguments import boolean
from .._core.errors import APIResponseValidationError, InvalidInputError
from .._core.transport import BaseClient

if TYPE_CHECKING:
    import pandas as pd

    from .._structured.formats import OutputFormat
    from ..bulk.rows import RowResults

__all__ = ["RespondMapAPI"]

_REPLY_TOKENS = 256  # what a reply is assumed to cost for token pacing, until answers tell
_USAGE = ("input_tokens", "output_tokens", "total_tokens")


class RespondMapAPI(BaseClient):
    @overload
    def respond_map(
        self,
        rows: pd.Series | pd.DataFrame,
        template: str,
        model: str | None = None,
        *,
        instructions: str | None = None,
        text_format: None = None,
        tools: Any = None,
        vector_store_ids: Any = None,
        reasoning: Any = None,
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
    ) -> pd.Series: ...
    @overload
    def respond_map(
        self,
        rows: pd.Series | pd.DataFrame,
        template: str,
        model: str | None = None,
        *,
        instructions: str | None = None,
        text_format: type | dict[str, Any],
        tools: Any = None,
        vector_store_ids: Any = None,
        reasoning: Any = None,
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
    ) -> pd.DataFrame: ...
    @overload
    def respond_map(
        self,
        rows: pd.Series | pd.DataFrame,
        template: str,
        model: str | None = None,
        *,
        instructions: str | None = None,
        text_format: Any = None,
        tools: Any = None,
        vector_store_ids: Any = None,
        reasoning: Any = None,
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
    ) -> pd.Series | pd.DataFrame: ...
    def respond_map(
        self,
        rows: pd.Series | pd.DataFrame,
        template: str,
        model: str | None = None,
        *,
        instructions: str | None = None,
        text_format: Any = None,
        tools: Any = None,
        vector_store_ids: Any = None,
        reasoning: Any = None,
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
    ) -> pd.Series | pd.DataFrame:
        """Ask `template`, filled from each row, through the Responses API; answers keep the index.

        `template` names columns in braces (`"Classify: {text}"`; for a Series `{}` or
        `{value}`), every prompt made before anything is sent. Without `text_format` the
        answers are a Series of text; with one (a Pydantic model class, a dataclass, a
        TypedDict or a JSON schema) a DataFrame with one column per field, typed from the
        schema (int64, float64, bool, str, UTC datetimes; nullable where a value is missing).
        `tools` may be built-in tools (web_search, file_search with `vector_store_ids`, ...);
        Python functions need `respond()`, which runs the tool loop. `instructions`,
        `reasoning` and other keywords go into every request.

        The bulk options (`max_concurrency`, `requests_per_minute`, `tokens_per_minute`,
        `max_retries`, `progress`, `resume`, `max_cost`) work as in every bulk call
        (`openai_widgets.bulk.options`): a stopped run's error keeps the answers so far in
        `.partial`, and `resume=True` asks only the rest. `batch=True` goes through the Batch
        API (`/v1/responses` lines, half the price; `poll_interval` seconds between looks);
        rows that failed there are missing, with the reason in `.attrs["errors"]`.
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
        bodies, answers, index, fmt = self._respond_map_plan(
            rows,
            template,
            model,
            instructions,
            text_format,
            tools,
            vector_store_ids,
            reasoning,
            options.resume,
            advanced,
        )
        batch = boolean(batch, "batch")
        options.check_cost(
            "respond_map", lambda: unanswered_cost("respond_map", "responses", bodies, answers, batch=batch)
        )
        job = RowJob(
            "responses", bodies, _reply_text, [_cost(b) for b in bodies], _USAGE, "respond_map", _check_answer
        )

        def shaped(values: list[Any], labels: Any) -> Any:
            return _shape(values, labels, fmt)

        if batch:
            errors, batch_ids = run_in_batch(
                self, job, "/v1/responses", answers, index, poll_interval=poll_interval, progress=progress
            )
            result = shaped(answers.values, index)
            result.attrs.update(
                {"errors": {**errors, **result.attrs.get("errors", {})}, "batch_ids": batch_ids}
            )
            return result
        result, usage = run_on_engine(
            self,
            job,
            answers,
            options,
            lambda done: shaped([answers.values[p] for p in done], index[done]),
            lambda: shaped(answers.values, index),
        )
        result.attrs.update({"model": bodies[0]["model"] if bodies else None, "usage": usage})
        return result

    def _respond_map_plan(
        self,
        rows: Any,
        template: Any,
        model: Any,
        instructions: Any,
        text_format: Any,
        tools: Any,
        vector_store_ids: Any,
        reasoning: Any,
        resume: Any,
        advanced: dict[str, Any],
    ) -> tuple[list[dict[str, Any]], RowResults, Any, OutputFormat | None]:
        """Every row's request body, the answers kept so far (resumed), the index, the output format."""
        from .._responses.body import response_body
        from .._responses.tools import toolset
        from .._structured.formats import output_format
        from ..bulk.rows import RowResults
        from ..bulk.templates import row_prompts

        prompts, index = row_prompts(rows, template)
        made_tools = toolset(tools, vector_store_ids)
        if made_tools.functions:
            raise InvalidInputError(
                "respond_map sends one request per row and cannot run Python functions; give built-in "
                "tools, or call respond() per row to run a tool loop"
            )
        fmt = output_format(text_format)
        bodies = [
            response_body(
                prompt,
                model,
                instructions=instructions,
                tools=made_tools.specs,
                text_format=fmt,
                reasoning=reasoning,
                advanced=advanced,
            )
            for prompt in prompts
        ]
        from ..bulk.row_requests import answer_settings

        settings = answer_settings(bodies, "input", template=template)
        return bodies, RowResults(prompts, "respond_map", resume, settings=settings), index, fmt


def _check_answer(answer: Any) -> None:
    """A failed response, or one without output, is the row's failure (on the engine, it stops the run)."""
    from .._responses.errors import ResponseFailedError

    if not isinstance(answer, dict) or not isinstance(answer.get("output"), list):
        raise APIResponseValidationError(f"a Responses API answer holds no output: {str(answer)[:120]}")
    if answer.get("status") == "failed":
        error = answer.get("error") or {}
        raise ResponseFailedError(
            f"the response {answer.get('id')} failed: {error.get('code')}: {error.get('message')}",
            code=error.get("code"),
        )


def _reply_text(answer: dict[str, Any]) -> str:
    from .._responses.items import message_text

    return "\n\n".join(message_text(item) for item in answer["output"] if item.get("type") == "message")


def _cost(body: dict[str, Any]) -> float:
    """Tokens a request may count against a tokens-per-minute limit (about 4 characters a token)."""
    sent = len(str(body.get("input") or "")) + len(str(body.get("instructions") or ""))
    return -(-sent // 4) + (body.get("max_output_tokens") or _REPLY_TOKENS)


def _shape(values: list[Any], index: Any, fmt: OutputFormat | None) -> Any:
    """The answers as a Series of text, or with a format as a DataFrame of its fields."""
    import pandas as pd

    from .._structured.formats import WRAPPED_FIELD

    if fmt is None:
        return pd.Series(values, index=index, name="answer", dtype="object")
    from .._structured.frames import typed_frame

    records, errors = [], {}
    for label, value in zip(index, values, strict=True):
        record = None
        if value is not None:
            try:
                record = json.loads(value)
            except ValueError:
                errors[label] = f"the reply is not valid JSON: {value[:80]!r}"
        records.append(record if isinstance(record, dict) else None)
    fields = {WRAPPED_FIELD: {"type": "array"}} if fmt.wrapped else fmt.record_fields()
    frame = typed_frame(records, fields, index=index)
    if errors:
        frame.attrs["errors"] = errors
    return frame
