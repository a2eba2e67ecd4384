"""%openai stores [list | create NAME [--files PATHS...] | add ID PATHS... | files ID |
search ID QUERY [-k N] [--filter JSON] | delete ID]

PATHS are what `files=` takes (paths, folders, glob patterns, File IDs); a word that is no
existing path but names a variable (a DataFrame, a Series, a list of paths) is that
variable's value. `--filter` is JSON (or a Python literal) in the API's form or the short
form. `delete` asks nothing, as other deleting magics, but says which store it deleted.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files.filters import filter_from_text
from ._parsing import MagicArgumentParser, is_identifier

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = (
    "vector stores: list, create NAME [--files PATHS], add ID PATHS, files ID, search ID QUERY, delete ID"
)

_STORE_ID: dict[str, Any] = {"metavar": "STORE_ID", "help": "the vector store's ID (vs_...)"}
_PATHS_HELP = "files, folders, glob patterns, File IDs, or a variable holding a DataFrame"
_TEXT_COLUMN: dict[str, Any] = {
    "metavar": "COLUMN",
    "help": "the column of a DataFrame that holds the documents' text",
}
_STATUSES = ("in_progress", "completed", "failed", "cancelled")


def configure(parser: MagicArgumentParser) -> None:
    parser.add_action("list", "the vector stores as a DataFrame (the default action)", default=True)
    create = parser.add_action("create", "create a store, fill it and wait until it is indexed")
    create.add_argument("name", metavar="NAME", help="the store's name")
    create.add_argument("-f", "--files", nargs="+", metavar="PATHS", help=_PATHS_HELP)
    create.add_argument("--text-column", **_TEXT_COLUMN)
    add = parser.add_action("add", "add documents to a store; one row per document with its status")
    add.add_argument("store_id", **_STORE_ID)
    add.add_argument("paths", nargs="+", metavar="PATHS", help=_PATHS_HELP)
    add.add_argument("--text-column", **_TEXT_COLUMN)
    files = parser.add_action("files", "a store's files as a DataFrame, with their status")
    files.add_argument("store_id", **_STORE_ID)
    files.add_argument("--status", choices=_STATUSES, help="only files in this state")
    search = parser.add_action("search", "the chunks that best match QUERY, best first")
    search.add_argument("store_id", **_STORE_ID)
    search.add_argument("query", nargs="+", metavar="QUERY", help="the words to search for")
    search.add_argument(
        "-k", type=int, default=10, metavar="N", help="how many results, 1 to 50 (default 10)"
    )
    search.add_argument(
        "--filter",
        metavar="JSON",
        help='keep files by attribute: {"year": [">=", 2020], "lang": "en"} or the API\'s form',
    )
    parser.add_action("delete", "delete a store (its files stay in Files)").add_argument(
        "store_id", **_STORE_ID
    )


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.action == "list":
        return client.vector_stores()
    if args.action == "create":
        files = documents(args.files, magic.user_ns) if args.files else None
        return client.create_vector_store(args.name, files, text_column=args.text_column)
    if args.action == "add":
        paths = documents(args.paths, magic.user_ns)
        return client.add_vector_store_files(args.store_id, paths, text_column=args.text_column)
    if args.action == "files":
        return client.vector_store_files(args.store_id, status=args.status)
    if args.action == "search":
        filters = filter_from_text(args.filter, "--filter") if args.filter is not None else None
        return client.search_vector_store(args.store_id, " ".join(args.query), k=args.k, filters=filters)
    return _delete(client, args.store_id)


def documents(words: list[str], namespace: dict[str, Any]) -> list[Any]:
    """Each word as `files=` takes it: an existing path as written, else a variable's value when
    the word names one, else the word itself (a glob pattern or a File ID, checked later)."""
    return [
        namespace[word] if is_identifier(word) and word in namespace and not Path(word).exists() else word
        for word in words
    ]


def _delete(client: Any, store_id: str) -> Any:
    store = client.vector_store(store_id)
    deleted = client.delete_vector_store(store_id)
    name = f" {store.get('name')!r}" if store.get("name") else ""
    count = int((store.get("file_counts") or {}).get("total") or 0)
    print(
        f"deleted vector store {store_id}{name} ({count} file{'' if count == 1 else 's'}; the files stay "
        "in Files: %openai files delete FILE_ID removes one)"
    )
    return deleted
