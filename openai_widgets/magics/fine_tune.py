"""%openai fine-tune [create --training-file ID|PATH|VARIABLE [-m MODEL] [--method M] [--grader VAR]
[--suffix S] | list | get ID | pause ID | resume ID | cancel ID | events ID [--follow] | checkpoints ID |
delete MODEL]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser, file_or_variable, json_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = (
    "fine-tuning: create --training-file F [--method M], list, get ID, pause ID, resume ID, cancel ID, "
    "events ID [--follow], checkpoints ID"
)

_JOB_ID: dict[str, Any] = {"metavar": "JOB_ID", "help": "the job's ID (ftjob-...)"}


def configure(parser: MagicArgumentParser) -> None:
    create = parser.add_action("create", "start a fine-tuning job; returns its record")
    create.add_argument(
        "-t",
        "--training-file",
        required=True,
        help="a file ID, a JSONL path, or a DataFrame variable of examples",
    )
    create.add_argument("-v", "--validation-file", help="like --training-file, for validation data")
    create.add_argument(
        "-m", "--model", help="the base model (default: %%config OpenAIMagics.fine_tune_model)"
    )
    create.add_argument(
        "--method",
        choices=("supervised", "dpo", "reinforcement"),
        help="the training method (default supervised)",
    )
    create.add_argument(
        "--grader", metavar="VAR", help="reinforcement: a variable holding the grader, or its JSON"
    )
    create.add_argument("-s", "--suffix", help="up to 64 characters added to the model name")
    create.add_argument("--epochs", type=int, help="number of epochs (default: auto)")
    create.add_argument("--seed", type=int, help="seed for reproducible training")
    parser.add_action("list", "the jobs as a DataFrame (the default action)", default=True)
    parser.add_action("get", "a job's record").add_argument("job_id", **_JOB_ID)
    parser.add_action("pause", "pause a running job").add_argument("job_id", **_JOB_ID)
    parser.add_action("resume", "resume a paused job").add_argument("job_id", **_JOB_ID)
    parser.add_action("cancel", "cancel a job").add_argument("job_id", **_JOB_ID)
    events = parser.add_action("events", "a job's events as a DataFrame")
    events.add_argument("job_id", **_JOB_ID)
    events.add_argument("-f", "--follow", action="store_true", help="show live progress until the job ends")
    parser.add_action("checkpoints", "a job's checkpoints as a DataFrame").add_argument("job_id", **_JOB_ID)
    delete = parser.add_action("delete", "delete a fine-tuned model")
    delete.add_argument("model", metavar="MODEL", help="the fine-tuned model's ID (ft:...)")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.action == "create":
        return _create(magic, client, args)
    if args.action == "list":
        return client.fine_tuning_jobs()
    if args.action == "get":
        return client.fine_tuning_job(args.job_id)
    if args.action == "pause":
        return client.pause_fine_tuning(args.job_id)
    if args.action == "resume":
        return client.resume_fine_tuning(args.job_id)
    if args.action == "cancel":
        return client.cancel_fine_tuning(args.job_id)
    if args.action == "events":
        return client.fine_tuning_events(args.job_id, follow=args.follow)
    if args.action == "checkpoints":
        return client.fine_tuning_checkpoints(args.job_id)
    return client.delete_model(args.model)


def _create(magic: OpenAIMagics, client: Any, args: argparse.Namespace) -> Any:
    validation = None
    if args.validation_file:
        validation = file_or_variable(args.validation_file, magic.user_ns, "--validation-file")
    grader = json_or_variable(args.grader, magic.user_ns, "--grader") if args.grader else None
    return client.fine_tune(
        file_or_variable(args.training_file, magic.user_ns, "--training-file"),
        model=args.model or magic.fine_tune_model,
        method=args.method or ("reinforcement" if grader is not None else "supervised"),
        grader=grader,
        validation=validation,
        suffix=args.suffix,
        seed=args.seed,
        hyperparameters={"n_epochs": args.epochs} if args.epochs is not None else None,
    )
