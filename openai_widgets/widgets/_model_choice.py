"""A model picker with a Refresh button, filled on first use (never when the panel is made)."""

from __future__ import annotations

import contextlib
from typing import Any

import ipywidgets as widgets

from .._core.errors import OpenAIError
from ._common import fill_model_picker, model_picker

__all__ = ["ModelChoice"]


class ModelChoice:
    """Mixin for a Panel: `model_row(default)` builds `model_picker` and `refresh_button`.

    The list is filled from `models()` when Refresh is clicked, or before the panel's first
    action (`ensure_models()`), so making a panel costs no request. That first filling is
    tried once and may fail quietly (a server without /models can still chat); Refresh
    reports its errors.
    """

    model_picker: widgets.Combobox
    refresh_button: widgets.Button
    _models_tried = False

    def model_row(self, default: str) -> widgets.HBox:
        self.model_picker = model_picker(default)
        self.refresh_button = widgets.Button(
            icon="refresh", tooltip="fill the model list", layout=widgets.Layout(width="40px")
        )
        self.refresh_button.on_click(self.refresh_models)
        return widgets.HBox([self.model_picker, self.refresh_button])

    def refresh_models(self, _button: Any = None) -> None:
        self.run(self.refresh_button, self.fill_models, working="loading models...")

    def fill_models(self) -> None:
        self._models_tried = True
        fill_model_picker(self.model_picker, self.client, self.model_kinds)

    def ensure_models(self) -> None:
        if not self._models_tried:
            with contextlib.suppress(OpenAIError):
                self.fill_models()
