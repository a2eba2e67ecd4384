"""%openai batches [list [--limit N] | get ID | results ID | cancel ID]"""

from __future__ import annotations

from IPython.core.error import UsageError

SUMMARY = "Batch API jobs: list them, show one, collect its results, or cancel it"

ACTIONS = ("list", "get", "results", "cancel")


def configure(parser) -> None:
    parser.add_argument(
        "action", nargs="?", default="list", help="list, get, results or cancel (default: list)"
    )
    parser.add_argument("batch_id", nargs="?", help="the batch ID (batch_...) for get, results and cancel")
    parser.add_argument("--limit", type=int, help="list at most N batches")


def run(magic, args, cell):
    if args.action not in ACTIONS:
        raise UsageError(f"%openai batches: unknown action {args.action!r}; use one of {', '.join(ACTIONS)}")
    client = magic.client()
    if args.action == "list":
        return client.batches(limit=args.limit)
    if not args.batch_id:
        raise UsageError(f"%openai batches {args.action} needs a batch ID (see %openai batches list)")
    if args.action == "get":
        return client.batch_job(args.batch_id)
    if args.action == "results":
        return client.batch_results(args.batch_id)
    return client.cancel_batch(args.batch_id)
