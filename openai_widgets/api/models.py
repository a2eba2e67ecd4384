"""Models: list and retrieve."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ModelsAPI"]


class ModelsAPI(BaseClient):
    def models(self) -> pd.DataFrame:
        """The models this key can use: `id`, `created` (UTC), `owned_by`; newest first."""
        from .._tables.frames import models_frame

        return models_frame(self._paginate("models", page_size=0))

    def model(self, model_id: str) -> Record:
        """One model's record (`id`, `object`, `created`, `owned_by`)."""
        return as_record(self._get(f"models/{path_id(model_id, 'model_id')}"))
