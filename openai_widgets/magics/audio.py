"""%openai audio transcribe|translate FILE [-m MODEL] [--language L]  /  %openai audio speak TEXT [--voice V]

FILE is a path or a variable holding a path, bytes, a file object or an IPython Audio.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ._media import show
from ._parsing import MagicArgumentParser, file_or_variable, text_or_variable

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "transcribe or translate an audio file (path or variable), or speak text aloud"

_FORMATS = (
    "json (the default) or text give the text, srt or vtt subtitles, verbose_json a DataFrame of segments"
)


def configure(parser: MagicArgumentParser) -> None:
    transcribe = parser.add_action("transcribe", "the text of an audio file")
    translate = parser.add_action("translate", "the English text of an audio file in another language")
    for action in (transcribe, translate):
        action.add_argument("file", nargs="+", metavar="FILE", help="a path, or a variable holding the audio")
        action.add_argument("-m", "--model", help="model (default: the %%config OpenAIMagics setting)")
        action.add_argument("--prompt", help="text that guides the style or spelling")
        action.add_argument("--format", help=_FORMATS)
    transcribe.add_argument("--language", help="the spoken language as an ISO-639-1 code, e.g. en")
    speak = parser.add_action("speak", "speak a text aloud: an inline player")
    speak.add_argument("text", nargs="+", metavar="TEXT", help="the text, or a variable holding it")
    speak.add_argument("-m", "--model", help="model (default: %%config OpenAIMagics.speech_model)")
    speak.add_argument("--voice", help="alloy (default), nova, onyx, ...")
    speak.add_argument("--format", help="mp3 (default), wav, opus, aac, flac or pcm")
    speak.add_argument("--speed", type=float, help="0.25 to 4 (1 is normal)")


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    client = magic.client()
    if args.action == "speak":
        speech = client.speak(
            text_or_variable(args.text, magic.user_ns),
            voice=args.voice or "alloy",
            model=args.model or magic.speech_model,
            format=args.format or "mp3",
            speed=args.speed,
        )
        return show(speech)
    if len(args.file) != 1:
        raise UsageError(f"%openai audio {args.action} takes one FILE; quote a path with spaces")
    file = file_or_variable(args.file[0], magic.user_ns, "FILE")
    if args.action == "transcribe":
        return client.transcribe(
            file,
            model=args.model or magic.transcription_model,
            language=args.language,
            prompt=args.prompt,
            response_format=args.format,
        )
    return client.translate(
        file, model=args.model or magic.translation_model, prompt=args.prompt, response_format=args.format
    )
