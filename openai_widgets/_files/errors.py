"""What a stopped upload or ingestion raises, with what it leaves behind to resume from.

    APIError
    └── UploadError           an Uploads API upload failed; `.partial`, `.cause`
    KeyboardInterrupt
    ├── UploadInterrupted     Ctrl-C stopped an Uploads API upload; `.partial`
    └── IndexingInterrupted   Ctrl-C stopped adding files to a vector store; the server goes on

`.partial` is an `UploadPartial` for `upload_file(..., resume=partial)`, or None when the
upload could not be resumed (it was not sent from a file on disk) and was cancelled.
"""

from __future__ import annotations

from .._core.errors import APIError
from .parts import UploadPartial

__all__ = ["IndexingInterrupted", "UploadError", "UploadInterrupted"]


class UploadError(APIError):
    """An upload in parts failed after its retries; `partial` resumes it, `cause` is the failure."""

    def __init__(self, message: str, *, partial: UploadPartial | None, cause: BaseException) -> None:
        super().__init__(message)
        self.partial = partial
        self.cause = cause
        self.status_code = getattr(cause, "status_code", None)
        self.request_id = getattr(cause, "request_id", None)


class UploadInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped an upload in parts; `partial` resumes it (it is still a KeyboardInterrupt)."""

    def __init__(self, message: str, *, partial: UploadPartial | None) -> None:
        super().__init__(message)
        self.message = message
        self.partial = partial


class IndexingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped `add_vector_store_files` or `create_vector_store`; what was sent stays.

    The files uploaded before the stop are in the store (their batch goes on indexing on
    the server), so running the same call again uploads only the rest. `vector_store_id`,
    `batch_ids` and `file_ids` (the Files added by the call) say where to look.
    """

    def __init__(
        self, message: str, *, vector_store_id: str, batch_ids: list[str], file_ids: list[str]
    ) -> None:
        super().__init__(message)
        self.message = message
        self.vector_store_id = vector_store_id
        self.batch_ids = batch_ids
        self.file_ids = file_ids
