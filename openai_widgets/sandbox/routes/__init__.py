"""Route handlers, one module per API area; importing a module registers its routes."""

from . import (  # noqa: F401
    audio,
    batches,
    chat,
    checkpoint_permissions,
    completions,
    containers,
    conversations,
    embeddings,
    eval_runs,
    evals,
    files,
    fine_tuning,
    graders,
    images,
    models,
    moderations,
    responses,
    stored_completions,
    uploads,
    usage,
    vector_store_files,
    vector_stores,
)
from ._registry import find_route, route

__all__ = ["find_route", "route"]
