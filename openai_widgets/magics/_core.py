"""`OpenAIMagics`: the %openai line magic and %%openai cell magic.

The first word picks a subcommand (see `_commands`); the rest is parsed by that
subcommand's argparse parser (and, for one with actions, the action's). Every
subcommand takes `-o/--out NAME`. `{name}` in the arguments and the cell body is
replaced by the variable's value. Errors a user can fix come out as one-line
UsageErrors, API errors included. Settings (`%config OpenAIMagics.*`) are checked where
they are declared: a wrong value is refused with a message that says what to set.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Float, Int, TraitError, Unicode, observe, validate
from traitlets.config import Configurable

from .._core.constants import DEFAULT_MODELS
from .._core.errors import APIError, OpenAIError
from .._costs import guard
from ._commands import COMMANDS, Subcommand
from ._parsing import (
    HelpShown,
    MagicArgumentParser,
    add_out_option,
    interpolate,
    interpolate_words,
    is_identifier,
    split_line,
    undefined_name,
)

__all__ = ["OpenAIMagics"]


def _model_trait(area: str, what: str) -> Unicode:
    return Unicode(DEFAULT_MODELS[area], help=f"Default model for {what}.").tag(config=True)


MODEL_SETTINGS = (
    "chat_model",
    "respond_model",
    "completion_model",
    "edit_model",
    "embedding_model",
    "image_model",
    "image_edit_model",
    "moderation_model",
    "transcription_model",
    "translation_model",
    "speech_model",
    "fine_tune_model",
)


@magics_class
class OpenAIMagics(Magics, Configurable):
    """%openai SUBCOMMAND ...: the OpenAI API from a notebook. `%openai help` lists subcommands."""

    chat_model = _model_trait("chat", "%%openai chat")
    respond_model = _model_trait("respond", "%%openai respond")
    completion_model = _model_trait("completion", "%%openai complete")
    edit_model = _model_trait("edit", "%%openai edit")
    embedding_model = _model_trait("embedding", "%openai embed")
    image_model = _model_trait("image", "%openai image")
    image_edit_model = _model_trait("image_edit", "%openai image-edit and image-variation")
    moderation_model = _model_trait("moderation", "%openai moderate")
    transcription_model = _model_trait("transcription", "%openai audio transcribe")
    translation_model = _model_trait("translation", "%openai audio translate")
    speech_model = _model_trait("speech", "%openai audio speak")
    fine_tune_model = _model_trait("fine_tune", "%openai fine-tune create")
    timeout = Float(None, allow_none=True, help="Seconds per request attempt (None: the client's own).").tag(
        config=True
    )
    max_retries = Int(
        None, allow_none=True, help="Retries after a failed attempt (None: the client's own)."
    ).tag(config=True)
    stream = Bool(True, help="Stream chat and respond replies into the cell as they arrive.").tag(config=True)
    embedding_cache = Bool(False, help="Serve repeated embeddings from the on-disk cache.").tag(config=True)
    confirm_cost_above = Float(
        None,
        allow_none=True,
        help="Ask before a bulk call whose estimated cost may exceed this many USD (None: never ask).",
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.respond_last: Any = None  # the last %%openai respond's Response, for --continue
        guard.set_confirm_threshold(self.confirm_cost_above)

    # -- settings, checked when set --------------------------------------------------------

    @validate("timeout")
    def _valid_timeout(self, proposal: Any) -> float | None:
        value = proposal["value"]
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise TraitError(
                f"OpenAIMagics.timeout must be a number of seconds above 0, or None; not {value!r}"
            )
        return value

    @validate("max_retries")
    def _valid_max_retries(self, proposal: Any) -> int | None:
        value = proposal["value"]
        if value is not None and value < 0:
            raise TraitError(f"OpenAIMagics.max_retries must be 0 or more, or None; not {value!r}")
        return value

    @validate("confirm_cost_above")
    def _valid_cost(self, proposal: Any) -> float | None:
        value = proposal["value"]
        if value is not None and not (value >= 0 and math.isfinite(value)):
            raise TraitError(
                f"OpenAIMagics.confirm_cost_above must be 0 or more (USD), or None; not {value!r}"
            )
        return value

    @observe("confirm_cost_above")
    def _share_cost_threshold(self, change: Any) -> None:
        guard.set_confirm_threshold(change["new"])  # the bulk calls read it there

    @validate(*MODEL_SETTINGS)
    def _valid_model(self, proposal: Any) -> str:
        name, given = proposal["trait"].name, proposal["value"]
        value = given.strip()
        if not value or any(space.isspace() for space in value):
            raise TraitError(
                f"OpenAIMagics.{name} must be one model ID, such as 'gpt-4o-mini'; not {given!r}"
            )
        return value

    # -- what subcommands use ----------------------------------------------------------

    def client(self):
        """The default client, with this magic's timeout and retry settings."""
        from .._connection import get_client

        return get_client().with_options(timeout=self.timeout, max_retries=self.max_retries)

    @property
    def user_ns(self) -> dict[str, Any]:
        return self.shell.user_ns if self.shell is not None else {}

    def variable(self, name: str) -> Any:
        """The user's variable `name`, or a UsageError naming it."""
        if name not in self.user_ns:
            raise UsageError(undefined_name(name, self.user_ns))
        return self.user_ns[name]

    # -- the magic -----------------------------------------------------------------------

    @no_var_expand
    @line_cell_magic
    def openai(self, line: str, cell: str | None = None) -> Any:
        """%openai SUBCOMMAND [options]: run `%openai help` for the list."""
        words = split_line(line)
        if not words or words[0] in {"help", "-h", "--help"}:
            return self._help(words[1:])
        name, rest = words[0], words[1:]
        module = self._command(name)
        try:
            args = self._parser(name, module).parse_args(interpolate_words(rest, self.user_ns))
        except HelpShown:
            return None
        if args.out is not None and not is_identifier(args.out):
            raise UsageError(f"-o/--out needs a variable name, not {args.out!r}")
        body = interpolate(cell, self.user_ns) if cell is not None else None
        try:
            result = module.run(self, args, body)
        except OpenAIError as exc:
            prefix = f"{type(exc).__name__}: " if isinstance(exc, APIError) else ""
            raise UsageError(f"{prefix}{exc}") from None
        if args.out:
            self.user_ns[args.out] = result
        return result

    def _command(self, name: str) -> Subcommand:
        module = COMMANDS.get(name)
        if module is None:
            known = ", ".join(sorted(COMMANDS))
            raise UsageError(f"unknown subcommand {name!r}; one of: {known} (see %openai help)")
        return module

    def _parser(self, name: str, module: Subcommand) -> MagicArgumentParser:
        parser = MagicArgumentParser(prog=f"%openai {name}", description=module.SUMMARY)
        module.configure(parser)
        add_out_option(parser)
        return parser

    def _help(self, topic: Sequence[str]) -> None:
        """`%openai help`: every subcommand; `%openai help NAME [ACTION]`: its --help."""
        if topic:
            with contextlib.suppress(HelpShown):
                self._parser(topic[0], self._command(topic[0])).parse_args([*topic[1:2], "--help"])
            return
        lines = ["%openai SUBCOMMAND [options]   (%%openai for subcommands that take a cell)", ""]
        for name in sorted(COMMANDS):
            module = self._command(name)
            lines.append(f"  {name:<16} {module.SUMMARY}")
        lines += [
            "",
            "Every subcommand takes -o/--out NAME. %openai SUBCOMMAND --help shows its options",
            "(and its actions: %openai files upload --help shows that action's).",
            "{name} in arguments and cell bodies is replaced by the variable's value.",
            "Settings: %config OpenAIMagics (models per module, timeout, max_retries, stream,",
            "confirm_cost_above).",
        ]
        print("\n".join(lines))
        return
