"""%openai files [list [--purpose P] | upload PATH --purpose P | get ID | content ID [--raw] | delete ID]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser, file_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "files: list [--purpose P], upload PATH|VARIABLE --purpose P, get ID, content ID, delete ID"


_FILE_ID: dict[str, Any] = {"metavar": "FILE_ID", "help": "the file's ID (file-...)"}


def configure(parser: MagicArgumentParser) -> None:
    listing = parser.add_action("list", "the files as a DataFrame (the default action)", default=True)
    listing.add_argument("-p", "--purpose", help="only files of this purpose (fine-tune, batch, ...)")
    upload = parser.add_action("upload", "upload a file; returns its record")
    upload.add_argument(
        "source", metavar="PATH", help="a path, or a variable holding a DataFrame, bytes or a path"
    )
    upload.add_argument("-p", "--purpose", required=True, help="fine-tune, batch, assistants, vision, ...")
    parser.add_action("get", "a file's record").add_argument("file_id", **_FILE_ID)
    content = parser.add_action("content", "a file's rows as a DataFrame (JSONL or CSV), or its bytes")
    content.add_argument("file_id", **_FILE_ID)
    content.add_argument("--raw", action="store_true", help="the bytes instead of a DataFrame")
    parser.add_action("delete", "delete a file").add_argument("file_id", **_FILE_ID)


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.action == "list":
        return client.files(purpose=args.purpose)
    if args.action == "upload":
        return client.upload_file(file_or_variable(args.source, magic.user_ns, "PATH"), args.purpose)
    if args.action == "get":
        return client.file(args.file_id)
    if args.action == "delete":
        return client.delete_file(args.file_id)
    if args.raw:
        return client.file_content(args.file_id)
    return client.file_content(args.file_id, as_frame=True)
