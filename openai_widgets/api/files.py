"""Files: list, upload, retrieve, read and delete the files kept on the server."""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any, Literal, overload

from .._core.arguments import boolean, one_of, text
from .._core.constants import FILE_PURPOSES
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
    def files(self, *, purpose: str | None = None) -> pd.DataFrame:
        """Every file (all pages), newest first: `id`, `filename`, `purpose`, `bytes`,
        `created_at`, `status`, `expires_at` (UTC; NaT for files that do not expire).

        `purpose` keeps only files of that purpose, e.g. "fine-tune" or "fine-tune-results".
        """
        text(purpose, "purpose", hint="pass a purpose such as 'fine-tune', or leave it out", optional=True)
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
        purpose = one_of(purpose, "purpose", FILE_PURPOSES)
        text(filename, "filename", hint="name the upload, e.g. 'train.jsonl'", optional=True)
        with open_source(file, purpose, filename) as source:
            if source.size > PROGRESS_THRESHOLD:
                return self._upload_with_progress(source, purpose)
            return self._upload(source.filename, source.stream.read(), purpose)

    def file(self, file_id: str) -> Record:
        """One file's record: `id`, `filename`, `purpose`, `bytes`, `created_at`, `status`."""
        return as_record(self._get(f"files/{path_id(file_id, 'file_id')}"))

    @overload
    def file_content(self, file_id: str, *, as_frame: Literal[False] = False) -> bytes: ...
    @overload
    def file_content(self, file_id: str, *, as_frame: Literal[True]) -> pd.DataFrame: ...
    @overload
    def file_content(self, file_id: str, *, as_frame: bool) -> bytes | pd.DataFrame: ...
    def file_content(self, file_id: str, *, as_frame: bool = False) -> bytes | pd.DataFrame:
        """The file's content as bytes; with `as_frame=True` a DataFrame read from JSONL or CSV
        (fine-tuning result files, which the API sends base64-encoded, are decoded)."""
        path = f"files/{path_id(file_id, 'file_id')}/content"
        boolean(as_frame, "as_frame")
        response = self._request("GET", path)
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


def _content_type(filename: str) -> str:
    if filename.lower().endswith(".jsonl"):
        return "application/jsonl"
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _progress_bar(total: int, filename: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=f"uploading {filename}")
