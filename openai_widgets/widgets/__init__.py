"""ipywidgets panels: the credential widget, one panel per API area, and the studio."""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "CredentialWidget": "credential",
    "CustomCallPanel": "custom",
    "ModelsPanel": "models",
    "Studio": "studio",
    "FilesPanel": "files",
    "KnowledgePanel": "knowledge",
    "FineTuningPanel": "fine_tuning",
    "ChatPanel": "chat",
    "ResponsesPanel": "responses",
    "EditPanel": "edit",
    "ModerationPanel": "moderation",
    "ImagesPanel": "images",
    "AudioPanel": "audio",
    "EmbeddingsPanel": "embeddings",
    "BatchesPanel": "batches",
    "EvalsPanel": "evals",
}


__all__ = sorted(_WHERE)  # every panel, imported when first used


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'openai_widgets.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
