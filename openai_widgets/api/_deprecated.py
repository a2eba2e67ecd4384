"""Old names kept for one release, in one place: each works, and warns with its new name.

`DeprecatedAPI` holds the renamed methods (a mixin of `Client`, so they are module-level
functions too); `renamed_keywords` lets a function take a keyword's old name. Every use
emits a `DeprecationWarning` that names the replacement and the version that drops it.
When that version comes, delete the entries here, their `@renamed_keywords` lines and
their tests (tests/api/test_deprecated.py).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from .._core.caller import outside_stacklevel
from .._core.errors import InvalidTypeError
from .._tables.records import Record
from .batches import BatchesAPI

__all__ = ["REMOVED_IN", "RENAMED", "DeprecatedAPI", "renamed_keywords", "warn_renamed"]

REMOVED_IN = "0.3"  # old names warn through 0.2 and are gone in 0.3
RENAMED = {"batch_info": "batch_job"}  # old method name -> new (one DeprecatedAPI method each)

F = TypeVar("F", bound=Callable[..., Any])


def warn_renamed(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated and will be removed in openai_widgets {REMOVED_IN}; use {new} instead",
        DeprecationWarning,
        stacklevel=outside_stacklevel(),
    )


def renamed_keywords(**renames: str) -> Callable[[F], F]:
    """Accept each old keyword (`interval="poll_interval"`) as its new name, with a warning.

    The function keeps its real signature (`inspect.signature` shows the new names only).
    """

    def decorate(function: F) -> F:
        names = list(inspect.signature(function).parameters)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    given_by_position = new in names and len(args) > names.index(new)
                    if new in kwargs or given_by_position:
                        raise InvalidTypeError(f"pass {new} only: {old} is its old name")
                    warn_renamed(f"the keyword {old}=", f"{new}=")
                    kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        return cast(F, call)

    return decorate


class DeprecatedAPI(BatchesAPI):
    """Methods under their old names; each calls the new one."""

    def batch_info(self, batch_id: str) -> Record:
        """Deprecated: use `batch_job(batch_id)` (removed in 0.3)."""
        warn_renamed("batch_info()", "batch_job()")
        return self.batch_job(batch_id)
