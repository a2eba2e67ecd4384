"""%openai image-edit IMAGE PROMPT [--mask MASK] [-m MODEL] [-n N] [--size WxH]"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._media import show
from ._parsing import MagicArgumentParser, file_or_variable, text_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "edit an image (a path or a variable) as the prompt says; shows and returns an ImageResult"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("image", help="a file path, or a variable holding a PIL image, bytes or a path")
    parser.add_argument("prompt", nargs="+", help="what to change (or a variable holding the text)")
    parser.add_argument("--mask", help="a PNG (path or variable) whose transparent area is to be edited")
    parser.add_argument("-m", "--model", help="model (default: %%config OpenAIMagics.image_edit_model)")
    parser.add_argument("-n", type=int, default=1, help="how many images (1-10)")
    parser.add_argument("--size", help="WIDTHxHEIGHT, e.g. 512x512")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    image = file_or_variable(args.image, magic.user_ns, "IMAGE")
    mask = None if args.mask is None else file_or_variable(args.mask, magic.user_ns, "MASK")
    result = magic.client().edit_image(
        image,
        text_or_variable(args.prompt, magic.user_ns),
        mask=mask,
        model=args.model or magic.image_edit_model,
        n=args.n,
        size=args.size,
    )
    return show(result)
