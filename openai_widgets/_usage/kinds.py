"""The organization usage reports: each kind's amounts, what it can be grouped and filtered by.

From OpenAI's API reference (`GET /organization/usage/{kind}`, `GET /organization/costs`),
so a wrong `group_by` or filter is refused before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BUCKETS", "COST_GROUPS", "KINDS", "UsageKind"]

BUCKETS = ("1m", "1h", "1d")
COST_GROUPS = ("project_id", "line_item", "api_key_id")
_WHO = ("project_id", "user_id", "api_key_id")
_MODEL = (*_WHO, "model")


@dataclass(frozen=True)
class UsageKind:
    """One report: its amount columns, the fields it groups by, whether it filters by model."""

    amounts: tuple[str, ...]
    groups: tuple[str, ...]
    models: bool = True

    @property
    def projects(self) -> bool:
        return "project_id" in self.groups


KINDS = {
    "completions": UsageKind(
        (
            "input_tokens",
            "output_tokens",
            "input_cached_tokens",
            "input_audio_tokens",
            "output_audio_tokens",
            "num_model_requests",
        ),
        (*_MODEL, "batch", "service_tier"),
    ),
    "embeddings": UsageKind(("input_tokens", "num_model_requests"), _MODEL),
    "moderations": UsageKind(("input_tokens", "num_model_requests"), _MODEL),
    "images": UsageKind(("images", "num_model_requests"), (*_MODEL, "size", "source")),
    "audio_speeches": UsageKind(("characters", "num_model_requests"), _MODEL),
    "audio_transcriptions": UsageKind(("seconds", "num_model_requests"), _MODEL),
    "vector_stores": UsageKind(("usage_bytes",), ("project_id",), models=False),
    "code_interpreter_sessions": UsageKind(("num_sessions",), ("project_id",), models=False),
    "file_search_calls": UsageKind(("num_requests",), (*_WHO, "vector_store_id"), models=False),
    "web_search_calls": UsageKind(("num_model_requests", "num_requests"), (*_MODEL, "context_level")),
}
