"""The bulk engine: as many requests in flight as the rate limit allows, paced, resumable.

`engine` runs the requests (its docstring says how a job plugs in), `pacing` decides how
many may be in flight and when the next may go, `reading` reads answers as they arrive,
`errors` is what a stopped run leaves, `options` the options every bulk call takes,
`rows` keeps a row job's results by position, `embedding_job` is one `embed()` call, and
`batch_api` runs the same work through the Batch API.
"""

from .engine import MAX_RATE_LIMIT_WAITS, SAFETY_CAP, Job, check_settings, run
from .errors import BulkError, BulkInterrupted, BulkStats, attach_partial, bulk_error
from .options import BulkOptions
from .planning import Batch, plan_batches
from .reading import JSONReader, Reader

__all__ = [
    "MAX_RATE_LIMIT_WAITS",
    "SAFETY_CAP",
    "Batch",
    "BulkError",
    "BulkInterrupted",
    "BulkOptions",
    "BulkStats",
    "JSONReader",
    "Job",
    "Reader",
    "attach_partial",
    "bulk_error",
    "check_settings",
    "plan_batches",
    "run",
]
