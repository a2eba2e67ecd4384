"""Before a bulk call starts: refuse it above `max_cost`, or ask above the notebook's threshold.

`check(call, make_estimate, max_cost=...)` runs before anything is sent. With `max_cost`
set, the call is refused (InvalidInputError, naming the estimate and the limit) when the
estimate's high end is above it, or when no price is known to compare with; a call the
limit allows goes ahead without asking: the limit was the user's consent.

Without `max_cost`, `%config OpenAIMagics.confirm_cost_above = 5.0` (or
`set_confirm_threshold(5.0)`) makes a call whose estimate may go above $5 ask first,
with `input()`: in Jupyter that is a text box under the running cell (the kernel asks the
page over its stdin channel), in a terminal a prompt. Widgets cannot block a running
cell, which is why the question is asked this way. Where nobody can answer (a frontend
without stdin, a notebook run by nbclient, a widget callback) the call is refused with
a one-line instruction: run it again with `max_cost=` at or above the estimate.

The estimate is made only when a limit or a threshold asks for it: counting tokens of a
large call is not free.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable

from .._core.arguments import number
from .._core.errors import InvalidInputError
from .estimate import CostEstimate, money

__all__ = ["check", "confirm_threshold", "set_confirm_threshold"]

_threshold: dict[str, float | None] = {"above": None}


def set_confirm_threshold(value: float | None) -> None:
    """Ask before a bulk call whose estimated cost may exceed `value` USD (None: never ask)."""
    _threshold["above"] = number(value, "confirm_cost_above", minimum=0, optional=True, unit="USD")


def confirm_threshold() -> float | None:
    return _threshold["above"]


def check(
    call: str, make_estimate: Callable[[], CostEstimate], *, max_cost: float | None
) -> CostEstimate | None:
    """Refuse, ask, or let `call` go (see the module docstring); the estimate when one was made."""
    threshold = _threshold["above"]
    if max_cost is None and threshold is None:
        return None
    estimate = make_estimate()
    if max_cost is not None:
        _within_limit(call, estimate, max_cost)
    elif threshold is not None and estimate.known and estimate.high > threshold:
        _confirm(call, estimate, threshold)
    return estimate


def _within_limit(call: str, estimate: CostEstimate, max_cost: float) -> None:
    if not estimate.known:
        raise InvalidInputError(
            f"{call}() not started: no price is known for {estimate.model}, so max_cost={money(max_cost)} "
            f"cannot be checked; set one with ow.set_prices({{...}}) or leave max_cost out"
        )
    if estimate.high > max_cost:
        raise InvalidInputError(
            f"{call}() not started: its estimated cost, {estimate.cost_text()} {estimate.currency} for "
            f"{estimate.requests_text()}, may exceed max_cost={money(max_cost)}; raise max_cost to at "
            f"least {_ceiling(estimate.high)} or send less"
        )


def _confirm(call: str, estimate: CostEstimate, threshold: float) -> None:
    question = (
        f"{call}() may cost up to {money(estimate.high)} {estimate.currency} (estimate "
        f"{estimate.cost_text()} for {estimate.requests_text()}), above confirm_cost_above="
        f"{money(threshold)}. Go ahead? [y/N] "
    )
    try:
        answer = builtins.input(question)
    except (
        NotImplementedError,
        EOFError,
        OSError,
    ):  # IPython's StdinNotImplementedError is a NotImplementedError
        raise InvalidInputError(
            f"{call}() not started: its estimated cost may reach {money(estimate.high)}, above "
            f"confirm_cost_above={money(threshold)}, and this frontend cannot ask; run it again with "
            f"max_cost={_ceiling(estimate.high)} to go ahead"
        ) from None
    if answer.strip().lower() not in {"y", "yes"}:
        raise InvalidInputError(
            f"{call}() not started: declined at an estimated cost of up to {money(estimate.high)}; "
            f"pass max_cost={_ceiling(estimate.high)} to run it without being asked"
        )


def _ceiling(amount: float) -> str:
    """A round limit just above `amount`, as the user would type it."""
    cents = math.ceil(amount * 100 - 1e-9)
    return f"{max(cents, 1) / 100:.2f}"
