"""Route handlers, one module per API area; importing a module registers its routes."""

from . import (  # noqa: F401
    audio,
    batches,
    chat,
    completions,
    containers,
    conversations,
    embeddings,
    files,
    fine_tuning,
    images,
    models,
    moderations,
    responses,
    uploads,
    vector_store_files,
    vector_stores,
)
from ._registry import find_route, route

__all__ = ["find_route", "route"]
