"""Conversations: threads kept on the server, which `respond(conversation=...)` reads and extends.

A conversation holds items (messages, tool calls and their outputs) in order. Items are
given as `respond()` takes its input: text, message dicts, item dicts, or content for one
user message; more than 20 (the API's limit per request) go in several requests. Item
tables have the columns of `Response.output`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.arguments import whole_number
from .._core.errors import InvalidInputError
from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ConversationsAPI"]

MAX_ITEMS_PER_REQUEST = 20


class ConversationsAPI(BaseClient):
    def create_conversation(self, items: Any = None, metadata: dict[str, str] | None = None) -> Record:
        """Start a conversation, with `items` in it if given and `metadata` (16 text pairs at most)."""
        from .._files.store_options import metadata_option
        from .._responses.inputs import input_items

        given = input_items(items) if items is not None else []
        body: dict[str, Any] = {"items": given[:MAX_ITEMS_PER_REQUEST]}
        checked = metadata_option(metadata)
        if checked is not None:
            body["metadata"] = checked
        record = as_record(self._post("conversations", body))
        for start in range(MAX_ITEMS_PER_REQUEST, len(given), MAX_ITEMS_PER_REQUEST):
            self._add_items(record["id"], given[start : start + MAX_ITEMS_PER_REQUEST])
        return record

    def conversation(self, conversation_id: Any) -> Record:
        """A conversation's record: `id`, `created_at`, `metadata`."""
        return as_record(self._get(_path(conversation_id)))

    def update_conversation(self, conversation_id: Any, metadata: dict[str, str]) -> Record:
        """Replace a conversation's metadata; returns its record."""
        from .._files.store_options import metadata_option

        checked = metadata_option(metadata)
        if checked is None:
            raise InvalidInputError("metadata is required: give a dict of up to 16 text pairs ({} clears it)")
        return as_record(self._post(_path(conversation_id), {"metadata": checked}))

    def delete_conversation(self, conversation_id: Any) -> Record:
        """Delete a conversation (responses that used it stay); `{"id", "deleted": True}`."""
        return as_record(self._delete(_path(conversation_id)))

    def conversation_items(self, conversation_id: Any, *, limit: int | None = None) -> pd.DataFrame:
        """The items of a conversation, oldest first: `id`, `type`, `role`, `status`, `tool`,
        `arguments`, `text`; `limit` keeps the first ones."""
        from .._responses.items import items_frame

        limit = whole_number(limit, "limit", minimum=1, optional=True)
        return items_frame(
            self._paginate(f"{_path(conversation_id)}/items", {"order": "asc"}, max_items=limit)
        )

    def add_conversation_items(self, conversation_id: Any, items: Any) -> pd.DataFrame:
        """Add items at the end of a conversation; returns the items added (with their IDs)."""
        from .._responses.inputs import input_items
        from .._responses.items import items_frame

        path = _path(conversation_id)
        given = input_items(items)
        added: list[dict[str, Any]] = []
        for start in range(0, len(given), MAX_ITEMS_PER_REQUEST):
            added += self._add_items(path, given[start : start + MAX_ITEMS_PER_REQUEST], resolved=True)
        return items_frame(added)

    def delete_conversation_item(self, conversation_id: Any, item_id: str) -> Record:
        """Delete one item from a conversation; returns the conversation's record."""
        return as_record(self._delete(f"{_path(conversation_id)}/items/{path_id(item_id, 'item_id')}"))

    def _add_items(
        self, conversation: str, items: list[dict[str, Any]], *, resolved: bool = False
    ) -> list[Any]:
        path = conversation if resolved else _path(conversation)
        answer = self._post(f"{path}/items", {"items": items})
        return list(answer.get("data") or []) if isinstance(answer, dict) else []


def _path(conversation: Any) -> str:
    """`conversations/<id>` for an ID or a conversation's record."""
    from .._responses.body import conversation_id

    given = conversation_id(conversation, "conversation_id") if conversation is not None else None
    return f"conversations/{path_id(given, 'conversation_id')}"
