"""The panel contract: what the studio, and anyone driving a panel from Python, may rely on.

Written down as Protocols (checked at run time with `isinstance`, and by a type checker):

- `StudioPanel`: every tab of the studio has a `title` and a `result` traitlet (the value
  of its last completed action) that can be observed;
- `TablePanel`: a panel that shows a table also has a `frame` traitlet (a DataFrame);
- `ModelPanel`: a panel that picks a model has `model_kinds` (offered first), its
  `ModelPicker`s, and `select_model(model_id)`;
- `PanelFactory`: a panel class is made with keyword arguments only, `client` first.

State traits are plain traitlets, not synced to the browser: no result, and so no key,
reaches the widget state a notebook saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd

    from ._model_picker import ModelPicker

__all__ = ["ModelPanel", "PanelFactory", "StudioPanel", "TablePanel"]


@runtime_checkable
class StudioPanel(Protocol):
    """A tab of the studio: a title, and the last result as an observable traitlet."""

    title: ClassVar[str]
    result: Any

    def observe(self, handler: Callable[[Any], None], names: Any = ..., type: str = ...) -> None: ...


@runtime_checkable
class TablePanel(StudioPanel, Protocol):
    """A panel with a table: `frame` is the DataFrame it shows, None before the first."""

    frame: pd.DataFrame | None


@runtime_checkable
class ModelPanel(StudioPanel, Protocol):
    """A panel that picks a model: its pickers offer `model_kinds` first."""

    model_kinds: ClassVar[tuple[str, ...]]
    model_picker: ModelPicker
    model_pickers: list[ModelPicker]

    def select_model(self, model_id: str) -> None: ...


class PanelFactory(Protocol):
    """A panel class: keyword arguments only, `client` first (None: the default client)."""

    def __call__(self, *, client: Any = None) -> StudioPanel: ...
