"""Every request body the client sent to the sandbox, checked against the spec."""

from __future__ import annotations

from openai_widgets.sandbox._request_log import LARGEST_BODY as LOG_BODY_LIMIT


def whole_requests(sandbox) -> list:
    """The logged requests the client finished sending (not one it stopped midway on Ctrl-C)."""
    return [r for r in sandbox.requests if not _cut(r)]


def _cut(logged) -> bool:
    return logged.body_size < int(logged.headers.get("content-length") or 0)


def validate_sent(sandbox, spec, *, prefix: str = "/") -> int:
    """Check each logged POST under `prefix` (JSON against its request schema, multipart field by
    field); a multipart body too large for the log must at least have been large, and one the
    client stopped sending is passed over. Returns how many bodies were checked."""
    checked = 0
    for logged in sandbox.requests_to(prefix, "POST"):
        if _cut(logged):
            continue  # the client stopped sending it (Ctrl-C): no request to check
        kind = logged.headers.get("content-type", "")
        if kind.startswith("application/json"):
            spec.validate_request("POST", logged.path, logged.json())
        elif kind.startswith("multipart/form-data"):
            if not logged.body:
                assert logged.body_size > LOG_BODY_LIMIT, logged.path
                continue
            fields, files = logged.form()
            spec.validate_multipart("POST", logged.path, fields, files)
        else:
            assert not logged.body, f"{logged.path}: a body of type {kind!r}"
            continue
        checked += 1
    return checked
