"""%%openai chat [-m MODEL] [-s SYSTEM] [-t TEMPERATURE] [--max-tokens N] [--no-stream] [--new]
[--json] [--image VAR]

The cell is the message. Cells continue the notebook's current conversation (kept by
the magic) until `--new` starts another; `-s` sets its system message. The reply streams
into the cell unless `--no-stream` (or `%config OpenAIMagics.stream = False`); the
result is a ChatResult. `--json` asks for a JSON reply and returns it parsed (a list of
records as a DataFrame); it is not streamed, as JSON is only useful whole.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from .._chat.vision import image_part
from .._conversation import Conversation
from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "chat with a model; the cell is your message and the conversation continues until --new"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("message", nargs="*", help="the message, when not given in the cell")
    parser.add_argument("-m", "--model", help="model ID (default: %%config OpenAIMagics.chat_model)")
    parser.add_argument("-s", "--system", help="the conversation's system message")
    parser.add_argument("-t", "--temperature", type=float, help="0 to 2; lower is more focused")
    parser.add_argument("--max-tokens", type=int, help="at most this many tokens in the reply")
    streaming = parser.add_mutually_exclusive_group()
    streaming.add_argument(
        "--no-stream", dest="stream", action="store_false", default=None, help="show the reply once complete"
    )
    streaming.add_argument(
        "--stream", dest="stream", action="store_true", default=None, help="stream the reply"
    )
    parser.add_argument("--new", action="store_true", help="start a new conversation")
    parser.add_argument("--json", action="store_true", help="ask for JSON and return it parsed")
    parser.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="VAR",
        help="a variable holding an image, path or URL (repeatable)",
    )


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    content = _content(magic, args, cell)
    conversation = _conversation(magic, args)
    conversation.client = magic.client()
    settings = {"temperature": args.temperature, "max_completion_tokens": args.max_tokens}
    if args.json:
        settings["response_format"] = {"type": "json_object"}
    stream = (magic.stream if args.stream is None else args.stream) and not args.json
    model = args.model or magic.chat_model
    result = conversation.ask(content, stream=stream, model=model, **settings)
    return result.data if args.json else result


def _conversation(magic, args) -> Conversation:
    """The notebook's current conversation (a new one with --new or at first use)."""
    conversation = getattr(magic, "chat_conversation", None)
    if args.new or conversation is None:
        conversation = Conversation()
        magic.chat_conversation = conversation
    if args.system is not None:
        conversation.system = args.system
    return conversation


def _content(magic, args, cell):
    text = cell if cell is not None and cell.strip() else " ".join(args.message)
    images = []
    for name in args.image:
        value = magic.variable(name)
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        for number, item in enumerate(items):
            where = f"--image {name}" + (f"[{number}]" if len(items) > 1 else "")
            images.append(image_part(item, where))
    if not text.strip() and not images:
        raise UsageError("write your message in the cell under %%openai chat (or after it on the line)")
    if not images:
        return text
    return ([{"type": "text", "text": text}] if text.strip() else []) + images
