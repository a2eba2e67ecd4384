"""%openai image-variation IMAGE [-n N] [--size WxH] [-m MODEL]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._media import show
from ._parsing import MagicArgumentParser, file_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "variations of an image (a path or a variable); shows and returns an ImageResult"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("image", help="a file path, or a variable holding a PIL image, bytes or a path")
    parser.add_argument("-n", type=int, default=1, help="how many variations (1-10)")
    parser.add_argument("--size", help="256x256, 512x512 or 1024x1024")
    parser.add_argument("-m", "--model", help="model (default: %%config OpenAIMagics.image_edit_model)")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    image = file_or_variable(args.image, magic.user_ns, "IMAGE")
    result = magic.client().image_variations(
        image, n=args.n, size=args.size, model=args.model or magic.image_edit_model
    )
    return show(result)
