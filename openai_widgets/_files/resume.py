"""The resume rule of vector store ingestion: which documents are already in the store.

A File ID counts as attached when the store holds it. A local file or table row counts as
attached when the store holds a file of the same filename and size in bytes: a rerun of
the same call then uploads nothing twice, and a file edited to the same length counts as
there (delete it from the store to send it again). Each store file matches one document
at most. An attached file that is completed or still being indexed is skipped; one that
failed or was cancelled is added again by its ID, without uploading it again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._tables.vector_store_frames import vector_store_files_frame
from .collect import Document

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Step", "is_indexing", "plan", "result_frame", "state_counts"]

_KEPT = ("completed", "in_progress")  # states that count as attached


@dataclass
class Step:
    """What to do with one document: "skip" it (attached), "upload" it, or "add" the File `file_id`."""

    document: Document
    action: str
    file_id: str | None = None


def plan(
    documents: list[Document], attached: list[dict[str, Any]], files: dict[str, dict[str, Any]]
) -> list[Step]:
    """The resume rule: a File ID is matched by ID, a local document by filename and size."""
    states = {f["id"]: f.get("status") for f in attached}
    by_name: dict[tuple[Any, Any], list[str]] = defaultdict(list)
    for file_id in sorted(states, key=lambda i: states[i] not in _KEPT):  # kept ones are matched first
        file = files.get(file_id)
        if file is not None:
            by_name[(file.get("filename"), file.get("bytes"))].append(file_id)
    steps = []
    for document in documents:
        if not document.local:
            file_id = document.file_id
        else:
            matches = by_name.get((document.filename, document.size))
            file_id = matches.pop(0) if matches else None
        if file_id is None:
            steps.append(Step(document, "upload"))
        else:  # not in the store, or failed / cancelled there: added again by its ID
            steps.append(Step(document, "skip" if states.get(file_id) in _KEPT else "add", file_id))
    return steps


def result_frame(
    steps: list[Step], records: dict[str, dict[str, Any]], files: dict[str, dict[str, Any]]
) -> pd.DataFrame:
    rows = [records.get(step.file_id or "") or {"id": step.file_id} for step in steps]
    names = {
        str(step.file_id): step.document.filename
        if step.document.local
        else (files.get(str(step.file_id)) or {}).get("filename")
        for step in steps
    }
    frame = vector_store_files_frame(rows, names)
    frame["skipped"] = _bools([step.action == "skip" for step in steps])
    return frame


def is_indexing(files: list[dict[str, Any]], file_id: Any) -> bool:
    """Whether the file `file_id` among the store's `files` is being indexed."""
    return any(f["id"] == file_id and f.get("status") == "in_progress" for f in files)


def state_counts(files: list[dict[str, Any]], file_ids: list[str]) -> dict[str, Any]:
    """The state counts of `file_ids` among the store's files, shaped like a batch's."""
    wanted = set(file_ids)
    counts: dict[str, int] = defaultdict(int)
    for file in files:
        if file["id"] in wanted:
            counts[str(file.get("status"))] += 1
    return {"file_counts": dict(counts)}


def _bools(values: list[bool]) -> Any:
    import pandas as pd

    return pd.Series(values, dtype=bool)
