"""The Uploads API: a file of up to 8 GB sent in parts of up to 64 MB, then made into a File.

`upload_file` comes here for large files (see `FilesAPI.upload_file` for when). The upload
is created with the file's size and MIME type; its parts go out from a few threads at
once, each read from disk while it is sent (memory holds a few 64 KB chunks, never a
part); it is completed with the part IDs in order and the MD5 of the whole file. A failed
part is retried by the client's retry policy. When the parts stop (an error after the
retries, or Ctrl-C) an upload from a file on disk is kept for `resume=`, any other is
cancelled, and the error says which.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._core.errors import APIError, APIResponseValidationError
from .._core.paths import path_id
from .._core.transport import BaseClient, decode_json
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    from .._files.parts import PartReader, UploadPartial
    from .._files.sources import Source

__all__ = ["UPLOAD_PURPOSES", "UploadsAPI"]

PART_WORKERS = 4  # parts in flight at once
UPLOAD_PURPOSES = ("assistants", "batch", "fine-tune", "vision")  # what POST /uploads takes
CANCEL_TIMEOUT = 10.0  # seconds; a cancel on the way out must not hold the kernel long


class UploadsAPI(BaseClient):
    def _upload_in_parts(
        self,
        source: Source,
        purpose: str,
        *,
        resume: UploadPartial | None = None,
        progress: Callable[[int], None] | None = None,
        stop: threading.Event | None = None,
        resumable: bool = True,
    ) -> Record:
        """Send `source` through the Uploads API (continuing `resume`); the File's record."""
        from .._files.parts import Checksum, PartReader, RandomAccess, plan_parts
        from .._files.pool import run_tasks

        partial = resume if resume is not None else self._create_upload(source, purpose)
        access = RandomAccess(source.stream)
        plan = plan_parts(partial.bytes, partial.part_bytes)
        missing = [plan[number - 1] for number in partial.missing]
        checksum = Checksum(access, partial.bytes)  # alongside the parts

        def send(index: int, halt: threading.Event) -> str:
            part = missing[index]
            reader = PartReader(access, part, progress=progress, stop=halt)
            return self._send_part(partial.upload_id, part.number, reader)

        outcome = run_tasks(len(missing), send, workers=PART_WORKERS, parent=stop, name="openai-part")
        for index, part_id in outcome.results.items():
            partial.parts[missing[index].number] = part_id
        if outcome.error is not None:
            checksum.cancel()
            self._stopped(partial, outcome.error, resumable)
        try:
            body = {"part_ids": [partial.parts[part.number] for part in plan], "md5": checksum.result()}
            answer = self._post(f"uploads/{path_id(partial.upload_id, 'upload_id')}/complete", body)
        except (APIError, OSError, KeyboardInterrupt) as error:
            checksum.cancel()
            self._stopped(partial, error, resumable)
        file = answer.get("file") if isinstance(answer, dict) else None
        if not isinstance(file, dict) or not file.get("id"):
            raise APIResponseValidationError(
                f"POST /uploads/{partial.upload_id}/complete: the answer holds no File: {str(answer)[:100]!r}"
            )
        return as_record(file)

    def _create_upload(self, source: Source, purpose: str) -> UploadPartial:
        from .._files import parts
        from .._files.formats import mime_type
        from .._files.parts import UploadPartial

        body = {
            "filename": source.filename,
            "purpose": purpose,
            "bytes": source.size,
            "mime_type": mime_type(source.filename),
        }
        upload = self._post("uploads", body)
        return UploadPartial(
            upload_id=upload["id"],
            path=str(source.path or ""),
            filename=source.filename,
            purpose=purpose,
            bytes=source.size,
            modified_ns=source.path.stat().st_mtime_ns if source.path else 0,
            part_bytes=parts.PART_BYTES,  # kept, so a resume cuts the file the same way
            expires_at=int(upload.get("expires_at") or upload.get("created_at", 0) + 3600),
        )

    def _send_part(self, upload_id: str, number: int, reader: PartReader) -> str:
        path = f"uploads/{path_id(upload_id, 'upload_id')}/parts"
        data = ("data", (f"part-{number}", reader, "application/octet-stream"))
        response = self._post_multipart(path, {}, [data])
        return decode_json(response)["id"]

    def _stopped(self, partial: UploadPartial, error: BaseException, resumable: bool) -> Any:
        """Raise what a stopped upload raises: kept for resume=, or cancelled."""
        from .._files.errors import UploadError, UploadInterrupted
        from .._files.parts import Stopped

        sent = f"{len(partial.parts)} of {partial.part_count} parts"
        if resumable:
            until = dt.datetime.fromtimestamp(partial.expires_at, tz=dt.timezone.utc)
            how = (
                f"resume with ow.upload_file({partial.path!r}, {partial.purpose!r}, resume=error.partial) "
                f"before {until:%H:%M} UTC, when the upload expires"
            )
            kept: UploadPartial | None = partial
        else:
            self._cancel_upload(partial.upload_id)
            how, kept = "the upload was cancelled; send the file again", None
        if isinstance(error, Stopped):
            raise error
        if isinstance(error, KeyboardInterrupt):
            raise UploadInterrupted(
                f"the upload of {partial.filename} stopped after {sent}; {how}", partial=kept
            ) from None
        raise UploadError(
            f"the upload of {partial.filename} failed after {sent}: {error} To go on: {how}.",
            partial=kept,
            cause=error,
        ) from error

    def _cancel_upload(self, upload_id: str) -> None:
        with contextlib.suppress(APIError):  # an upload left pending expires within the hour anyway
            self._request(
                "POST",
                f"uploads/{path_id(upload_id, 'upload_id')}/cancel",
                timeout=min(self.timeout, CANCEL_TIMEOUT),
                max_retries=0,
            )
