"""Waiting for a background response: polls with a status line until it finishes.

`Response.wait()` asks `client.response(id)` every `poll_interval` seconds (by default
0.25 s, growing by half each time up to 5 s), through `client.sleep` like every wait of
the package. In a notebook a one-line status ("queued · 1.2 s", "in_progress · 2.0 s")
is updated in place. When the response is done:
- "failed" raises `ResponseFailedError` (the Response in `.partial`);
- function calls of the Python tools given to `respond()` are run and the tool loop
  goes on in the foreground, as it would have;
- `timeout` seconds without an end raise `APITimeoutError` (the response goes on: call
  `.wait()` again, or `.cancel()`).
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

from .._core.arguments import positive_number
from .._core.errors import APITimeoutError
from .errors import ResponseFailedError

if TYPE_CHECKING:
    from .result import Response

__all__ = ["FIRST_POLL", "MAX_POLL", "StatusLine", "wait_for"]

FIRST_POLL = 0.25  # seconds
MAX_POLL = 5.0
WAITING = ("queued", "in_progress")


def wait_for(
    response: Response, *, poll_interval: float | None = None, timeout: float | None = None
) -> Response:
    positive_number(poll_interval, "poll_interval", unit="seconds", optional=True)
    positive_number(timeout, "timeout", unit="seconds", optional=True)
    client = response._needs_client()
    line = StatusLine()
    interval = poll_interval or FIRST_POLL
    started = time.monotonic()
    while response.status in WAITING:
        waited = time.monotonic() - started
        line.show(f"{response.id}: {response.status} · {waited:.1f} s")
        if timeout is not None and waited >= timeout:
            raise APITimeoutError(
                f"the background response {response.id} is still {response.status} after {timeout:g} s; "
                "it goes on: call .wait() again, or .cancel() it"
            )
        client.sleep(interval)
        response._rounds[-1].response = dict(client.response(response.id).raw)
        if poll_interval is None:
            interval = min(interval * 1.5, MAX_POLL)
    line.show(f"{response.id}: {response.status} after {time.monotonic() - started:.1f} s")
    if response.status == "failed":
        error = response.error or {}
        raise ResponseFailedError(
            f"the response {response.id} failed: {error.get('code')}: {error.get('message')}",
            code=error.get("code"),
            partial=response,
        )
    if response._resume is not None:
        response._resume.resume(response)  # adds its rounds to this Response
    return response


class StatusLine:
    """One line in the notebook, replaced in place; nothing outside a notebook."""

    def __init__(self) -> None:
        from .._chat.stream import in_notebook

        self.live = in_notebook()
        self.shown: list[str] = []
        self._handle: Any = None

    def show(self, text: str) -> None:
        self.shown.append(text)
        if not self.live:
            return
        bundle = {"text/plain": text, "text/html": f"<code>{html.escape(text)}</code>"}
        if self._handle is None:
            from IPython.display import display

            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)
