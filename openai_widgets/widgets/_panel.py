"""`Panel`: what every panel shares: the client it acts on, its model pickers, its status line,
and its state (`result`, and `frame` where it shows a table) as traitlets to observe.

A panel's actions each call one public function through `act`, the one place that
sets `result` (and `frame`, when the action's value is the table): the button is
disabled meanwhile, an `OpenAIError` shows in the status line instead of being raised,
and the panel's model pickers are filled on first use. The state traits are not synced
to the browser, so no result (and no key) ends up in the widget state a notebook saves.

`first_view()` is what the studio calls when a panel's tab is first shown: `load()` (the
lists the panel offers: its model pickers, and files, jobs or batches where it has
them) runs in a background thread, so the kernel stays free; `loading` is True
meanwhile and the status line says what is loading, or the error if it fails.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, TypeVar

import ipywidgets as widgets
from traitlets import Any as AnyTrait
from traitlets import Bool, Instance

from .._core.errors import APIError, OpenAIError
from ._model_picker import ModelPicker
from ._output import notice
from ._style import StyledBox

__all__ = ["Panel", "frame_trait"]

T = TypeVar("T")


def frame_trait(what: str) -> Instance:
    """A `frame` trait: the DataFrame a panel's table shows (None before the first), not synced."""
    return Instance("pandas.DataFrame", allow_none=True, help=what)


class Panel(StyledBox):
    """A panel: controls, a status line, and actions that each call one public function.

    `client` is the client to act on; None means the default client at the time of the
    action (so a panel made before connecting works once connected).
    """

    title: ClassVar[str] = "Panel"
    model_kinds: ClassVar[tuple[str, ...]] = ()  # the models its pickers offer first

    result = AnyTrait(None, allow_none=True, help="the value of the panel's last completed action")
    loading = Bool(False, help="whether the first view's lists are being loaded in the background")

    def __init__(self, *, client: Any = None, children: Sequence[widgets.Widget] = (), **kwargs: Any) -> None:
        self._client = client
        self.status = widgets.HTML()
        self.model_pickers: list[ModelPicker] = []
        self._models_tried = False
        self._viewed = False
        self._loader: threading.Thread | None = None
        super().__init__(children=list(children), **kwargs)
        self.add_class("ow-panel")

    @property
    def client(self) -> Any:
        if self._client is not None:
            return self._client
        from .._connection import get_client

        return get_client()

    # -- actions ---------------------------------------------------------------------------

    def run(
        self, button: widgets.Button | None, action: Callable[[], T], *, working: str = "working..."
    ) -> T | None:
        """Run `action` with `button` disabled; show an OpenAIError in the status line instead of raising."""
        if button is not None:
            button.disabled = True
        self.status.value = notice(working, "working")
        try:
            result = action()
        except OpenAIError as exc:
            self.status.value = notice(exc)
            return None
        else:
            self.status.value = ""
            return result
        finally:
            if button is not None:
                button.disabled = False

    def act(
        self,
        button: widgets.Button | None,
        action: Callable[[], T],
        *,
        working: str = "working...",
        table: bool = False,
    ) -> T | None:
        """`run` one of the panel's actions: its value becomes `result` (and, with `table`, `frame`).

        Once an action has reached the server (it succeeded, or the server answered with
        an error), the model pickers are filled if they never were; an input refused
        before sending costs no request.
        """
        reached = True

        def tracked() -> T:
            nonlocal reached
            try:
                return action()
            except OpenAIError as exc:
                reached = isinstance(exc, APIError)
                raise

        value = self.run(button, tracked, working=working)
        if value is not None:
            if table:
                self.frame = value  # first, so that observers of `result` see both new
            self.result = value
        if reached:
            self.ensure_models()
        return value

    # -- the first view --------------------------------------------------------------------

    def first_view(self) -> None:
        """Start `load()` in a background thread, the first time only (see `reset_view`)."""
        if self._viewed:
            return
        self._viewed = True
        self.loading = True
        self._loader = threading.Thread(target=self._load_in_background, name="ow-panel-load", daemon=True)
        self._loader.start()

    def reset_view(self) -> None:
        """Forget the first view (the studio does this on reconnecting): the next one loads again."""
        self._viewed = False
        self._models_tried = False

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Wait until the first view's loading is over; True if it is."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout)
        return not self.loading

    def load(self) -> None:
        """What a first view fills: the model pickers. Panels with lists add their Refresh."""
        if self.model_pickers and not self._models_tried:
            self.refresh_models()

    def _load_in_background(self) -> None:
        try:
            self.load()
        except Exception as exc:  # not an OpenAIError (those show already): say it, do not lose it
            self.status.value = notice(exc)
        finally:
            self.loading = False

    # -- model pickers ---------------------------------------------------------------------

    def make_model_picker(
        self, default: str, *, description: str = "Model", offer: Iterable[str] = ()
    ) -> ModelPicker:
        """A `ModelPicker` of this panel: models of `model_kinds` first; its Refresh fills every picker."""
        picker = ModelPicker(default, kinds=self.model_kinds, description=description, offer=offer)
        picker.on_refresh(lambda chosen: self.refresh_models(chosen.refresh_button))
        self.model_pickers.append(picker)
        return picker

    def select_model(self, model_id: str) -> None:
        """Pick `model_id` in this panel's (first) model picker; the studio's model explorer uses this."""
        if not self.model_pickers:
            raise AttributeError(f"{type(self).__name__} has no model picker")
        self.model_pickers[0].select(model_id)

    def refresh_models(self, button: widgets.Button | None = None) -> None:
        """Fill every model picker (one `models()` call); errors show in the status line."""
        self.run(button, self.fill_models, working="loading models...")

    def fill_models(self) -> None:
        """Fill every model picker from one `models()` call (raises what it raises)."""
        self._models_tried = True
        ids = [str(model_id) for model_id in self.client.models()["id"]]
        for picker in self.model_pickers:
            picker.fill(ids)

    def ensure_models(self) -> None:
        """Fill the pickers once, quietly: a server without /models can still be used."""
        if self.model_pickers and not self._models_tried:
            with contextlib.suppress(OpenAIError):
                self.fill_models()
