"""%%openai respond [-m MODEL] [-i INSTRUCTIONS] [--tools LIST] [--schema VAR]
[--continue | --conversation ID] [--background] [--no-stream] [--attach VAR]

The cell is the message, sent through the Responses API; the result is a `Response`.
`--tools` takes a comma-separated list: web_search, file_search:VS_ID (one per store),
code_interpreter, image_generation, and names of variables holding Python functions (or
lists of them, or tool dicts). `--schema VAR` names a class (Pydantic, dataclass,
TypedDict) or a JSON schema dict: the answer's `.parsed` is of it. `--continue` carries on
from the last `%%openai respond` of the notebook (previous_response_id); `--conversation ID`
carries on a server-side conversation. The reply streams unless `--no-stream`
(`%config OpenAIMagics.stream`), `--schema` or `--background` (which returns at once:
`.wait()` on the result).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ._parsing import MagicArgumentParser, is_identifier

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "ask through the Responses API: built-in and Python tools, --schema for typed answers"
BUILT_IN = ("web_search", "code_interpreter", "image_generation")


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("message", nargs="*", help="the message, when not given in the cell")
    parser.add_argument("-m", "--model", help="model ID (default: %%config OpenAIMagics.respond_model)")
    parser.add_argument("-i", "--instructions", help="the system instructions of this request")
    parser.add_argument(
        "--tools",
        metavar="LIST",
        help="comma-separated: web_search, file_search:VS_ID, code_interpreter, image_generation, "
        "or variables holding Python functions",
    )
    parser.add_argument("--schema", metavar="VAR", help="a variable holding a class or a JSON schema dict")
    thread = parser.add_mutually_exclusive_group()
    thread.add_argument(
        "--continue",
        dest="continue_",
        action="store_true",
        help="continue from the last %%%%openai respond of this notebook",
    )
    thread.add_argument("--conversation", metavar="ID", help="continue a conversation kept on the server")
    parser.add_argument("--background", action="store_true", help="run in the background; .wait() for it")
    streaming = parser.add_mutually_exclusive_group()
    streaming.add_argument(
        "--no-stream", dest="stream", action="store_false", default=None, help="show the reply once complete"
    )
    streaming.add_argument(
        "--stream", dest="stream", action="store_true", default=None, help="stream the reply"
    )
    parser.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="VAR",
        help="a variable holding an image, a path or a File ID (or a list of them); repeatable",
    )


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    content = _content(magic, args, cell)
    tools, stores = _tools(magic, args.tools)
    schema = magic.variable(args.schema) if args.schema else None
    previous = None
    if args.continue_:
        last = magic.respond_last
        if last is None or not last.id:
            raise UsageError("there is no earlier %%openai respond in this notebook to continue")
        previous = last.id
    stream = (magic.stream if args.stream is None else args.stream) and schema is None and not args.background
    result = magic.client().respond(
        content,
        model=args.model or magic.respond_model,
        instructions=args.instructions,
        tools=tools or None,
        vector_store_ids=stores or None,
        text_format=schema,
        conversation=args.conversation,
        previous_response_id=previous,
        stream=stream,
        background=args.background,
    )
    magic.respond_last = result
    return result


def _content(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    text = cell if cell is not None and cell.strip() else " ".join(args.message)
    attached: list[Any] = []
    for name in args.attach:
        value = magic.variable(name)
        attached += list(value) if isinstance(value, (list, tuple)) else [value]
    if not text.strip() and not attached:
        raise UsageError("write your message in the cell under %%openai respond (or after it on the line)")
    if not attached:
        return text
    return ([text] if text.strip() else []) + attached


def _tools(magic: OpenAIMagics, spec: str | None) -> tuple[list[Any], list[str]]:
    """The --tools list: built-in names, file_search:ID stores, and variables holding tools."""
    tools: list[Any] = []
    stores: list[str] = []
    for word in [w.strip() for w in (spec or "").split(",") if w.strip()]:
        name, _, store = word.partition(":")
        if name == "file_search":
            if not store:
                raise UsageError("file_search needs a vector store: --tools file_search:vs_...")
            stores.append(store)
        elif word in BUILT_IN:
            tools.append(word)
        elif is_identifier(word) and word in magic.user_ns:
            value = magic.user_ns[word]
            tools += list(value) if isinstance(value, (list, tuple)) else [value]
        else:
            raise UsageError(
                f"--tools: {word!r} is neither a built-in tool ({', '.join(BUILT_IN)}, file_search:VS_ID) "
                "nor a variable of the notebook"
            )
    return tools, stores
