"""The %openai subcommands: name -> module in this package (imported when first used).

Each module has `SUMMARY` (one line for `%openai help`), `configure(parser)` to add
its arguments, and `run(magic, args, cell)` that calls one public function.
"""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "connect": "connect",
    "models": "models",
    "call": "call",
    "studio": "studio",
    "files": "files",
    "fine-tune": "fine_tune",
    "chat": "chat",
    "edit": "edit",
    "complete": "complete",
    "moderate": "moderate",
    "image": "image",
    "image-edit": "image_edit",
    "image-variation": "image_variation",
    "audio": "audio",
    "embed": "embed",
    "batches": "batches",
}
