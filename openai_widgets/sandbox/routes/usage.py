"""GET /organization/usage/{kind} and GET /organization/costs (admin key), from what was served.

The figures come from the sandbox's usage ledger (`_usage`): the requests it really
answered, so they match what a notebook did. Usage is summed per time bucket, grouped
by the fields each kind allows (`group_by`), filtered by the lists each kind takes
(`models`, `project_ids`, ...). Costs price the same records with the sandbox's price
table (`_prices`, demo figures): one daily bucket, grouped by `project_id`,
`line_item` and `api_key_id`. Kinds nothing in the sandbox produces (vector stores, code
interpreter sessions, file and web searches) answer with empty buckets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._http import ApiError, JSONResponse, Request
from .._prices import LineItem, line_items
from .._usage import UsageRecord
from ._buckets import list_arg, paged_buckets, window
from ._registry import route

_WHO = ("project_id", "user_id", "api_key_id")
_MODEL = (*_WHO, "model")
# kind: (result object, amounts, fields it can be grouped by, filters: query name -> field)
KINDS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], dict[str, str]]] = {
    "completions": (
        "organization.usage.completions.result",
        (
            "input_tokens",
            "output_tokens",
            "input_cached_tokens",
            "input_audio_tokens",
            "output_audio_tokens",
            "num_model_requests",
        ),
        (*_MODEL, "batch", "service_tier"),
        {"models": "model"},
    ),
    "embeddings": (
        "organization.usage.embeddings.result",
        ("input_tokens", "num_model_requests"),
        _MODEL,
        {"models": "model"},
    ),
    "moderations": (
        "organization.usage.moderations.result",
        ("input_tokens", "num_model_requests"),
        _MODEL,
        {"models": "model"},
    ),
    "images": (
        "organization.usage.images.result",
        ("images", "num_model_requests"),
        (*_MODEL, "size", "source"),
        {"models": "model", "sizes": "size", "sources": "source"},
    ),
    "audio_speeches": (
        "organization.usage.audio_speeches.result",
        ("characters", "num_model_requests"),
        _MODEL,
        {"models": "model"},
    ),
    "audio_transcriptions": (
        "organization.usage.audio_transcriptions.result",
        ("seconds", "num_model_requests"),
        _MODEL,
        {"models": "model"},
    ),
    "vector_stores": ("organization.usage.vector_stores.result", ("usage_bytes",), ("project_id",), {}),
    "code_interpreter_sessions": (
        "organization.usage.code_interpreter_sessions.result",
        ("num_sessions",),
        ("project_id",),
        {},
    ),
    "file_search_calls": (
        "organization.usage.file_searches.result",
        ("num_requests",),
        (*_WHO, "vector_store_id"),
        {"vector_store_ids": "vector_store_id"},
    ),
    "web_search_calls": (
        "organization.usage.web_searches.result",
        ("num_model_requests", "num_requests"),
        (*_MODEL, "context_level"),
        {"models": "model", "context_levels": "context_level"},
    ),
}
_WHO_FILTERS = {"project_ids": "project_id", "user_ids": "user_id", "api_key_ids": "api_key_id"}
_COST_FIELDS = ("project_id", "line_item", "api_key_id")


def _usage_route(kind: str) -> Callable[[Request, Any], JSONResponse]:
    def handler(request: Request, sandbox) -> JSONResponse:
        obj, amounts, groupable, filters = KINDS[kind]
        group_by = _group_by(request, groupable, f"{kind} usage")
        frame = window(request)
        records = _filtered(request, sandbox.state.usage.records(kind), {**_who_filters(kind), **filters})
        if kind == "completions" and request.arg("batch") is not None:
            wanted = request.arg("batch") == "true"
            records = [r for r in records if bool(r.fields.get("batch")) == wanted]

        def results(start: int, end: int) -> list[dict[str, Any]]:
            groups = _grouped([r for r in records if start <= r.at < end], group_by)
            return [
                {
                    "object": obj,
                    **{name: sum(r.amounts.get(name, 0) for r in members) for name in amounts},
                    **{name: key.get(name) for name in groupable},
                }
                for key, members in groups
            ]

        return JSONResponse(paged_buckets(frame, results))

    handler.__name__ = f"usage_{kind}"
    return handler


for _kind in KINDS:
    route("GET", f"/organization/usage/{_kind}", admin=True)(_usage_route(_kind))


@route("GET", "/organization/costs", admin=True)
def costs(request: Request, sandbox) -> JSONResponse:
    group_by = _group_by(request, _COST_FIELDS, "costs")
    frame = window(request, widths=("1d",), limits=(7, 180))
    filters = {"project_ids": "project_id", "api_key_ids": "api_key_id"}
    records = _filtered(request, sandbox.state.usage.records(), filters)

    def results(start: int, end: int) -> list[dict[str, Any]]:
        groups: dict[tuple, list[LineItem]] = {}
        for record in records:
            if not start <= record.at < end:
                continue
            for item in line_items(record.kind, record.fields.get("model"), record.amounts):
                fields = {**record.fields, "line_item": item[0]}
                key = tuple(fields[name] if name in group_by else None for name in _COST_FIELDS)
                groups.setdefault(key, []).append(item)
        return [_cost(dict(zip(_COST_FIELDS, key, strict=True)), items) for key, items in groups.items()]

    return JSONResponse(paged_buckets(frame, results))


def _cost(fields: dict[str, Any], items: list[LineItem]) -> dict[str, Any]:
    """One CostsResult: the amount in USD, with quantity and unit when it is one line item."""
    result = {
        "object": "organization.costs.result",
        "amount": {"value": round(sum(item[3] for item in items), 8), "currency": "usd"},
        **fields,
    }
    if fields["line_item"] is not None:
        result.update(quantity=sum(item[1] for item in items), quantity_unit=items[0][2])
    return result


# -- helpers ---------------------------------------------------------------------------


def _who_filters(kind: str) -> dict[str, str]:
    groupable = KINDS[kind][2]
    return {name: field for name, field in _WHO_FILTERS.items() if field in groupable}


def _group_by(request: Request, allowed: tuple[str, ...], what: str) -> list[str]:
    wanted = list_arg(request, "group_by")
    for name in wanted:
        if name not in allowed:
            raise ApiError(
                400,
                f"Invalid 'group_by': {name!r} is not supported for {what}; supported: {', '.join(allowed)}.",
                param="group_by",
            )
    return wanted


def _filtered(request: Request, records: list[UsageRecord], filters: dict[str, str]) -> list[UsageRecord]:
    for name, field in filters.items():
        wanted = set(list_arg(request, name))
        if wanted:
            records = [r for r in records if r.fields.get(field) in wanted]
    return records


def _grouped(
    records: list[UsageRecord], group_by: list[str]
) -> list[tuple[dict[str, Any], list[UsageRecord]]]:
    """Records grouped by the `group_by` fields (one group of all when not grouped), in order."""
    groups: dict[tuple, list[UsageRecord]] = {}
    for record in records:
        groups.setdefault(tuple(record.fields.get(name) for name in group_by), []).append(record)
    return [(dict(zip(group_by, key, strict=True)), members) for key, members in groups.items()]
