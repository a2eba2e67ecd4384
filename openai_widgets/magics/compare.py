"""%openai compare -m MODEL1,MODEL2 --data VAR --template T --criteria VAR"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser, json_or_variable, text_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "compare models on a DataFrame: pass rates, mean score, tokens, cost, latency -> DataFrame"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument(
        "-m", "--models", required=True, help="the models, comma-separated: gpt-4o-mini,gpt-4o"
    )
    parser.add_argument("--data", required=True, metavar="VAR", help="a variable holding the DataFrame")
    parser.add_argument(
        "--template", required=True, help="the prompt, {column} from each row (quote it), or a variable"
    )
    parser.add_argument(
        "--criteria", required=True, metavar="VAR", help="a variable holding the graders, or their JSON"
    )
    parser.add_argument("--name", help="the eval's name")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    return magic.client().compare_models(
        magic.variable(args.data),
        [model.strip() for model in args.models.split(",") if model.strip()],
        text_or_variable([args.template], magic.user_ns),
        json_or_variable(args.criteria, magic.user_ns, "--criteria"),
        name=args.name,
    )
