"""%openai conversations create [--items VAR] [--metadata JSON] | get ID | items ID
| update ID --metadata JSON | delete ID"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .._core.json_text import parse_json
from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "conversations kept on the server: create, get ID, items ID, update ID --metadata, delete ID"

_CONVERSATION_ID: dict[str, Any] = {"metavar": "CONVERSATION_ID", "help": "the conversation's ID (conv_...)"}
_METADATA_HELP = 'a JSON object of up to 16 text pairs, e.g. \'{"topic": "travel"}\''


def configure(parser: MagicArgumentParser) -> None:
    create = parser.add_action("create", "start a conversation; returns its record")
    create.add_argument("--items", metavar="VAR", help="a variable holding its first messages or items")
    create.add_argument("--metadata", metavar="JSON", help=_METADATA_HELP)
    parser.add_action("get", "a conversation's record").add_argument("conversation_id", **_CONVERSATION_ID)
    items = parser.add_action("items", "a conversation's items, oldest first, as a DataFrame")
    items.add_argument("conversation_id", **_CONVERSATION_ID)
    update = parser.add_action("update", "replace a conversation's metadata")
    update.add_argument("conversation_id", **_CONVERSATION_ID)
    update.add_argument("--metadata", metavar="JSON", required=True, help=_METADATA_HELP)
    delete = parser.add_action("delete", "delete a conversation")
    delete.add_argument("conversation_id", **_CONVERSATION_ID)


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.action == "create":
        items = magic.variable(args.items) if args.items else None
        return client.create_conversation(items, parse_json(args.metadata, "--metadata", object_only=True))
    if args.action == "get":
        return client.conversation(args.conversation_id)
    if args.action == "items":
        return client.conversation_items(args.conversation_id)
    if args.action == "update":
        return client.update_conversation(
            args.conversation_id, parse_json(args.metadata, "--metadata", object_only=True)
        )
    return client.delete_conversation(args.conversation_id)
