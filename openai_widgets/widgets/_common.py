"""What every panel shares: the client it acts on, model pickers, busy buttons, errors."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import ipywidgets as widgets

from .._core.errors import OpenAIError
from .._core.model_kinds import model_kind

__all__ = ["Panel", "error_html", "fill_model_picker", "model_picker", "show"]

T = TypeVar("T")


def error_html(exc: BaseException) -> str:
    """An error in plain words, for a panel's status line."""
    name = type(exc).__name__
    return f"<span style='color:#b00020'><b>{html.escape(name)}</b>: {html.escape(str(exc))}</span>"


def show(output: widgets.Output, *objects: Any) -> None:
    """Replace what `output` shows with `objects`.

    Written into the Output's `outputs` trait from the kernel (not `with output:`, whose
    capture happens in the browser), so the result is the same in JupyterLab and in tests.
    """
    output.outputs = ()
    for obj in objects:
        output.append_display_data(obj)


def model_picker(default: str, description: str = "Model") -> widgets.Combobox:
    """A model box: pick from the list or type any ID (OpenAI-compatible servers have their own)."""
    return widgets.Combobox(
        value=default,
        options=[default],
        description=description,
        ensure_option=False,
        placeholder="model ID",
        style={"description_width": "initial"},
    )


def fill_model_picker(picker: widgets.Combobox, client: Any, kinds: Sequence[str]) -> None:
    """Fill `picker` from `client.models()`: models of `kinds` first, then the rest."""
    ids = list(client.models()["id"])
    preferred = [m for m in ids if model_kind(m) in kinds]
    rest = [m for m in ids if m not in preferred]
    picker.options = tuple(preferred + rest)


class Panel(widgets.VBox):
    """A panel: controls, a status line, and actions that each call one public function.

    `client` is the client to act on; None means the default client at the time of the
    action (so a panel made before connecting works once connected).
    """

    title = "Panel"
    model_kinds: tuple[str, ...] = ()  # which models its picker offers first

    def __init__(self, children: Sequence[widgets.Widget] = (), *, client: Any = None, **kwargs: Any) -> None:
        self._client = client
        self.status = widgets.HTML()
        super().__init__(children=list(children), **kwargs)

    @property
    def client(self) -> Any:
        if self._client is not None:
            return self._client
        from .._connection import get_client

        return get_client()

    def run(
        self, button: widgets.Button | None, action: Callable[[], T], *, working: str = "working..."
    ) -> T | None:
        """Run `action` with `button` disabled; show an OpenAIError in the status line instead of raising."""
        if button is not None:
            button.disabled = True
        self.status.value = f"<i>{html.escape(working)}</i>"
        try:
            result = action()
        except OpenAIError as exc:
            self.status.value = error_html(exc)
            return None
        else:
            self.status.value = ""
            return result
        finally:
            if button is not None:
                button.disabled = False

    def select_model(self, model_id: str) -> None:
        """Pick `model_id` in this panel's model picker (the studio's model explorer uses this)."""
        picker = getattr(self, "model_picker", None)
        if picker is None:
            raise AttributeError(f"{type(self).__name__} has no model picker")
        if model_id not in picker.options:
            picker.options = (model_id, *picker.options)
        picker.value = model_id
