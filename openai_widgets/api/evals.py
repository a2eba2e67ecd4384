"""Evals: create one from a DataFrame and its criteria, list, read, rename and delete them.

An eval holds what its items look like (the item schema, made from the DataFrame's
columns) and how answers are graded (`criteria`: graders, in the API's form or the short
form of `_evals.criteria`). Runs of a model over the data: `eval_runs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.arguments import text, type_error
from .._core.errors import InvalidInputError
from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EvalsAPI", "eval_path"]

PAGE_SIZE = 100
# What an item of a stored-completions eval holds (the API's logs data source).
STORED_FIELDS = ("input", "metadata", "model", "completion_id")


class EvalsAPI(BaseClient):
    def create_eval(
        self,
        name: str,
        data: Any = None,
        *,
        criteria: Any,
        item_schema: Mapping[str, Any] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Record:
        """Create an eval for `data` graded by `criteria`; returns its record (`id`, ...).

        `data` is a DataFrame (its columns and dtypes make the item schema, unless
        `item_schema` gives one) or a stored chat completions source,
        `{"type": "stored_completions", "metadata": {...}}`, whose items are the stored
        completions (fields `input`, `metadata`, `model`, `completion_id`). `criteria` is a
        grader dict or a list of them: string_check, text_similarity, label_model,
        score_model, python, in the API's form or the short form, where `{column}` means
        the item's field and `{output}` the model's answer, e.g.
        `{"type": "string_check", "reference": "{answer}", "operation": "eq"}`.
        Everything is checked before anything is sent.
        """
        from .._evals.criteria import testing_criteria
        from .._files.store_options import metadata_option

        text(name, "name", hint="name the eval, e.g. 'capitals'")
        config, columns = _data_source_config(data, item_schema)
        body: dict[str, Any] = {
            "name": name,
            "data_source_config": config,
            "testing_criteria": testing_criteria(criteria, columns),
        }
        if metadata is not None:
            body["metadata"] = metadata_option(metadata)
        return as_record(self._post("evals", body))

    def evals(self) -> pd.DataFrame:
        """Every eval (all pages), oldest first: `id`, `name`, `created_at`, `data_source`,
        `criteria` (the criteria's names), `metadata`."""
        from .._tables.eval_frames import evals_frame

        return evals_frame(self._paginate("evals", page_size=PAGE_SIZE))

    def eval(self, eval_id: str) -> Record:
        """One eval's record: its data source config (with the item schema) and criteria."""
        return as_record(self._get(eval_path(eval_id)))

    def update_eval(
        self, eval_id: str, *, name: str | None = None, metadata: Mapping[str, str] | None = None
    ) -> Record:
        """Rename an eval or replace its metadata; returns its record."""
        from .._files.store_options import metadata_option

        path = eval_path(eval_id)
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = text(name, "name", hint="give the new name")
        if metadata is not None:
            body["metadata"] = metadata_option(metadata)
        if not body:
            raise InvalidInputError("update_eval changes nothing; give name= or metadata=")
        return as_record(self._post(path, body))

    def delete_eval(self, eval_id: str) -> Record:
        """Delete an eval and its runs; returns `{"eval_id", "deleted": True}`."""
        return as_record(self._delete(eval_path(eval_id)))


def eval_path(eval_id: Any) -> str:
    return f"evals/{path_id(eval_id, 'eval_id')}"


def _data_source_config(data: Any, schema: Any) -> tuple[dict[str, Any], Any]:
    """(the eval's data source config, the item fields criteria may name: None when unknown)."""
    from .._evals.data import check_frame, item_schema, stored_source

    stored = stored_source(data)
    if stored is not None:
        config: dict[str, Any] = {"type": "logs"}
        if stored.get("metadata"):
            config["metadata"] = dict(stored["metadata"])
        return config, STORED_FIELDS
    if schema is not None and not isinstance(schema, Mapping):
        raise type_error("item_schema", "a JSON schema dict", schema)
    if data is None and schema is None:
        raise InvalidInputError("create_eval needs data (a DataFrame) or item_schema")
    if data is not None:
        check_frame(data)
    made = dict(schema) if schema is not None else item_schema(data)
    properties = made.get("properties")
    columns: list[Any] | None
    if isinstance(properties, Mapping):
        columns = list(properties)
    else:
        columns = list(data.columns) if data is not None else None
    config = {"type": "custom", "item_schema": made, "include_sample_schema": True}
    return config, columns
