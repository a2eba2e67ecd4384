"""%openai audio transcribe|translate FILE [-m MODEL] [--language L]  /  %openai audio speak TEXT [--voice V]

FILE is a path or a variable holding a path, bytes, a file object or an IPython Audio.
"""

from __future__ import annotations

from IPython.core.error import UsageError

from ._media import file_or_variable, show
from ._parsing import text_or_variable

SUMMARY = "transcribe or translate an audio file (path or variable), or speak text aloud"

ACTIONS = ("transcribe", "translate", "speak")
# Options that only make sense for some actions.
_ONLY = {
    "language": ("transcribe",),
    "voice": ("speak",),
    "speed": ("speak",),
    "prompt": ("transcribe", "translate"),
}


def configure(parser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="transcribe, translate (into English) or speak")
    parser.add_argument("target", nargs="+", help="FILE (a path or a variable) or, for speak, the TEXT")
    parser.add_argument("-m", "--model", help="model (default: the %%config OpenAIMagics setting)")
    parser.add_argument("--language", help="transcribe: the spoken language as an ISO-639-1 code, e.g. en")
    parser.add_argument("--prompt", help="transcribe/translate: text that guides the style or spelling")
    parser.add_argument(
        "--format",
        help="transcribe/translate: json (the default) or text give the text, srt or vtt subtitles, "
        "verbose_json a DataFrame of segments; speak: mp3 (default), wav, opus, aac, flac or pcm",
    )
    parser.add_argument("--voice", default=None, help="speak: alloy (default), nova, onyx, ...")
    parser.add_argument("--speed", type=float, help="speak: 0.25 to 4 (1 is normal)")


def run(magic, args, cell):
    for option, actions in _ONLY.items():
        if getattr(args, option) is not None and args.action not in actions:
            raise UsageError(f"--{option} is for {' and '.join(actions)}, not {args.action}")
    client = magic.client()
    if args.action == "speak":
        text = text_or_variable(args.target, magic.user_ns)
        speech = client.speak(
            text,
            voice=args.voice or "alloy",
            model=args.model or magic.speech_model,
            format=args.format or "mp3",
            speed=args.speed,
        )
        return show(speech)
    if len(args.target) != 1:
        raise UsageError(f"%openai audio {args.action} takes one FILE; quote a path with spaces")
    file = file_or_variable(magic, args.target[0], "FILE")
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
