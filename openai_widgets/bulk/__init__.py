"""The bulk engine: many requests in flight, paced by the rate limits, resumable.

`engine` runs the requests (see its docstring for how a job plugs in), `pacing` decides
when the next may go, `options` defines the options every bulk call takes (`BulkOptions`),
`resume` keeps the last stopped run of each call for `resume=True`, `rows` keeps a row
job's results by position, and `embedding_job` is one `embed()` call on the engine.
"""

from .engine import (
    DEFAULT_MAX_CONCURRENCY,
    MAX_RATE_LIMIT_WAITS,
    READING_SLOTS,
    BulkError,
    BulkInterrupted,
    BulkStats,
    Sender,
    attach_partial,
    bulk_error,
    check_settings,
    plan_batches,
    run,
)
from .options import BulkOptions

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "MAX_RATE_LIMIT_WAITS",
    "READING_SLOTS",
    "BulkError",
    "BulkInterrupted",
    "BulkOptions",
    "BulkStats",
    "Sender",
    "attach_partial",
    "bulk_error",
    "check_settings",
    "plan_batches",
    "run",
]
