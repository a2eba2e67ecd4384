"""Stored chat completions: what `chat(..., store=True, metadata=...)` keeps, to list, read,
relabel and delete, and to use as an eval's data (`{"type": "stored_completions", ...}`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.arguments import model_argument
from .._core.errors import InvalidInputError
from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["StoredCompletionsAPI"]

PAGE_SIZE = 100


class StoredCompletionsAPI(BaseClient):
    def stored_completions(
        self, model: str | None = None, *, metadata: Mapping[str, str] | None = None
    ) -> pd.DataFrame:
        """The chat completions kept with `store=True` (all pages), oldest first: `id`, `created`,
        `model`, `output`, `finish_reason`, token counts, `metadata`; only those of `model`
        and with every `metadata` pair, when given."""
        from .._files.store_options import metadata_option
        from .._tables.eval_frames import stored_completions_frame

        params: dict[str, Any] = {}
        if model is not None:
            params["model"] = model_argument(model, "chat")
        for key, value in (metadata_option(metadata) or {}).items():
            params[f"metadata[{key}]"] = value
        return stored_completions_frame(self._paginate("chat/completions", params, page_size=PAGE_SIZE))

    def stored_completion(self, completion_id: str) -> Record:
        """One stored chat completion: the answer, usage, metadata and the request's settings."""
        return as_record(self._get(_path(completion_id)))

    def stored_completion_messages(self, completion_id: str) -> pd.DataFrame:
        """The input messages of a stored completion, in order: `id`, `role`, `content`, `name`."""
        from .._tables.eval_frames import stored_messages_frame

        path = f"{_path(completion_id)}/messages"
        return stored_messages_frame(self._paginate(path, page_size=PAGE_SIZE))

    def update_stored_completion(self, completion_id: str, metadata: Mapping[str, str]) -> Record:
        """Replace a stored completion's metadata (up to 16 text pairs); returns it."""
        from .._files.store_options import metadata_option

        path = _path(completion_id)
        if metadata is None:
            raise InvalidInputError("metadata is needed: the new pairs, e.g. {'reviewed': 'yes'}")
        return as_record(self._post(path, {"metadata": metadata_option(metadata)}))

    def delete_stored_completion(self, completion_id: str) -> Record:
        """Delete a stored completion; returns `{"id", "deleted": True}`."""
        return as_record(self._delete(_path(completion_id)))


def _path(completion_id: Any) -> str:
    return f"chat/completions/{path_id(completion_id, 'completion_id')}"
