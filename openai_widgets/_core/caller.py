"""Where a warning should point: at the user's line, not at the package's own frames."""

from __future__ import annotations

import os
import sys
from types import FrameType

__all__ = ["outside_stacklevel"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def outside_stacklevel() -> int:
    """The `stacklevel` for `warnings.warn` that names the first caller outside this package.

    A call may pass through a module-level function, a mixin and a helper before it
    warns; counting frames by hand would point at one of those instead of the cell.
    """
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level
