"""Vector stores: create (from documents), list, retrieve, update, delete, and search them.

A store holds files chunked and indexed for search, by the `file_search` tool of
Responses or by `search_vector_store` here. Filling a store is `add_vector_store_files`
(see `vector_store_files`); `create_vector_store(files=...)` creates and fills in one call.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .._core.paths import path_id
from .._tables.records import Record, as_record
from .vector_store_files import STORE_PAGE, VectorStoreFilesAPI

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["UNCHANGED", "VectorStoresAPI"]

MAX_RESULTS = 50  # the most results one search returns


class _Unchanged:
    """The default of `update_vector_store`'s settings: leave it as it is (None clears it)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


class VectorStoresAPI(VectorStoreFilesAPI):
    def vector_stores(self) -> pd.DataFrame:
        """Every vector store (all pages), newest first: `id`, `name`, `status`, the file counts
        `files_completed`, `files_in_progress`, `files_failed`, `files_cancelled`, `files_total`,
        `usage_bytes`, `created_at`, `last_active_at`, `expires_at` (UTC), `metadata`."""
        from .._tables.vector_store_frames import vector_stores_frame

        return vector_stores_frame(self._paginate("vector_stores", page_size=STORE_PAGE))

    def create_vector_store(
        self,
        name: str | None = None,
        files: Any = None,
        *,
        chunking: Any = None,
        expires_after: Any = None,
        metadata: dict[str, str] | None = None,
        text_column: str | None = None,
        wait: bool = True,
    ) -> Record:
        """Create a vector store, fill it with `files` if given, and return its record.

        `files` takes what `add_vector_store_files` takes (paths, folders, glob patterns, File
        IDs, DataFrames with `text_column`, or a list of these), checked before the store is
        made; with `wait` the call returns once every file is indexed, and warns about files
        that failed. `chunking`: "auto", (max_tokens, overlap) or the API's dict.
        `expires_after`: days without use after which the store expires (1 to 365).
        `metadata`: up to 16 text pairs.
        """
        from .._files.collect import collect
        from .._files.store_options import chunking_option, expires_after_option, flag_option, metadata_option

        body = {
            "name": _name(name),
            "expires_after": expires_after_option(expires_after),
            "metadata": metadata_option(metadata),
        }
        strategy = chunking_option(chunking)
        flag_option(wait, "wait")
        documents = collect(files, text_column=text_column) if files is not None else []
        store = self._post("vector_stores", {k: v for k, v in body.items() if v is not None})
        if not documents:
            return as_record(store)
        added = self._ingest(store["id"], documents, strategy, wait=wait, fresh=True)
        failed = added[added["status"] == "failed"]
        if len(failed):
            reasons = "; ".join(f"{row.filename} ({row.last_error})" for row in failed.itertuples())
            warnings.warn(
                f"{len(failed)} of {len(added)} files failed to index in {store['id']}: {reasons}",
                stacklevel=2,
            )
        return self.vector_store(store["id"])

    def vector_store(self, vector_store_id: str) -> Record:
        """One store's record: `id`, `name`, `status`, `file_counts`, `usage_bytes`, times, `metadata`."""
        return as_record(self._get(f"vector_stores/{path_id(vector_store_id, 'vector_store_id')}"))

    def update_vector_store(
        self,
        vector_store_id: str,
        *,
        name: str | None = UNCHANGED,
        expires_after: Any = UNCHANGED,
        metadata: dict[str, str] | None = UNCHANGED,
    ) -> Record:
        """Change a store's name, expiry (days; None: never expires) or metadata (None clears it);
        what is not given stays. Returns the store's record."""
        from .._files.store_options import expires_after_option, metadata_option

        changes = {
            key: value
            for key, value in {"name": name, "expires_after": expires_after, "metadata": metadata}.items()
            if value is not UNCHANGED
        }
        if not changes:
            raise InvalidInputError("nothing to change: give name=, expires_after= or metadata=")
        if "name" in changes:
            changes["name"] = _name(changes["name"])
        if "expires_after" in changes:
            changes["expires_after"] = expires_after_option(changes["expires_after"])
        if "metadata" in changes:
            changes["metadata"] = metadata_option(changes["metadata"])
        path = f"vector_stores/{path_id(vector_store_id, 'vector_store_id')}"
        return as_record(self._post(path, changes))

    def delete_vector_store(self, vector_store_id: str) -> Record:
        """Delete a store (its Files stay: `delete_file` removes them); `{"id", "deleted": True}`."""
        return as_record(self._delete(f"vector_stores/{path_id(vector_store_id, 'vector_store_id')}"))

    def search_vector_store(
        self,
        vector_store_id: str,
        query: str | list[str],
        *,
        k: int = 10,
        filters: dict[str, Any] | None = None,
        rewrite_query: bool = False,
        ranking: Any = None,
    ) -> pd.DataFrame:
        """The `k` (1 to 50) chunks that best match `query`, best first: `rank`, `score`, `file_id`,
        `filename`, `text`, `attributes`; the same columns when nothing matches.

        `filters` keeps files by attribute, in the API's form ({"type": "gte", "key": "year",
        "value": 2020}, {"type": "and", "filters": [...]}) or a short form: {"lang": "en"} (equals),
        {"tag": ["a", "b"]} (one of), {"year": (">=", 2020)} (==, !=, >, >=, <, <=, in, "not in");
        several keys must all hold. Dates compare as Unix seconds. `rewrite_query` lets the API
        rephrase the query (`.attrs["search_query"]` shows what was searched); `ranking` is a
        ranker name or {"ranker": ..., "score_threshold": 0.5}.
        """
        from .._files.filters import search_filter
        from .._files.store_options import flag_option, ranking_option
        from .._tables.vector_store_frames import search_results_frame

        store_id = path_id(vector_store_id, "vector_store_id")
        body = {
            "query": _query(query),
            "max_num_results": _count(k),
            "filters": search_filter(filters),
            "rewrite_query": rewrite_query,
            "ranking_options": ranking_option(ranking),
        }
        flag_option(rewrite_query, "rewrite_query")
        sent = {key: value for key, value in body.items() if value is not None}
        answer = self._post(f"vector_stores/{store_id}/search", sent)
        frame = search_results_frame(answer.get("data") or [])
        frame.attrs["search_query"] = answer.get("search_query")
        return frame


def _name(name: Any) -> str | None:
    if name is not None and not isinstance(name, str):
        raise InvalidTypeError(f"name must be text, not {type(name).__name__}")
    return name


def _query(query: Any) -> str | list[str]:
    queries = [query] if isinstance(query, str) else query
    if not isinstance(queries, (list, tuple)) or not all(isinstance(q, str) for q in queries):
        raise InvalidTypeError(f"query must be text or a list of texts, not {type(query).__name__}")
    if not queries or not all(q.strip() for q in queries):
        raise InvalidInputError("query is empty; give the words to search for")
    return query if isinstance(query, str) else list(queries)


def _count(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise InvalidTypeError(f"k must be a whole number of results, not {type(k).__name__}")
    if not 1 <= k <= MAX_RESULTS:
        raise InvalidInputError(f"k must be from 1 to {MAX_RESULTS}, not {k}")
    return k
