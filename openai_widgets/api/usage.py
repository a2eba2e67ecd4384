"""Organization usage and costs (admin key): tidy DataFrames over time, every page collected.

`org_usage(kind, start)` reads one of OpenAI's usage reports (completions, embeddings,
moderations, images, audio_speeches, audio_transcriptions, vector_stores,
code_interpreter_sessions, file_search_calls, web_search_calls), `org_costs(start)` the
costs in US dollars. Both take the admin key only (`ow.connect(admin_key=...)`,
OPENAI_ADMIN_KEY); `ow.plot_usage(frame)` draws either over time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._core.arguments import one_of, text, type_error
from .._core.errors import APIResponseValidationError, InvalidInputError
from .._core.transport import BaseClient

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["UsageAPI"]

# Buckets per page: the most each width allows, so a range takes few requests.
PAGE_LIMITS = {"1m": 1440, "1h": 168, "1d": 31}
COSTS_PAGE_LIMIT = 180


class UsageAPI(BaseClient):
    def org_usage(
        self,
        kind: str,
        start: Any,
        end: Any = None,
        *,
        bucket: str = "1d",
        group_by: str | Sequence[str] | None = None,
        models: str | Sequence[str] | None = None,
        projects: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The organization's usage of one `kind`, one row per time bucket and group (admin key).

        `start` and `end` (default: now) take datetimes, dates, Unix seconds, ISO dates or
        a time ago ("7d", "12h", "30m"); `bucket` is "1m", "1h" or "1d". `group_by` names
        fields of the report (model, project_id, user_id, api_key_id, and per kind batch,
        service_tier, size, source, ...); `models` and `projects` keep only those. Columns:
        `start`, `end` (UTC), the groups, then the report's amounts as int64 (for
        completions `input_tokens`, `output_tokens`, `input_cached_tokens`, ...,
        `num_model_requests`). Without grouping every bucket has a row, zeros included.
        """
        from .._tables.usage_frames import usage_frame
        from .._usage.kinds import BUCKETS, KINDS

        kind = one_of(kind, "kind", tuple(KINDS))
        report = KINDS[kind]
        params = _range(start, end)
        params["bucket_width"] = one_of(bucket, "bucket", BUCKETS)
        groups = _names(group_by, "group_by", report.groups, kind)
        params["group_by"] = groups or None
        if models is not None:
            if not report.models:
                raise InvalidInputError(f"{kind} usage is not kept per model; leave models out")
            params["models"] = _names(models, "models")
        if projects is not None:
            params["project_ids"] = _names(projects, "projects")
        params["limit"] = PAGE_LIMITS[params["bucket_width"]]
        buckets = self._buckets(f"organization/usage/{kind}", params)
        return usage_frame(buckets, report.amounts, groups)

    def org_costs(
        self,
        start: Any,
        end: Any = None,
        *,
        group_by: str | Sequence[str] | None = None,
        projects: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The organization's costs in US dollars, one row per day and group (admin key).

        `start` and `end` as for `org_usage`; `group_by` is project_id, line_item (e.g.
        "gpt-4o-mini, input") and/or api_key_id. Columns: `start`, `end` (UTC), the groups,
        `cost` (float, USD), and with line items `quantity` and `quantity_unit`.
        """
        from .._tables.usage_frames import costs_frame
        from .._usage.kinds import COST_GROUPS

        params = _range(start, end)
        groups = _names(group_by, "group_by", COST_GROUPS, "costs")
        params.update(bucket_width="1d", group_by=groups or None, limit=COSTS_PAGE_LIMIT)
        if projects is not None:
            params["project_ids"] = _names(projects, "projects")
        return costs_frame(self._buckets("organization/costs", params), groups)

    def _buckets(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every bucket of a report, following `next_page` until the last page."""
        buckets: list[dict[str, Any]] = []
        query = dict(params)
        seen: set[str] = set()
        while True:
            page = self._get(path, query)
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise APIResponseValidationError(f"GET {path}: expected a page of buckets with 'data'")
            buckets.extend(data)
            cursor = page.get("next_page")
            if not page.get("has_more") or not cursor:
                return buckets
            if cursor in seen:
                raise APIResponseValidationError(f"GET {path}: the server gave the same next_page twice")
            seen.add(cursor)
            query["page"] = cursor


def _range(start: Any, end: Any) -> dict[str, Any]:
    from .._usage.times import unix_seconds

    if start is None:
        raise InvalidInputError("start is needed: when the report begins, e.g. '7d' or a date")
    first = unix_seconds(start, "start")
    last = unix_seconds(end, "end") if end is not None else None
    if last is not None and last <= first:
        raise InvalidInputError(f"end must be after start, got start {first} and end {last} (Unix seconds)")
    return {"start_time": first, "end_time": last}


def _names(value: Any, name: str, allowed: Sequence[str] | None = None, what: str = "") -> list[str]:
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple, set)):
        raise type_error(name, "a text or a list of texts", value)
    names = [text(v, name).strip() for v in values]
    if allowed is not None:
        for given in names:
            if given not in allowed:
                raise InvalidInputError(f"{name} {given!r} is not one of {', '.join(allowed)} (for {what})")
    return names
