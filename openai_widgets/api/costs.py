"""`estimate_cost`: what a bulk call will cost, planned exactly as the call would plan it, nothing sent.

`estimate_cost("chat_map", df, "Summarise {text}", "gpt-4o-mini", max_completion_tokens=200)`
takes the name of a bulk call (or the function itself) and then that call's own
arguments. The rows are turned into the same request bodies the call would send (the
same checks, resumed rows left out, identical embedding inputs sent once, cached ones
skipped) and priced by `_costs.estimate`. `batch` prices the request bodies it is given at
the Batch API's price.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from .._core.arguments import boolean, model_argument, type_error
from .._core.errors import InvalidInputError, InvalidTypeError
from .._core.transport import BaseClient
from .embeddings import embedding_estimate
from .moderations import moderation_estimate, moderation_inputs

if TYPE_CHECKING:
    from .._costs.estimate import CostEstimate
    from .._costs.prices import PriceOverrides
    from .._structured.formats import OutputFormat
    from ..bulk.embedding_job import EmbeddingJob
    from ..bulk.rows import RowResults

__all__ = ["CALLS", "CostsAPI"]

CALLS = ("embed", "moderate", "chat_map", "respond_map", "batch")


class CostsAPI(BaseClient):
    if TYPE_CHECKING:  # borrowed from EmbeddingsAPI, ChatMapAPI and RespondMapAPI (see Client)

        def _embedding_job(
            self, input: Any, model: Any, user: Any, limit: Any, dimensions: Any, chunk_long: Any, cache: Any
        ) -> EmbeddingJob: ...

        def _chat_map_plan(
            self, rows: Any, template: Any, model: Any, system: Any, resume: Any, advanced: dict[str, Any]
        ) -> tuple[list[dict[str, Any]], RowResults, Any]: ...

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
        ) -> tuple[list[dict[str, Any]], RowResults, Any, OutputFormat | None]: ...

    @overload
    def estimate_cost(
        self,
        call: Literal["embed", "moderate"],
        input: Any,
        model: str | None = None,
        *,
        prices: PriceOverrides | None = None,
        **settings: Any,
    ) -> CostEstimate: ...
    @overload
    def estimate_cost(
        self,
        call: Literal["chat_map", "respond_map"],
        rows: Any,
        template: str,
        model: str | None = None,
        *,
        prices: PriceOverrides | None = None,
        **settings: Any,
    ) -> CostEstimate: ...
    @overload
    def estimate_cost(
        self,
        call: Literal["batch"],
        requests: Any,
        endpoint: str,
        *,
        prices: PriceOverrides | None = None,
        **settings: Any,
    ) -> CostEstimate: ...
    @overload
    def estimate_cost(
        self,
        call: str | Callable[..., Any],
        *args: Any,
        prices: PriceOverrides | None = None,
        **settings: Any,
    ) -> CostEstimate: ...
    def estimate_cost(
        self,
        call: str | Callable[..., Any],
        *args: Any,
        prices: PriceOverrides | None = None,
        **settings: Any,
    ) -> CostEstimate:
        """What a bulk call would cost, before anything is sent: a `CostEstimate` (USD, `low`..`high`).

            ow.estimate_cost("embed", df["text"], "text-embedding-3-small")
            ow.estimate_cost("chat_map", df, "Summarise {text}", "gpt-4o-mini", max_completion_tokens=200)
            ow.estimate_cost("chat_map", df, "Summarise {text}", batch=True)       # Batch API: half price
            ow.estimate_cost("batch", requests, "/v1/chat/completions")

        `call` names the call ("embed", "moderate", "chat_map", "respond_map", "batch") or is
        the function itself; the rest are that call's own arguments. Tokens are counted with
        tiktoken when it loads, else estimated from the characters and shown as a range; the
        replies count from 0 up to the requests' `max_completion_tokens` /
        `max_output_tokens`, or up to an assumed length the result states. `prices` overrides
        the price table for this estimate only (`{model: {"input": ..., "output": ...}}`, USD
        per 1M tokens; see `ow.set_prices`). A model without a price gives NaN, not a guess.
        The bulk calls take `max_cost=` to refuse to start above the high end.
        """
        name = _call_name(call)
        # The arguments are bound to the signature of this client's own call of that name
        # (one of CALLS, each a method of Client).
        given = _bind(getattr(self, name), name, args, settings)
        if name == "embed":
            return self._estimate_embed(given, prices)
        if name == "moderate":
            return self._estimate_moderate(given, prices)
        if name == "chat_map":
            return self._estimate_chat_map(given, prices)
        if name == "respond_map":
            return self._estimate_respond_map(given, prices)
        return _estimate_batch(given, prices)

    # -- one planner per call --------------------------------------------------------------

    def _estimate_embed(self, given: dict[str, Any], prices: Any) -> CostEstimate:
        job = self._embedding_job(
            given["input"],
            given.get("model"),
            given.get("user"),
            given.get("limit"),
            given.get("dimensions"),
            given.get("chunk_long", False),
            given.get("cache"),
        )
        job.reuse(given.get("resume"))
        return embedding_estimate(job, batch=boolean(given.get("batch", False), "batch"), prices=prices)

    def _estimate_moderate(self, given: dict[str, Any], prices: Any) -> CostEstimate:
        from ..bulk.rows import RowResults

        texts, _ = moderation_inputs(given["input"])
        rows = RowResults(texts, "moderate", given.get("resume"))
        return moderation_estimate(
            model_argument(given.get("model"), "moderation"), texts, rows.finished, prices=prices
        )

    def _estimate_chat_map(self, given: dict[str, Any], prices: Any) -> CostEstimate:
        bodies, answers, _ = self._chat_map_plan(
            given["rows"],
            given["template"],
            given.get("model"),
            given.get("system"),
            given.get("resume"),
            dict(given.get("advanced") or {}),
        )
        batch = boolean(given.get("batch", False), "batch")
        from ..bulk.row_requests import unanswered_cost

        return unanswered_cost("chat_map", "chat/completions", bodies, answers, batch=batch, prices=prices)

    def _estimate_respond_map(self, given: dict[str, Any], prices: Any) -> CostEstimate:
        bodies, answers, _, _ = self._respond_map_plan(
            given["rows"],
            given["template"],
            given.get("model"),
            given.get("instructions"),
            given.get("text_format"),
            given.get("tools"),
            given.get("vector_store_ids"),
            given.get("reasoning"),
            given.get("resume"),
            dict(given.get("advanced") or {}),
        )
        batch = boolean(given.get("batch", False), "batch")
        from ..bulk.row_requests import unanswered_cost

        return unanswered_cost("respond_map", "responses", bodies, answers, batch=batch, prices=prices)


def _estimate_batch(given: dict[str, Any], prices: Any) -> CostEstimate:
    from .._costs.estimate import estimate_bodies
    from ..bulk.batch_api import endpoint_url, request_lines

    url = endpoint_url(given["endpoint"])
    lines = request_lines(given["requests"], url)
    return estimate_bodies(
        "batch", url[len("/v1/") :], [line["body"] for line in lines], batch=True, prices=prices
    )


def _call_name(call: Any) -> str:
    name = getattr(call, "__name__", call)
    if not isinstance(name, str):
        raise type_error("call", f"the name of a bulk call ({', '.join(CALLS)}) or the function", call)
    if name not in CALLS:
        raise InvalidInputError(f"estimate_cost() plans {', '.join(CALLS)}; not {name!r}")
    return name


def _bind(
    function: Callable[..., Any], name: str, args: tuple[Any, ...], settings: dict[str, Any]
) -> dict[str, Any]:
    """The arguments by name, as the call itself takes them (its `**advanced` under "advanced")."""
    signature = inspect.signature(function)
    try:
        bound = signature.bind(*args, **settings)
    except TypeError as exc:
        raise InvalidTypeError(
            f"estimate_cost({name!r}, ...) must get the arguments {name}() takes: {exc}"
        ) from None
    given = dict(bound.arguments)
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            given["advanced"] = given.pop(parameter.name, {})
    return given


def _schema_of(text_format: Any) -> Mapping[str, Any] | None:
    """The JSON schema a `text_format` stands for (a dict, a Pydantic model, or a class's annotations)."""
    if text_format is None:
        return None
    if isinstance(text_format, Mapping):
        return text_format
    maker = getattr(text_format, "model_json_schema", None)
    if callable(maker):
        return maker()
    fields = getattr(text_format, "__annotations__", None)
    if isinstance(fields, Mapping):
        return {"type": "object", "properties": {key: {"type": str(kind)} for key, kind in fields.items()}}
    raise type_error(
        "text_format", "a Pydantic model class, dataclass, TypedDict or JSON-schema dict", text_format
    )
