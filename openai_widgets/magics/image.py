"""%openai image [-m MODEL] [-n N] [--size WxH] [--quality Q] [--style S] PROMPT"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._media import show
from ._parsing import MagicArgumentParser, text_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "generate images from a prompt; shows them as a gallery and returns an ImageResult"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("prompt", nargs="+", help="what to draw (or a variable holding the text)")
    parser.add_argument("-m", "--model", help="image model (default: %%config OpenAIMagics.image_model)")
    parser.add_argument("-n", type=int, default=1, help="how many images (1-10; dall-e-3: 1)")
    parser.add_argument("--size", help="WIDTHxHEIGHT, e.g. 512x512")
    parser.add_argument("--quality", help="standard/hd (dall-e-3), low/medium/high/auto (gpt-image-1)")
    parser.add_argument("--style", help="vivid or natural (dall-e-3 only)")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    prompt = text_or_variable(args.prompt, magic.user_ns)
    result = magic.client().generate_images(
        prompt,
        model=args.model or magic.image_model,
        n=args.n,
        size=args.size,
        quality=args.quality,
        style=args.style,
    )
    return show(result)
