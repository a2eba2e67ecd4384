"""The Batch API: run many requests at half price within 24 hours, when rate limits are outgrown.

`batch(requests, endpoint)` writes the JSONL, uploads it (purpose "batch"), creates one
batch per 50,000 requests or 200 MB, waits with a progress bar, downloads the output and
error files and returns one row per request in input order, failed ones included.
`wait=False` returns the created batches at once; `batch_results(ids)` collects them
later, even from another session. `batches()`, `batch_job(id)` and `cancel_batch(id)`
list, show and stop batches. The steps themselves are `bulk.batch_api.BatchService`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from .._core.arguments import boolean, positive_number, type_error, whole_number
from .._core.errors import InvalidInputError
from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

    from .._files.parts import UploadPartial

__all__ = ["BatchesAPI", "check_waiting"]


class BatchesAPI(BaseClient):
    if TYPE_CHECKING:  # borrowed from FilesAPI and CustomAPI (see Client): what BatchService uses

        def upload_file(
            self,
            file: Any,
            purpose: str,
            *,
            filename: str | None = None,
            method: str | None = None,
            resume: UploadPartial | None = None,
        ) -> Record: ...

        @overload
        def file_content(self, file_id: str, *, as_frame: Literal[False] = False) -> bytes: ...
        @overload
        def file_content(self, file_id: str, *, as_frame: Literal[True]) -> pd.DataFrame: ...
        @overload
        def file_content(self, file_id: str, *, as_frame: bool) -> bytes | pd.DataFrame: ...
        def file_content(self, file_id: str, *, as_frame: bool = False) -> bytes | pd.DataFrame: ...

        def request(
            self,
            method: str,
            path: str,
            *,
            headers: Mapping[str, str] | str | None = None,
            query: Mapping[str, Any] | str | None = None,
            body: Any = None,
            timeout: float | None = None,
        ) -> Any: ...

    @overload
    def batch(
        self,
        requests: Any,
        endpoint: str,
        *,
        wait: Literal[True] = True,
        metadata: dict[str, str] | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame: ...
    @overload
    def batch(
        self,
        requests: Any,
        endpoint: str,
        *,
        wait: Literal[False],
        metadata: dict[str, str] | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> list[Record]: ...
    @overload
    def batch(
        self,
        requests: Any,
        endpoint: str,
        *,
        wait: bool,
        metadata: dict[str, str] | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame | list[Record]: ...
    def batch(
        self,
        requests: Any,
        endpoint: str,
        *,
        wait: bool = True,
        metadata: dict[str, str] | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame | list[Record]:
        """Run `requests` (request bodies, or full batch lines) through the Batch API.

        `requests` is a list (or Series) of request bodies for `endpoint` (e.g.
        "/v1/chat/completions"), or of full lines with `custom_id`, `method`, `url` and
        `body`. With `wait=True` this returns a DataFrame with one row per request, in
        input order (a Series' index is kept): `custom_id`, `status_code`, `response`
        (the answer's body) and `error` (None when it succeeded). With `wait=False` it
        returns the created batches at once; `batch_results(ids)` collects them later.
        Inputs over 50,000 requests or 200 MB go in several batches.
        """
        import pandas as pd

        from ..bulk.batch_api import BatchService, endpoint_url, request_lines, results_frame, split_lines

        wait = check_waiting(wait, poll_interval, progress)
        url = endpoint_url(endpoint)
        index = requests.index if isinstance(requests, pd.Series) else None
        lines = request_lines(requests, url)
        service = BatchService(self)
        records = service.submit(split_lines(lines), url, metadata=metadata)
        if not wait:
            return records
        ids = [record["id"] for record in records]
        finished = service.wait(ids, total=len(lines), poll_interval=poll_interval, progress=progress)
        frame = results_frame(service.assemble(finished, [line["custom_id"] for line in lines]), index)
        frame.attrs.update({"batch_ids": ids, "endpoint": url})
        return frame

    def batch_results(
        self,
        batch_ids: str | Record | Sequence[str | Record],
        *,
        wait: bool = True,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """The results of batches made earlier (e.g. by `batch(..., wait=False)`), in input order.

        Waits for them to finish unless `wait=False` (then unfinished requests have the
        error "pending"). The order comes from the batches' input files.
        """
        from ..bulk.batch_api import BatchService, results_frame

        ids = _batch_ids(batch_ids)
        service = BatchService(self)
        if check_waiting(wait, poll_interval, progress):
            records = service.wait(ids, total=None, poll_interval=poll_interval, progress=progress)
        else:
            records = [service.record(batch_id) for batch_id in ids]
        frame = results_frame(service.assemble(records, service.input_order(records)), None)
        frame.attrs.update({"batch_ids": ids, "endpoint": records[0].get("endpoint")})
        return frame

    def batches(self, *, limit: int | None = None) -> pd.DataFrame:
        """Your batches, newest first: `id`, `status`, `endpoint`, times (UTC), request counts, file IDs."""
        from .._tables.frames import batches_frame

        limit = whole_number(limit, "limit", minimum=1, optional=True)
        return batches_frame(self._paginate("batches", max_items=limit))

    def batch_job(self, batch_id: str) -> Record:
        """One batch's record: status, request counts, file IDs, times."""
        return as_record(self._get(f"batches/{path_id(batch_id, 'batch_id')}"))

    def cancel_batch(self, batch_id: str) -> Record:
        """Stop a batch; it goes to `cancelling`, then `cancelled` with what was done kept."""
        return as_record(self._post(f"batches/{path_id(batch_id, 'batch_id')}/cancel"))


def check_waiting(wait: Any, poll_interval: Any, progress: Any) -> bool:
    """The waiting settings of the Batch API calls, checked before anything is sent; `wait`."""
    positive_number(poll_interval, "poll_interval", unit="seconds", optional=True)
    if progress is not None:
        boolean(progress, "progress")
    return boolean(wait, "wait")


def _batch_ids(batch_ids: Any) -> list[str]:
    expected = "a batch ID, a batch record, or a list of them"
    if isinstance(batch_ids, (str, dict)):
        items = [batch_ids]
    elif isinstance(batch_ids, Sequence) or _is_series(batch_ids):
        items = list(batch_ids)
    else:
        raise type_error("batch_ids", expected, batch_ids)
    ids: list[str] = []
    for item in items:
        batch_id = item.get("id") if isinstance(item, dict) else item
        if not isinstance(batch_id, str):
            raise type_error("batch_ids", expected, batch_id)
        ids.append(batch_id)
    if not ids or not all(i.strip() for i in ids):
        raise InvalidInputError(f"batch_ids is empty; pass {expected}")
    return ids


def _is_series(value: Any) -> bool:
    pandas = sys.modules.get("pandas")  # not loaded: the value cannot be a Series
    return pandas is not None and isinstance(value, pandas.Series)
