"""The studio as a Client method: every panel in tabs, acting on this client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core.transport import BaseClient

if TYPE_CHECKING:
    from ..widgets.studio import Studio

__all__ = ["StudioAPI"]


class StudioAPI(BaseClient):
    def studio(self, panel: str | None = None) -> Studio:
        """One widget with a tab per module (Connection, Models, Chat, ... Custom call)."""
        from ..widgets.studio import Studio

        return Studio(panel, client=self)
