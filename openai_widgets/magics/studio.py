"""%openai studio [PANEL]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "every module in one tabbed widget; PANEL picks the tab (chat, images, fine-tuning, ...)"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("panel", nargs="?", help="the tab to open on (default: Models, or Connection)")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    from ..widgets._front import studio

    try:
        return studio(args.panel)
    except ValueError as exc:
        from IPython.core.error import UsageError

        raise UsageError(str(exc)) from None
