"""`Client`: the whole API, one mixin per area over the shared HTTP core."""

from __future__ import annotations

from .api.batches import BatchesAPI
from .api.custom import CustomAPI
from .api.embeddings import EmbeddingsAPI
from .api.models import ModelsAPI

__all__ = ["Client"]


class Client(ModelsAPI, CustomAPI, EmbeddingsAPI, BatchesAPI):
    """A connection to the OpenAI API or any OpenAI-compatible server.

        client = ow.Client(api_key="sk-...", organization="org-...")
        client.models()

    Settings fall back to OPENAI_API_KEY, OPENAI_ORG_ID, OPENAI_PROJECT_ID and
    OPENAI_BASE_URL. `timeout` is in seconds per attempt, `max_retries` counts retries
    after the first attempt. The key is never shown: `repr(client)` masks it.
    """
