"""%openai evals [list | get ID | create NAME --data VAR --criteria VAR |
run ID --data VAR --template T [-m MODEL] | runs ID | results ID RUN_ID | delete ID]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser, json_or_variable, text_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = (
    "evals: list, get ID, create NAME --data VAR --criteria VAR, run ID --data VAR --template T, "
    "runs ID, results ID RUN_ID, delete ID"
)

_EVAL_ID: dict[str, Any] = {"metavar": "EVAL_ID", "help": "the eval's ID (eval_...)"}
_DATA = "a variable holding the DataFrame (one row per item)"
_TEMPLATE = "the prompt, {column} from each row (quote it), or a variable holding it"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_action("list", "the evals as a DataFrame (the default action)", default=True)
    parser.add_action("get", "an eval's record").add_argument("eval_id", **_EVAL_ID)
    create = parser.add_action("create", "create an eval from a DataFrame and its criteria")
    create.add_argument("name", metavar="NAME", help="the eval's name")
    create.add_argument("--data", required=True, metavar="VAR", help=_DATA)
    create.add_argument(
        "--criteria", required=True, metavar="VAR", help="a variable holding the graders, or their JSON"
    )
    run = parser.add_action("run", "run a model over the data; returns the graded items")
    run.add_argument("eval_id", **_EVAL_ID)
    run.add_argument("--data", required=True, metavar="VAR", help=_DATA)
    run.add_argument("--template", required=True, help=_TEMPLATE)
    run.add_argument("-m", "--model", help="the model (default: %%config OpenAIMagics.chat_model)")
    run.add_argument("--name", help="the run's name")
    run.add_argument("--no-wait", action="store_true", help="return the run's record at once")
    parser.add_action("runs", "an eval's runs as a DataFrame").add_argument("eval_id", **_EVAL_ID)
    results = parser.add_action("results", "a run's graded items as a DataFrame")
    results.add_argument("eval_id", **_EVAL_ID)
    results.add_argument("run_id", metavar="RUN_ID", help="the run's ID (evalrun_...)")
    results.add_argument("--status", choices=("pass", "fail"), help="only the items that passed, or failed")
    parser.add_action("delete", "delete an eval and its runs").add_argument("eval_id", **_EVAL_ID)


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.action == "list":
        return client.evals()
    if args.action == "get":
        return client.eval(args.eval_id)
    if args.action == "create":
        criteria = json_or_variable(args.criteria, magic.user_ns, "--criteria")
        return client.create_eval(args.name, magic.variable(args.data), criteria=criteria)
    if args.action == "run":
        return client.run_eval(
            args.eval_id,
            magic.variable(args.data),
            args.model or magic.chat_model,
            template=text_or_variable([args.template], magic.user_ns),
            name=args.name,
            wait=not args.no_wait,
        )
    if args.action == "runs":
        return client.eval_runs(args.eval_id)
    if args.action == "results":
        return client.eval_results(args.eval_id, args.run_id, status=args.status)
    return client.delete_eval(args.eval_id)
