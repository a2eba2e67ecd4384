"""Records: the API's JSON objects as plain dicts with a readable notebook display."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

__all__ = ["Record", "as_record"]

# Integer fields holding Unix seconds; shown as dates next to the number.
_TIME_FIELDS = {
    "created",
    "created_at",
    "finished_at",
    "expires_at",
    "completed_at",
    "failed_at",
    "cancelled_at",
    "in_progress_at",
    "finalizing_at",
    "expired_at",
    "estimated_finish",
}


class Record(dict):
    """A dict holding one API object (keys as in the API), shown as a two-column table."""

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(key))}</th>"
            f"<td style='text-align:left'><code>{html.escape(_show(key, value))}</code></td></tr>"
            for key, value in self.items()
        )
        title = html.escape(str(self.get("object", "record")))
        return f"<table><caption style='text-align:left'>{title}</caption>{rows}</table>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        if cycle:
            printer.text("Record(...)")
            return
        printer.text(json.dumps(self, indent=2, default=str, ensure_ascii=False))


def as_record(value: Any) -> Any:
    """Wrap a JSON object in a Record; leave other JSON values as they are."""
    return Record(value) if isinstance(value, dict) and not isinstance(value, Record) else value


def _show(key: str, value: Any) -> str:
    if key in _TIME_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
        return f"{value} ({moment:%Y-%m-%d %H:%M:%S} UTC)"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "null" if value is None else str(value)
