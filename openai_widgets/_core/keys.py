"""The API key taken in: wrapped in a `Secret` before anything can fail, then checked.

A traceback shown with `%xmode Verbose` prints every frame's arguments and locals, so
a key must never sit in a plain `str` variable of a frame that can raise. Every function
that is handed a key rebinds it with `as_secret()` on its first line, and the checks
below read it only inside expressions: what a traceback can show is `Secret('sk-...abcd')`.
"""

from __future__ import annotations

from typing import Any

from .arguments import type_error
from .errors import InvalidInputError, NotConnectedError
from .secrets import Secret

__all__ = ["as_secret", "checked_key"]


def as_secret(value: Any, name: str = "api_key") -> Secret | None:
    """`value` (a key as text, a Secret or None) as a Secret; None stays None."""
    if value is None or isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise type_error(name, "a string", value)
    return Secret(value)


def checked_key(secret: Secret | None, *, name: str = "api_key", required: bool = True) -> Secret:
    """The key without surrounding blanks, or a clear refusal that never shows it.

    A key that is not `required` may be missing: it is then an empty Secret.
    """
    if secret is None or not secret.reveal().strip():
        if not required:
            return Secret("")
        raise NotConnectedError(
            "No API key: pass api_key=..., set OPENAI_API_KEY, or run ow.connect() in a notebook "
            "for the credential form (any text works for a server that needs no key)."
        )
    if not _printable_ascii(secret):
        what = "admin key" if name == "admin_key" else "API key"
        raise InvalidInputError(
            f"the {what} contains {_what_is_wrong(secret)}; keys are printable ASCII: "
            "copy it again from the API keys page."
        )
    return Secret(secret.reveal().strip())


def _printable_ascii(secret: Secret) -> bool:
    # Control characters (NUL, ESC, DEL...) would travel in the Authorization header, and a
    # key echoed back in an escaped form (\\u0001) would slip past redaction.
    return all(" " < ch < "\x7f" for ch in secret.reveal().strip())


def _what_is_wrong(secret: Secret) -> str:
    """Which kind of character is wrong, and where, without showing any of the key."""
    for position, ch in enumerate(secret.reveal().strip(), start=1):
        if ch.isspace():
            return f"a space or line break (character {position})"
        if ord(ch) < 32 or ord(ch) == 127:
            return f"a control character (U+{ord(ch):04X}, character {position})"
        if ord(ch) > 127:
            return f"a non-ASCII character (U+{ord(ch):04X}, character {position})"
    return "a character that cannot be sent"  # pragma: no cover - _printable_ascii said so
