"""ipywidgets panels: the credential widget, one panel per API area, and the studio."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["CredentialWidget"]

_WHERE = {
    "CredentialWidget": "credential",
    "EmbeddingsPanel": "embeddings",
    "BatchesPanel": "batches",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'openai_widgets.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
