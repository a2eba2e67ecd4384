"""%openai files [list [--purpose P] | upload PATH --purpose P | get ID | content ID [--raw] | delete ID]"""

from __future__ import annotations

from IPython.core.error import UsageError

from ._parsing import text_or_variable

SUMMARY = "files: list [--purpose P], upload PATH|VARIABLE --purpose P, get ID, content ID, delete ID"

ACTIONS = ("list", "upload", "get", "content", "delete")


def configure(parser) -> None:
    parser.add_argument(
        "action", nargs="?", default="list", choices=ACTIONS, help="what to do (default: list)"
    )
    parser.add_argument(
        "target",
        nargs="?",
        help="a file ID (get, content, delete), or a path or DataFrame variable to upload",
    )
    parser.add_argument("-p", "--purpose", help="list: only this purpose; upload: fine-tune, batch, ...")
    parser.add_argument("--raw", action="store_true", help="content: the bytes instead of a DataFrame")


def run(magic, args, cell):
    client = magic.client()
    if args.action == "list":
        if args.target:
            raise UsageError(f"%openai files list takes no file ID (got {args.target!r}); use get ID")
        return client.files(purpose=args.purpose)
    if not args.target:
        what = "a path or a variable" if args.action == "upload" else "a file ID"
        raise UsageError(f"%openai files {args.action} needs {what}")
    if args.action == "upload":
        if not args.purpose:
            raise UsageError("%openai files upload needs --purpose (fine-tune, batch, assistants, ...)")
        return client.upload_file(text_or_variable([args.target], magic.user_ns), args.purpose)
    if args.action == "get":
        return client.file(args.target)
    if args.action == "delete":
        return client.delete_file(args.target)
    if args.raw:
        return client.file_content(args.target)
    return client.file_content(args.target, as_frame=True)
