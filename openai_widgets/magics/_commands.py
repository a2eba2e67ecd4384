"""The %openai subcommands: name -> module in this package (imported when first used).

Each module has `SUMMARY` (one line for `%openai help`), `configure(parser)` to add
its arguments, and `run(magic, args, cell)` that calls one public function.
"""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "connect": "connect",
    "models": "models",
    "call": "call",
    "embed": "embed",
    "batches": "batches",
}
