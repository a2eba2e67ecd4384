"""%openai responses get ID | delete ID | cancel ID | items ID"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "stored responses: get ID, delete ID, cancel ID (background), items ID (their input)"

_RESPONSE_ID: dict[str, Any] = {"metavar": "RESPONSE_ID", "help": "the response's ID (resp_...)"}


def configure(parser: MagicArgumentParser) -> None:
    parser.add_action("get", "a stored response").add_argument("response_id", **_RESPONSE_ID)
    parser.add_action("delete", "delete a stored response").add_argument("response_id", **_RESPONSE_ID)
    parser.add_action("cancel", "cancel a background response").add_argument("response_id", **_RESPONSE_ID)
    items = parser.add_action("items", "the input items of a response, as a DataFrame")
    items.add_argument("response_id", **_RESPONSE_ID)


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.action == "get":
        return client.response(args.response_id)
    if args.action == "delete":
        return client.delete_response(args.response_id)
    if args.action == "cancel":
        return client.cancel_response(args.response_id)
    return client.response_input_items(args.response_id)
