"""`ModelPicker`: the one model box of every panel, a Combobox and a Refresh button.

Any typed ID is accepted (OpenAI-compatible servers have their own models); the list
offers the models of the picker's kinds first, then the rest. The picker only shows:
fetching the list is its panel's job (see `Panel.fill_models`), so the pickers of one
panel fill from one `models()` call, on Refresh or on the panel's first action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as widgets
from traitlets import Bool, Tuple, Unicode, link, observe

from .._core.model_kinds import model_kind

__all__ = ["ModelPicker"]


class ModelPicker(widgets.HBox):
    """A model box: `value` is the model ID, `options` what the list offers, `refresh_button` asks for more.

    `value`, `options` and `disabled` mirror the inner `combobox`; they are not synced to
    the browser themselves (the combobox is), so observing `value` sees what a user types.
    """

    value = Unicode(help="the model ID picked or typed")
    options = Tuple(help="the model IDs offered")
    disabled = Bool(False, help="whether the box and its Refresh button are switched off")

    def __init__(
        self,
        default: str,
        *,
        kinds: Sequence[str] = (),
        description: str = "Model",
        offer: Iterable[str] = (),
    ) -> None:
        self.kinds = tuple(kinds)
        self.combobox = widgets.Combobox(
            value=default,
            options=tuple(dict.fromkeys([*offer] or [default])),
            description=description,
            ensure_option=False,
            placeholder="model ID",
            style={"description_width": "initial"},
        )
        self.refresh_button = widgets.Button(
            icon="refresh", tooltip="fill the model list", layout=widgets.Layout(width="40px")
        )
        super().__init__(children=[self.combobox, self.refresh_button])
        link((self.combobox, "value"), (self, "value"))  # the combobox's values first
        link((self.combobox, "options"), (self, "options"))
        self.add_class("ow-model-picker")

    def on_refresh(self, callback: Callable[[ModelPicker], Any]) -> None:
        """Call `callback(picker)` when Refresh is clicked."""
        self.refresh_button.on_click(lambda _button: callback(self))

    def fill(self, model_ids: Iterable[str]) -> None:
        """Offer `model_ids`, those of this picker's kinds first; what is picked stays picked."""
        ids = list(dict.fromkeys(model_ids))
        preferred = [m for m in ids if model_kind(m) in self.kinds]
        self.options = (*preferred, *(m for m in ids if m not in preferred))

    def select(self, model_id: str) -> None:
        """Pick `model_id`, adding it to the list if the list does not have it."""
        if model_id not in self.options:
            self.options = (model_id, *self.options)
        self.value = model_id

    @observe("disabled")
    def _switch(self, change: Any) -> None:
        self.combobox.disabled = self.refresh_button.disabled = change["new"]
