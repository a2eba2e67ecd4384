"""The Batch API as a service: write and upload batch files, create batches, wait, join the answers.

`batch()`, `embed(..., batch=True)` and `chat_map(..., batch=True)` all run through
`BatchService`: request lines are split into files within the Batch API's limits
(50,000 requests and 200 MB each), each file is uploaded with purpose "batch" and gets
its batch, the batches are polled with a progress bar until they end, and the output and
error files are read back into one row per request, in input order.

The service talks to the server only through the client's public calls (`upload_file`,
`request`, `file_content`, `sleep`), typed as the `BatchClient` protocol, so it stands
below the API areas that use it. Every answer read back goes into the session's usage
ledger at the Batch API's price (once: reading the same results again adds nothing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .._core.arguments import type_error
from .._core.errors import APIResponseValidationError, InvalidInputError
from .._core.paths import path_id
from .._costs import ledger
from .._tables.records import Record
from .errors import BulkInterrupted, BulkStats

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ENDPOINTS",
    "BatchClient",
    "BatchPlan",
    "BatchService",
    "endpoint_url",
    "request_lines",
    "results_frame",
    "split_lines",
]

ENDPOINTS = (
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
)
MAX_REQUESTS = 50_000  # requests per batch file
MAX_FILE_BYTES = 200 * 1000 * 1000  # 200 MB per batch file (decimal, to stay inside either reading)
MAX_EMBEDDING_INPUTS = 50_000  # embedding inputs per batch, over all its requests
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
FIRST_POLL = 0.25  # seconds; polls then slow down by half each time, up to MAX_POLL
MAX_POLL = 30.0


class BatchClient(Protocol):
    """What the service needs of a client: public calls only."""

    def upload_file(self, file: Any, purpose: str, *, filename: str | None = None) -> Record: ...

    def request(
        self, method: str, path: str, *, headers: Any = None, query: Any = None, body: Any = None
    ) -> Any: ...

    def file_content(self, file_id: str) -> Any: ...

    def sleep(self, seconds: float) -> None: ...


@dataclass
class BatchPlan:
    """The requests of one batch file: its bytes and the custom IDs it holds, in order."""

    content: bytes
    custom_ids: list[str]


class BatchService:
    """The Batch API steps every batch job shares, on one client."""

    def __init__(self, client: BatchClient) -> None:
        self.client = client

    def submit(
        self, plans: list[BatchPlan], url: str, *, metadata: dict[str, str] | None = None
    ) -> list[Record]:
        """Upload each planned file (purpose "batch") and create its batch."""
        records = []
        for number, plan in enumerate(plans):
            upload = self.client.upload_file(plan.content, "batch", filename=f"batch-{number + 1}.jsonl")
            body: dict[str, Any] = {
                "input_file_id": upload["id"],
                "endpoint": url,
                "completion_window": "24h",
            }
            if metadata:
                body["metadata"] = metadata
            records.append(self.client.request("POST", "batches", body=body))
        return records

    def record(self, batch_id: str) -> Record:
        return self.client.request("GET", f"batches/{path_id(batch_id, 'batch_id')}")

    def wait(
        self,
        ids: list[str],
        *,
        total: int | None,
        poll_interval: float | None = None,
        progress: bool | None = None,
        description: str = "batch",
    ) -> list[Record]:
        """Poll until every batch has ended, with a progress bar of requests done."""
        records = {batch_id: self.record(batch_id) for batch_id in ids}
        interval = poll_interval or FIRST_POLL
        bar = _bar(progress, total, description)
        try:
            while True:
                _show(bar, records.values())
                if all(r.get("status") in TERMINAL for r in records.values()):
                    return list(records.values())
                self.client.sleep(interval)
                if poll_interval is None:
                    interval = min(interval * 1.5, MAX_POLL)
                for batch_id, record in records.items():
                    if record.get("status") not in TERMINAL:
                        records[batch_id] = self.record(batch_id)
        except KeyboardInterrupt:
            listed = ", ".join(repr(i) for i in ids)
            raise BulkInterrupted(
                f"stopped waiting; the batches keep running on the server. Collect them later with "
                f"ow.batch_results([{listed}]), or stop them with ow.cancel_batch(id).",
                done=[],
                total=total or 0,
                stats=BulkStats(),
            ) from None
        finally:
            if bar is not None:
                bar.close()

    def assemble(self, records: list[Record], order: list[str]) -> list[dict[str, Any]]:
        """One row per custom ID in `order`, from the batches' output and error files."""
        found: dict[str, dict[str, Any]] = {}
        for record in records:
            for key in ("output_file_id", "error_file_id"):
                if record.get(key):
                    for row in _output_rows(self.file_bytes(record[key])):
                        found[row["custom_id"]] = row
                        self._record_usage(record, row)
        owner = self._owners(records, order)
        return [found.get(custom_id) or _missing_row(custom_id, owner.get(custom_id)) for custom_id in order]

    def _record_usage(self, record: Record, row: dict[str, Any]) -> None:
        body = row.get("response")
        if row.get("error") is None and isinstance(body, dict):
            endpoint = str(record.get("endpoint") or "")
            ledger.record(
                self.client,
                endpoint,
                body.get("model"),
                body.get("usage"),
                request_id=row.get("request_id"),
                batch=True,
            )

    def input_order(self, records: list[Record]) -> list[str]:
        """The custom IDs of the batches' input files, in order."""
        order: list[str] = []
        for record in records:
            order += _custom_ids(self.file_bytes(record["input_file_id"]))
        return order

    def file_bytes(self, file_id: str) -> bytes:
        content = self.client.file_content(file_id)
        return content if isinstance(content, bytes) else bytes(content)

    def _owners(self, records: list[Record], order: list[str]) -> dict[str, Record]:
        """Which batch each custom ID went in (needed only to explain rows without an answer)."""
        if len(records) == 1:
            return dict.fromkeys(order, records[0])
        owners: dict[str, Record] = {}
        for record in records:
            for custom_id in _custom_ids(self.file_bytes(record["input_file_id"])):
                owners[custom_id] = record
        return owners


# -- writing the input files -------------------------------------------------------------


def endpoint_url(endpoint: Any) -> str:
    """`chat/completions`, `/chat/completions` or `/v1/chat/completions` -> `/v1/chat/completions`."""
    if not isinstance(endpoint, str):
        raise type_error("endpoint", "a string like '/v1/chat/completions'", endpoint)
    path = "/" + endpoint.strip().strip("/")
    url = path if path.startswith("/v1/") else "/v1" + path
    if url not in ENDPOINTS:
        raise InvalidInputError(f"the Batch API does not run {endpoint!r}; use one of {', '.join(ENDPOINTS)}")
    return url


def request_lines(requests: Any, url: str) -> list[dict[str, Any]]:
    """Batch input lines: bodies get `request-N` custom IDs; full lines are checked."""
    import pandas as pd

    if isinstance(requests, pd.Series):
        requests = requests.tolist()
    if isinstance(requests, (str, bytes, dict)) or not isinstance(requests, Sequence):
        raise type_error("requests", "a list of request bodies (dicts)", requests)
    if not requests:
        raise InvalidInputError("requests is empty; pass at least one request body")
    lines = [_line(position, item, url) for position, item in enumerate(requests)]
    seen: set[str] = set()
    for position, line in enumerate(lines):
        if line["custom_id"] in seen:
            raise InvalidInputError(
                f"request {position} repeats custom_id {line['custom_id']!r}; make them unique"
            )
        seen.add(line["custom_id"])
    return lines


def _line(position: int, item: Any, url: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise type_error(f"request {position}", "a dict (a request body)", item)
    if "body" not in item:
        return {"custom_id": f"request-{position}", "method": "POST", "url": url, "body": item}
    custom_id = item.get("custom_id")
    if custom_id is not None and not isinstance(custom_id, str):
        raise type_error(f"request {position}'s custom_id", "a string", custom_id)
    if not custom_id:
        raise InvalidInputError(f"request {position} is a full batch line but has no custom_id text")
    if item.get("url", url) != url:
        raise InvalidInputError(f"request {position} is for {item.get('url')!r}, but the batch runs {url}")
    return {"custom_id": custom_id, "method": item.get("method", "POST"), "url": url, "body": item["body"]}


def split_lines(
    lines: list[dict[str, Any]],
    *,
    weights: Sequence[int] | None = None,
    max_weight: int | None = None,
    max_requests: int | None = None,
    max_bytes: int | None = None,
) -> list[BatchPlan]:
    """JSONL files of at most `max_requests` lines, `max_bytes` bytes and `max_weight` summed weights.

    The defaults are the Batch API's limits: 50,000 requests and 200 MB per file.
    """
    max_requests = MAX_REQUESTS if max_requests is None else max_requests
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    plans: list[BatchPlan] = []
    chunks: list[bytes] = []
    ids: list[str] = []
    size = weight = 0
    for position, line in enumerate(lines):
        data = json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        if len(data) > max_bytes:
            raise InvalidInputError(
                f"request {position} alone is over {max_bytes:,} bytes; the Batch API refuses it"
            )
        cost = weights[position] if weights is not None else 0
        full = len(ids) >= max_requests or size + len(data) > max_bytes
        if max_weight is not None and weight + cost > max_weight:
            full = True
        if full and ids:
            plans.append(BatchPlan(b"".join(chunks), ids))
            chunks, ids, size, weight = [], [], 0, 0
        chunks.append(data)
        ids.append(line["custom_id"])
        size += len(data)
        weight += cost
    if ids:
        plans.append(BatchPlan(b"".join(chunks), ids))
    return plans


# -- reading the output files ------------------------------------------------------------


def _jsonl(content: bytes) -> list[Any]:
    items = []
    for number, line in enumerate(content.splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except ValueError:
                raise APIResponseValidationError(f"line {number} of a batch file is not JSON") from None
    return items


def _custom_ids(content: bytes) -> list[Any]:
    """The `custom_id` of each request line, as the file has it (the files made here have a text in each)."""
    return [item.get("custom_id") for item in _jsonl(content) if isinstance(item, dict)]


def _output_rows(content: bytes) -> list[dict[str, Any]]:
    """Output or error file lines -> {custom_id, status_code, response, error}."""
    rows = []
    for item in _jsonl(content):
        if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
            continue
        response = item.get("response")
        if not isinstance(response, dict):
            response = {}
        status = response.get("status_code")
        body = response.get("body")
        request_id = response.get("request_id")
        rows.append(
            {
                "custom_id": item["custom_id"],
                "status_code": status if isinstance(status, int) else None,
                "response": body,
                "error": _error_text(item.get("error"), status, body),
                "request_id": request_id if isinstance(request_id, str) else None,
            }
        )
    return rows


def _error_text(error: Any, status: Any, body: Any) -> str | None:
    if isinstance(error, dict) and (error.get("message") or error.get("code")):
        code = f"{error['code']}: " if error.get("code") else ""
        return f"{code}{error.get('message') or ''}".strip()
    if isinstance(status, int) and status >= 400:
        detail = body.get("error") if isinstance(body, dict) else None
        message = detail.get("message") if isinstance(detail, dict) else None
        return f"{status}: {message or 'the request failed'}"
    return None


def _missing_row(custom_id: str, record: Record | None) -> dict[str, Any]:
    status = record.get("status") if record else "unknown"
    if record is not None and status in TERMINAL:  # status is "unknown" without a record
        reason = f"not processed: batch {record['id']} ended {status}"
        errors = (record.get("errors") or {}).get("data") if record else None
        if errors:
            reason += f" ({errors[0].get('message')})"
    else:
        reason = f"pending: batch {record['id'] if record else '?'} is {status}"
    return {"custom_id": custom_id, "status_code": None, "response": None, "error": reason}


def results_frame(rows: list[dict[str, Any]], index: Any) -> pd.DataFrame:
    from .._tables.frames import batch_results_frame

    return batch_results_frame(rows, index)


# -- progress ----------------------------------------------------------------------------


def _bar(progress: bool | None, total: int | None, description: str) -> Any:
    if progress is False:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="request")


def _show(bar: Any, records: Any) -> None:
    if bar is None:
        return
    records = list(records)
    counts = [r.get("request_counts") or {} for r in records]
    total = sum(c.get("total") or 0 for c in counts)
    if total and (bar.total or 0) < total:
        bar.total = total
    bar.n = sum((c.get("completed") or 0) + (c.get("failed") or 0) for c in counts)
    statuses = sorted({str(r.get("status")) for r in records})
    bar.set_postfix_str(", ".join(statuses), refresh=False)
    bar.refresh()
