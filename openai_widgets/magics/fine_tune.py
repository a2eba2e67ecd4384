"""%openai fine-tune [create --training-file ID|PATH|VARIABLE [-m MODEL] [--suffix S] | list | get ID |
cancel ID | events ID [--follow] | checkpoints ID | delete MODEL]"""

from __future__ import annotations

from IPython.core.error import UsageError

from ._parsing import text_or_variable

SUMMARY = (
    "fine-tuning: create --training-file F, list, get ID, cancel ID, events ID [--follow], checkpoints ID"
)

ACTIONS = ("create", "list", "get", "cancel", "events", "checkpoints", "delete")


def configure(parser) -> None:
    parser.add_argument(
        "action", nargs="?", default="list", choices=ACTIONS, help="what to do (default: list)"
    )
    parser.add_argument(
        "target", nargs="?", help="a job ID (get, cancel, events, checkpoints) or a model (delete)"
    )
    parser.add_argument(
        "-t", "--training-file", help="create: a file ID, a JSONL path, or a DataFrame variable of examples"
    )
    parser.add_argument("-v", "--validation-file", help="create: like --training-file, for validation data")
    parser.add_argument(
        "-m", "--model", help="create: the base model (default: %%config OpenAIMagics.fine_tune_model)"
    )
    parser.add_argument("-s", "--suffix", help="create: up to 64 characters added to the model name")
    parser.add_argument("--epochs", type=int, help="create: number of epochs (default: auto)")
    parser.add_argument("--seed", type=int, help="create: seed for reproducible training")
    parser.add_argument(
        "-f", "--follow", action="store_true", help="events: show live progress until the job ends"
    )


def run(magic, args, cell):
    client = magic.client()
    if args.action == "create":
        return _create(magic, client, args)
    if args.action == "list":
        return client.fine_tuning_jobs()
    if not args.target:
        what = "a model ID (ft:...)" if args.action == "delete" else "a job ID (ftjob-...)"
        raise UsageError(f"%openai fine-tune {args.action} needs {what}")
    if args.action == "get":
        return client.fine_tuning_job(args.target)
    if args.action == "cancel":
        return client.cancel_fine_tuning(args.target)
    if args.action == "events":
        return client.fine_tuning_events(args.target, follow=args.follow)
    if args.action == "checkpoints":
        return client.fine_tuning_checkpoints(args.target)
    return client.delete_model(args.target)


def _create(magic, client, args):
    if not args.training_file:
        raise UsageError(
            "%openai fine-tune create needs --training-file (a file ID, a JSONL path or a DataFrame)"
        )
    if args.target:
        raise UsageError(f"%openai fine-tune create takes its data from --training-file, not {args.target!r}")
    validation = None
    if args.validation_file:
        validation = text_or_variable([args.validation_file], magic.user_ns)
    return client.fine_tune(
        text_or_variable([args.training_file], magic.user_ns),
        model=args.model or magic.fine_tune_model,
        validation_file=validation,
        suffix=args.suffix,
        seed=args.seed,
        hyperparameters={"n_epochs": args.epochs} if args.epochs is not None else None,
    )
