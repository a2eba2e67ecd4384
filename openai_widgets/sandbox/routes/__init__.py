"""Route handlers, one module per API area; importing a module registers its routes."""

from . import batches, embeddings, files, models  # noqa: F401
from ._registry import find_route, route

__all__ = ["find_route", "route"]
