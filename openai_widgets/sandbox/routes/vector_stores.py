"""Vector stores: create, list, retrieve, modify, delete, search; and `search_chunks` for file_search.

A store is `in_progress` while any of its files is being indexed, then `completed`; it is
`expired` once `expires_after.days` have passed since it was last active (created,
modified, given files or searched). Search ranks chunks by BM25 (see `_lexical_search`);
each result is one chunk, best first, with the file's attributes. The ranker options are
checked but rank alike: the sandbox has no re-ranking model.
"""

from __future__ import annotations

from typing import Any

from .._http import ApiError, JSONResponse, Request
from ._checks import check_range, type_name
from ._chunking import chunking_strategy
from ._filters import check_filter, matches
from ._lexical_search import rewrite, scores
from ._lists import ordered, page
from ._registry import route
from ._store_checks import (
    check_expires_after,
    check_keys,
    check_metadata,
    check_string_list,
    expect_object,
)
from ._vector_index import add_files, find_store, is_expired, public_store, settle, touch

__all__ = ["search_chunks"]

MAX_CREATE_FILES = 500
RANKERS = ("none", "auto", "default-2024-11-15")


def new_id(state, prefix: str) -> str:
    """OpenAI's ID shape with an underscore: `vs_...`, `vsfb_...`."""
    return prefix + "_" + state.new_id(prefix).split("-", 1)[1]


def unique_ids(file_ids: list[str], param: str) -> list[str]:
    seen: set[str] = set()
    for index, file_id in enumerate(file_ids):
        if file_id in seen:
            raise ApiError(
                400,
                f"Invalid '{param}[{index}]': the file {file_id} is listed twice; list each file once.",
                param=f"{param}[{index}]",
                code="invalid_value",
            )
        seen.add(file_id)
    return file_ids


def optional_string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(
            400,
            f"Invalid type for '{name}': expected a string, but got {type_name(value)} instead.",
            param=name,
            code="invalid_type",
        )
    return value


def _expires_after(value: Any) -> dict | None:
    return check_expires_after(value, anchor="last_active_at", field="days", low=1, high=365)


# -- stores ----------------------------------------------------------------------------------


@route("POST", "/vector_stores")
def create_vector_store(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    check_keys(body, {"name", "description", "file_ids", "expires_after", "chunking_strategy", "metadata"})
    name, description = optional_string(body, "name"), optional_string(body, "description")
    file_ids = []
    if body.get("file_ids") is not None:
        file_ids = check_string_list(body["file_ids"], "file_ids", low=0, high=MAX_CREATE_FILES)
    chunking = chunking_strategy(body.get("chunking_strategy"))
    record: dict[str, Any] = {
        "id": new_id(sandbox.state, "vs"),
        "object": "vector_store",
        "created_at": sandbox.state.now(),
        "name": name or "",
        "usage_bytes": 0,
        "status": "completed",
        "last_active_at": None,
        "expires_after": _expires_after(body.get("expires_after")),
        "expires_at": None,
        "metadata": check_metadata(body.get("metadata")) or {},
    }
    if description is not None:
        record["description"] = description
    store: dict[str, Any] = {"record": record, "files": {}, "batches": {}}
    touch(store)
    wanted: list[tuple[str, dict, dict | None, str]] = [
        (f, chunking, None, f"file_ids[{i}]") for i, f in enumerate(unique_ids(file_ids, "file_ids"))
    ]
    add_files(sandbox, store, wanted)
    with sandbox.state.lock:
        sandbox.state.vector_stores[record["id"]] = store
        return JSONResponse(public_store(store))


@route("GET", "/vector_stores")
def list_vector_stores(request: Request, sandbox) -> JSONResponse:
    with sandbox.state.lock:
        records = [public_store(store) for store in sandbox.state.vector_stores.values()]
    return JSONResponse(page(request, ordered(request, records, by="created_at"), first_last=True))


@route("GET", "/vector_stores/{vector_store_id}")
def retrieve_vector_store(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    with sandbox.state.lock:
        return JSONResponse(public_store(store))


@route("POST", "/vector_stores/{vector_store_id}")
def modify_vector_store(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    body = request.json_object()
    check_keys(body, {"name", "expires_after", "metadata"})
    name = optional_string(body, "name")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if "expires_after" in body:
        changes["expires_after"] = _expires_after(body["expires_after"])
    if "metadata" in body:
        changes["metadata"] = check_metadata(body["metadata"]) or {}
    with sandbox.state.lock:
        store["record"].update(changes)
        touch(store)
        return JSONResponse(public_store(store))


@route("DELETE", "/vector_stores/{vector_store_id}")
def delete_vector_store(request: Request, sandbox) -> JSONResponse:
    store = find_store(sandbox, request.params["vector_store_id"])
    store_id = store["record"]["id"]
    with sandbox.state.lock:
        sandbox.state.vector_stores.pop(store_id, None)
    return JSONResponse({"id": store_id, "object": "vector_store.deleted", "deleted": True})


# -- search ----------------------------------------------------------------------------------


@route("POST", "/vector_stores/{vector_store_id}/search")
def search_vector_store(request: Request, sandbox) -> JSONResponse:
    body = request.json_object()
    check_keys(body, {"query", "rewrite_query", "max_num_results", "filters", "ranking_options"})
    queries = _queries(body.get("query"))
    rewritten = body.get("rewrite_query", False)
    if not isinstance(rewritten, bool):
        raise ApiError(
            400,
            f"Invalid type for 'rewrite_query': expected a boolean, but got {type_name(rewritten)} instead.",
            param="rewrite_query",
            code="invalid_type",
        )
    if rewritten:
        queries = [rewrite(query) for query in queries]
    results = _search(
        sandbox,
        [request.params["vector_store_id"]],
        queries,
        max_num_results=body.get("max_num_results", 10),
        filters=body.get("filters"),
        ranking_options=body.get("ranking_options"),
    )
    return JSONResponse(
        {
            "object": "vector_store.search_results.page",
            "search_query": queries,
            "data": results,
            "has_more": False,
            "next_page": None,
        }
    )


def search_chunks(
    sandbox,
    vector_store_ids: list[str],
    query: str,
    *,
    max_num_results: int = 10,
    filters: dict | None = None,
    ranking_options: dict | None = None,
) -> list[dict]:
    """The best chunks for `query` across the stores, best first, as VectorStoreSearchResultItem dicts.

    For the file_search tool of the Responses route. Raises ApiError: 404 for an unknown
    store, 400 for an expired one or bad options (the same checks as POST .../search).
    """
    return _search(
        sandbox,
        list(vector_store_ids),
        _queries(query),
        max_num_results=max_num_results,
        filters=filters,
        ranking_options=ranking_options,
    )


def _queries(value: Any) -> list[str]:
    queries = [value] if isinstance(value, str) else value
    if not isinstance(queries, list) or not queries or not all(isinstance(q, str) for q in queries):
        raise ApiError(
            400,
            "Invalid 'query': expected a string or a non-empty array of strings, "
            f"but got {type_name(value)}.",
            param="query",
            code="invalid_type",
        )
    if not all(q.strip() for q in queries):
        raise ApiError(
            400, "Invalid 'query': a query must not be empty.", param="query", code="invalid_value"
        )
    return queries


def _ranking(options: Any) -> float:
    """The score threshold of checked `ranking_options`."""
    if options is None:
        return 0.0
    options = expect_object(options, "ranking_options")
    check_keys(options, {"ranker", "score_threshold"}, "ranking_options")
    ranker = options.get("ranker", "auto")
    if ranker not in RANKERS:
        raise ApiError(
            400,
            f"Invalid value for 'ranking_options.ranker': expected one of {', '.join(RANKERS)}, "
            f"but got {ranker!r} instead.",
            param="ranking_options.ranker",
            code="invalid_value",
        )
    name = "ranking_options.score_threshold"
    threshold = options.get("score_threshold")
    check_range({name: threshold}, name, 0, 1)
    return float(threshold or 0.0)


def _search(
    sandbox,
    store_ids: list[str],
    queries: list[str],
    *,
    max_num_results: Any,
    filters: Any,
    ranking_options: Any,
) -> list[dict[str, Any]]:
    check_range({"max_num_results": max_num_results}, "max_num_results", 1, 50, integer=True)
    condition = check_filter(filters) if filters is not None else None
    threshold = _ranking(ranking_options)
    chunks = _chunks(sandbox, store_ids)
    passages = [chunk[1] for chunk in chunks]
    best = [max(found) for found in zip(*(scores(passages, query) for query in queries), strict=True)]
    hits = [
        (score, order)
        for order, score in enumerate(best)
        if score > 0 and score >= threshold and matches(condition, chunks[order][0]["record"]["attributes"])
    ]
    hits.sort(key=lambda hit: (-hit[0], hit[1]))
    return [_item(chunks[order][0], chunks[order][2], score) for score, order in hits[:max_num_results]]


def _chunks(sandbox, store_ids: list[str]) -> list[tuple[dict[str, Any], Any, str]]:
    """(file entry, passage, text) of every indexed chunk in the stores, in a stable order."""
    found: list[tuple[dict[str, Any], Any, str]] = []
    with sandbox.state.lock:
        stores = [find_store(sandbox, store_id) for store_id in dict.fromkeys(store_ids)]
        for store in stores:
            if is_expired(store):
                raise ApiError(
                    400,
                    f"Vector store {store['record']['id']} has expired; create a new one to search.",
                    param="vector_store_id",
                )
        for store in stores:
            settle(store)
            touch(store)
            for entry in store["files"].values():
                if entry["record"]["status"] == "completed":
                    pairs = zip(entry["passages"], entry["chunks"], strict=True)
                    found.extend((entry, p, text) for p, text in pairs)
    return found


def _item(entry: dict[str, Any], text: str, score: float) -> dict[str, Any]:
    return {
        "file_id": entry["record"]["id"],
        "filename": entry["filename"],
        "score": score,
        "attributes": dict(entry["record"]["attributes"]),
        "content": [{"type": "text", "text": text}],
    }
