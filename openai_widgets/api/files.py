"""Files: list, upload, retrieve, read and delete the files kept on the server."""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any

from .._core.constants import FILE_PURPOSES
from .._core.errors import InvalidInputError, InvalidTypeError
from .._core.paths import path_id
from .._core.transport import BaseClient, decode_json
from .._files.sources import ProgressReader, Source, open_source
from .._tables.frames import files_frame
from .._tables.jsonl import read_table
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FilesAPI"]

PAGE_SIZE = 1000  # files per page when listing
PROGRESS_THRESHOLD = 10 * 1024 * 1024  # uploads above this many bytes show a progress bar


class FilesAPI(BaseClient):
    def files(self, purpose: str | None = None) -> pd.DataFrame:
        """Every file (all pages), newest first: `id`, `filename`, `purpose`, `bytes`,
        `created_at`, `status`, `expires_at` (UTC; NaT for files that do not expire).

        `purpose` keeps only files of that purpose, e.g. "fine-tune" or "fine-tune-results".
        """
        if purpose is not None and (not isinstance(purpose, str) or not purpose.strip()):
            raise InvalidTypeError(f"purpose must be a text such as 'fine-tune', not {purpose!r}")
        params = {"purpose": purpose.strip() if purpose else None}
        return files_frame(self._paginate("files", params, page_size=PAGE_SIZE))

    def upload_file(self, file: Any, purpose: str, *, filename: str | None = None) -> Record:
        """Upload `file` for `purpose` and return the file's record (its `id` is what other calls take).

        `file` is a path, bytes, a binary file object, or a DataFrame / list of dicts, which
        is written as JSON Lines for you (one object per row; missing cells are left out).
        `purpose` is one of fine-tune, batch, assistants, vision, user_data, evals.
        `filename` names the upload (default: the path's name, `data.jsonl` for tables).
        Files over 512 MB are refused before anything is sent; uploads over 10 MB show a
        progress bar. A retried upload sends the whole file again.
        """
        purpose = _purpose(purpose)
        if filename is not None and (not isinstance(filename, str) or not filename.strip()):
            raise InvalidInputError("filename must be a non-empty text such as 'train.jsonl'")
        with open_source(file, purpose, filename) as source:
            if source.size > PROGRESS_THRESHOLD:
                return self._upload_with_progress(source, purpose)
            return self._upload(source.filename, source.stream.read(), purpose)

    def file(self, file_id: str) -> Record:
        """One file's record: `id`, `filename`, `purpose`, `bytes`, `created_at`, `status`."""
        return as_record(self._get(f"files/{path_id(file_id, 'file_id')}"))

    def file_content(self, file_id: str, as_frame: bool = False) -> bytes | pd.DataFrame:
        """The file's content as bytes; with `as_frame=True` a DataFrame read from JSONL or CSV
        (fine-tuning result files, which the API sends base64-encoded, are decoded)."""
        response = self._request("GET", f"files/{path_id(file_id, 'file_id')}/content")
        if not as_frame:
            return response.content
        return read_table(response.content, f"file {file_id}")

    def delete_file(self, file_id: str) -> Record:
        """Delete a file; returns `{"id", "object", "deleted": True}`."""
        return as_record(self._delete(f"files/{path_id(file_id, 'file_id')}"))

    # -- helpers ---------------------------------------------------------------------

    def _upload(self, filename: str, content: Any, purpose: str) -> Record:
        part = ("file", (filename, content, _content_type(filename)))
        response = self._post_multipart("files", {"purpose": purpose}, [part])
        return as_record(decode_json(response))

    def _upload_with_progress(self, source: Source, purpose: str) -> Record:
        bar = _progress_bar(source.size, source.filename)
        try:
            return self._upload(source.filename, ProgressReader(source.stream, bar), purpose)
        finally:
            bar.close()


def _purpose(purpose: Any) -> str:
    if not isinstance(purpose, str):
        raise InvalidTypeError(
            f"purpose must be one of {', '.join(FILE_PURPOSES)}, not {type(purpose).__name__}"
        )
    if purpose.strip() not in FILE_PURPOSES:
        raise InvalidInputError(f"purpose {purpose!r} is not one of {', '.join(FILE_PURPOSES)}")
    return purpose.strip()


def _content_type(filename: str) -> str:
    if filename.lower().endswith(".jsonl"):
        return "application/jsonl"
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _progress_bar(total: int, filename: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=f"uploading {filename}")
