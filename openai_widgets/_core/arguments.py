"""Arguments checked one way, before anything is sent.

Every API area checks its arguments with these functions, so the same mistake gets the
same error class and the same kind of message wherever it is made:

- a wrong type raises `InvalidTypeError`: "<name> must be <what it takes>, not <type>";
- a wrong value raises `InvalidInputError`: "<name> must be <range>, got <value>", or
  "<name> is empty; <what to write>", or "<name> <value> is not one of <choices>".

`True` and `False` are never taken for numbers (Python counts them as ints, the API does
not), and a float is not a whole number. None passes only where `optional=True`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from typing import Any

from .constants import DEFAULT_MODELS
from .errors import InvalidInputError, InvalidTypeError

__all__ = [
    "boolean",
    "header_text",
    "model_argument",
    "number",
    "one_of",
    "positive_number",
    "text",
    "type_error",
    "whole_number",
]


def type_error(name: str, expected: str, value: Any) -> InvalidTypeError:
    """The one way a wrong type is reported: "<name> must be <expected>, not <type>"."""
    return InvalidTypeError(f"{name} must be {expected}, not {type(value).__name__}")


def text(
    value: Any, name: str, *, hint: str = "give some text", optional: bool = False, blank: bool = False
) -> Any:
    """A string; an empty or blank one is refused (saying `hint`) unless `blank`."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise type_error(name, "a string" + (" or None" if optional else ""), value)
    if not blank and not value.strip():
        raise InvalidInputError(f"{name} is empty; {hint}")
    return value


def boolean(value: Any, name: str) -> bool:
    """True or False (not 0, 1, "yes": a flag given something else is usually a misplaced argument)."""
    if not isinstance(value, bool):
        raise type_error(name, "True or False", value)
    return value


def whole_number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    optional: bool = False,
    of: str | None = None,
) -> Any:
    """An int within [minimum, maximum]; `of` names what is counted ("a whole number of files").

    numpy integers are taken (and returned as int, so they go into JSON); floats are not.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        expected = "a whole number" + (f" of {of}" if of else "") + (" or None" if optional else "")
        raise type_error(name, expected, value)
    _check_range(int(value), name, minimum, maximum)
    return int(value)


def number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    optional: bool = False,
    unit: str | None = None,
) -> Any:
    """An int or float within [minimum, maximum] (NaN is never within).

    numpy numbers are taken and returned as Python ones (ints stay ints), so they go into JSON.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        expected = "a number" + (f" of {unit}" if unit else "") + (" or None" if optional else "")
        raise type_error(name, expected, value)
    value = int(value) if isinstance(value, numbers.Integral) else float(value)
    _check_range(value, name, minimum, maximum, unit)
    return value


def positive_number(value: Any, name: str, *, unit: str | None = None, optional: bool = False) -> Any:
    """A number above 0 (`unit` such as "seconds" goes into the messages), as a float."""
    if value is None and optional:
        return None
    value = number(value, name, unit=unit, optional=optional)
    if not value > 0:  # also refuses NaN
        raise InvalidInputError(f"{name} must be more than 0{_unit(unit)}, got {_shown(value)}")
    return float(value)


def one_of(value: Any, name: str, choices: Collection[str], *, optional: bool = False) -> Any:
    """One of `choices` (surrounding spaces ignored), e.g. a purpose or a response format."""
    if value is None and optional:
        return None
    listed = ", ".join(choices)
    if not isinstance(value, str):
        raise type_error(name, f"one of {listed}", value)
    if value.strip() not in choices:
        raise InvalidInputError(f"{name} {value!r} is not one of {listed}")
    return value.strip()


def header_text(value: Any, name: str) -> str:
    """Text that can travel in an HTTP header: printable ASCII (tabs and spaces inside allowed).

    A line break or NUL would end the header (the transport refuses them only when sending,
    after the retries), and a non-ASCII character cannot be encoded at all: both are refused
    here, naming the character, before anything is sent.
    """
    if not isinstance(value, str):
        raise type_error(name, "a string", value)
    for position, ch in enumerate(value, start=1):
        if ch == "\t" or " " <= ch < "\x7f":
            continue
        if ord(ch) < 32 or ord(ch) == 127:
            kind = "a line break" if ch in "\r\n" else "a control character"
        else:
            kind = "a non-ASCII character"
        raise InvalidInputError(
            f"{name} {value!r} holds {kind} (U+{ord(ch):04X} at character {position}), which an HTTP "
            "header cannot carry; type it again in plain ASCII"
        )
    return value


def model_argument(model: Any, area: str) -> str:
    """`model` checked, or the default model of `area` (a key of DEFAULT_MODELS) when None."""
    default = DEFAULT_MODELS[area]
    if model is None:
        return default
    if not isinstance(model, str):
        raise type_error("model", f"a model ID string such as {default!r}", model)
    if not model.strip():
        raise InvalidInputError(f"model is empty; pass a model ID such as {default!r}")
    return model.strip()


# -- messages --------------------------------------------------------------------------


def _check_range(
    value: float, name: str, minimum: float | None, maximum: float | None, unit: str | None = None
) -> None:
    if minimum is None and maximum is None:
        return
    low_ok = minimum is None or value >= minimum
    high_ok = maximum is None or value <= maximum
    if low_ok and high_ok and not (isinstance(value, float) and math.isnan(value)):
        return
    if minimum is None:
        span = f"{_shown(maximum)} or less"
    elif maximum is None:
        span = f"{_shown(minimum)} or more"
    else:
        span = f"between {_shown(minimum)} and {_shown(maximum)}"
    raise InvalidInputError(f"{name} must be {span}{_unit(unit)}, got {_shown(value)}")


def _shown(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _unit(unit: str | None) -> str:
    return f" {unit}" if unit else ""
