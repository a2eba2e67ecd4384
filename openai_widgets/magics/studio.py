"""%openai studio [PANEL]"""

from __future__ import annotations

SUMMARY = "every module in one tabbed widget; PANEL picks the tab (chat, images, fine-tuning, ...)"


def configure(parser) -> None:
    parser.add_argument("panel", nargs="?", help="the tab to open on (default: Models, or Connection)")


def run(magic, args, cell):
    from ..widgets._front import studio

    try:
        return studio(args.panel)
    except ValueError as exc:
        from IPython.core.error import UsageError

        raise UsageError(str(exc)) from None
