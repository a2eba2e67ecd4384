"""Files: list, upload, retrieve, read and delete the files kept on the server.

An upload goes in one request to POST /files (up to 512 MB), or for large files through
the Uploads API in parts (up to 8 GB; see `uploads`).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Literal, overload

from .._core.arguments import boolean, one_of, text, type_error
from .._core.constants import FILE_PURPOSES
from .._core.errors import InvalidInputError, InvalidTypeError
from .._core.paths import path_id
from .._core.transport import decode_json
from .._tables.records import Record, as_record
from .uploads import UPLOAD_PURPOSES, UploadsAPI

if TYPE_CHECKING:
    import pandas as pd

    from .._files.parts import UploadPartial
    from .._files.sources import Source

__all__ = ["FilesAPI"]

PAGE_SIZE = 1000  # files per page when listing
PROGRESS_THRESHOLD = 10 * 1024 * 1024  # uploads above this many bytes show a progress bar


class FilesAPI(UploadsAPI):
    def files(self, *, purpose: str | None = None) -> pd.DataFrame:
        """Every file (all pages), newest first: `id`, `filename`, `purpose`, `bytes`,
        `created_at`, `status`, `expires_at` (UTC; NaT for files that do not expire).

        `purpose` keeps only files of that purpose, e.g. "fine-tune" or "fine-tune-results".
        """
        from .._tables.frames import files_frame

        text(purpose, "purpose", hint="pass a purpose such as 'fine-tune', or leave it out", optional=True)
        params = {"purpose": purpose.strip() if purpose else None}
        return files_frame(self._paginate("files", params, page_size=PAGE_SIZE))

    def upload_file(
        self,
        file: Any,
        purpose: str,
        *,
        filename: str | None = None,
        method: str | None = None,
        resume: UploadPartial | None = None,
    ) -> Record:
        """Upload `file` for `purpose` and return the file's record (its `id` is what other calls take).

        `file` is a path, bytes, a binary file object, or a DataFrame / list of dicts, which
        is written as JSON Lines for you (one object per row; missing cells are left out).
        `purpose` is one of fine-tune, batch, assistants, vision, user_data, evals.
        `filename` names the upload (default: the path's name, `data.jsonl` for tables).

        Files over 64 MB for assistants, batch, fine-tune or vision go through the Uploads
        API: parts of 64 MB sent a few at once, each read from disk as it goes, then joined
        on the server and checked with the file's MD5; up to 8 GB. `method="uploads"` uses
        it for any size, `method="files"` never (one request, up to 512 MB, the limit for
        user_data and evals files too). Sizes are checked before anything is sent; uploads
        over 10 MB show a progress bar in bytes. A failed request is retried (a part alone,
        in the Uploads API). An upload in parts from a path that stops (an error after the
        retries, or Ctrl-C) raises `UploadError` / `UploadInterrupted` whose `.partial`
        continues it: `upload_file(path, purpose, resume=error.partial)` sends only the
        missing parts, within the hour the upload stays open. Other sources are cancelled.
        """
        from .._files import parts
        from .._files.sources import MAX_UPLOAD_BYTES, open_source

        purpose = one_of(purpose, "purpose", FILE_PURPOSES)
        text(filename, "filename", hint="name the upload, e.g. 'train.jsonl'", optional=True)
        method = _method(method, purpose, resume)
        if resume is not None:
            _check_resume(resume, file, purpose)
        in_parts_allowed = method != "files" and purpose in UPLOAD_PURPOSES
        limit = parts.MAX_UPLOAD_BYTES if in_parts_allowed else MAX_UPLOAD_BYTES
        why = _limit_reason(method, purpose)
        with open_source(file, purpose, filename, max_bytes=limit, why=why) as source:
            if resume is not None:
                _same_file(resume, source)
            large = in_parts_allowed and source.size > parts.PART_BYTES
            if resume is not None or method == "uploads" or large:
                return self._upload_parts_with_progress(source, purpose, resume)
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
        from .._tables.jsonl import read_table

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
        from .._files.formats import mime_type

        part = ("file", (filename, content, mime_type(filename)))
        response = self._post_multipart("files", {"purpose": purpose}, [part])
        return as_record(decode_json(response))

    def _upload_with_progress(self, source: Source, purpose: str) -> Record:
        from .._files.sources import ProgressReader

        bar = _progress_bar(source.size, source.filename)
        try:
            return self._upload(source.filename, ProgressReader(source.stream, bar), purpose)
        finally:
            bar.close()

    def _upload_parts_with_progress(
        self, source: Source, purpose: str, resume: UploadPartial | None
    ) -> Record:
        from .._files import parts

        bar = _progress_bar(source.size, source.filename) if source.size > PROGRESS_THRESHOLD else None
        lock = threading.Lock()

        def progress(count: int) -> None:
            with lock:  # parts report from several threads
                if bar is not None:  # only passed on when there is a bar
                    bar.update(count)

        if bar is not None and resume is not None:
            plan = parts.plan_parts(resume.bytes, resume.part_bytes)
            bar.update(sum(plan[number - 1].size for number in resume.parts))
        try:
            return self._upload_in_parts(
                source,
                purpose,
                resume=resume,
                progress=progress if bar is not None else None,
                resumable=source.path is not None,
            )
        finally:
            if bar is not None:
                bar.close()


def _method(method: Any, purpose: str, resume: Any) -> str | None:
    if method is None:
        return "uploads" if resume is not None else None
    if not isinstance(method, str):
        raise type_error("method", "'files', 'uploads' or None", method)
    method = method.strip().lower()
    if method not in ("files", "uploads"):
        raise InvalidInputError(f"method {method!r} is not 'files' (one request) or 'uploads' (in parts)")
    if method == "files" and resume is not None:
        raise InvalidInputError("resume= continues an upload in parts; leave method unset or use 'uploads'")
    if method == "uploads" and purpose not in UPLOAD_PURPOSES:
        raise InvalidInputError(
            f"the Uploads API takes files for {', '.join(UPLOAD_PURPOSES)}, not {purpose!r}; "
            "use method='files' (up to 512 MB)"
        )
    return method


def _limit_reason(method: str | None, purpose: str) -> str:
    if method == "files":
        return " with method='files' (leave method unset to send larger files in parts, up to 8 GB)"
    if purpose not in UPLOAD_PURPOSES:
        return f" for {purpose} (the Uploads API, up to 8 GB, takes only {', '.join(UPLOAD_PURPOSES)} files)"
    return " (the Uploads API's limit)"


def _check_resume(resume: Any, file: Any, purpose: str) -> None:
    from .._files.parts import UploadPartial

    if not isinstance(resume, UploadPartial):
        raise type_error("resume", "the .partial of an upload error (an UploadPartial)", resume)
    if not isinstance(file, (str, os.PathLike)):
        raise InvalidTypeError(
            f"resume= continues an upload from a file on disk: pass the path {resume.path!r}, "
            f"not {type(file).__name__}"
        )
    if purpose != resume.purpose:
        raise InvalidInputError(f"the upload to resume was for purpose {resume.purpose!r}, not {purpose!r}")
    if resume.expired:
        raise InvalidInputError(
            f"the upload {resume.upload_id} has expired (an upload stays open an hour); "
            "upload the file again without resume="
        )


def _same_file(resume: UploadPartial, source: Source) -> None:
    if source.path is None or str(source.path) != resume.path:
        raise InvalidInputError(
            f"resume= belongs to the upload of {resume.path!r}, not of {str(source.path)!r}"
        )
    if source.size != resume.bytes or source.path.stat().st_mtime_ns != resume.modified_ns:
        raise InvalidInputError(
            f"{source.filename} changed since its upload began (size or modification time differ); "
            "upload it again without resume="
        )


def _progress_bar(total: int, filename: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=f"uploading {filename}")
