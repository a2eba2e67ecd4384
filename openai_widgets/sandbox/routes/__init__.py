"""Route handlers, one module per API area; importing a module registers its routes."""

from . import audio, batches, chat, completions, embeddings, files, fine_tuning, images, models, moderations  # noqa: F401
from ._registry import find_route, route

__all__ = ["find_route", "route"]
