"""`Client`: the whole API, one mixin per area over the shared HTTP core.

Some areas call methods of others (fine-tuning and eval runs upload files, batches
download them, `estimate_cost` plans as the bulk calls do). Each such mixin declares
the methods it borrows, with their real signatures, in an `if TYPE_CHECKING:` block at
the top of its class: nothing changes at run time, where `Client` has them all, and the
type checker compares each declaration with the owner's definition here, where the
mixins are combined, so a copy that drifts from the real signature is an error.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from .api._deprecated import DeprecatedAPI
from .api.audio import AudioAPI
from .api.batches import BatchesAPI
from .api.chat import ChatAPI
from .api.chat_map import ChatMapAPI
from .api.checkpoint_permissions import CheckpointPermissionsAPI
from .api.compare_models import CompareModelsAPI
from .api.completions import CompletionsAPI
from .api.conversations import ConversationsAPI
from .api.costs import CostsAPI
from .api.custom import CustomAPI
from .api.edits import EditsAPI
from .api.embeddings import EmbeddingsAPI
from .api.files import FilesAPI
from .api.fine_tuning import FineTuningAPI
from .api.graders import GradersAPI
from .api.images import ImagesAPI
from .api.models import ModelsAPI
from .api.moderations import ModerationsAPI
from .api.respond_map import RespondMapAPI
from .api.responses import ResponsesAPI
from .api.stored_completions import StoredCompletionsAPI
from .api.usage import UsageAPI
from .api.vector_stores import VectorStoresAPI

__all__ = ["Client"]


class Client(
    ModelsAPI,
    EditsAPI,  # before ChatAPI: edits run on chat completions
    ChatAPI,
    CompletionsAPI,
    ModerationsAPI,
    EmbeddingsAPI,
    DeprecatedAPI,  # before the areas whose old names it keeps
    BatchesAPI,
    ChatMapAPI,
    ResponsesAPI,
    RespondMapAPI,
    ConversationsAPI,
    ImagesAPI,
    AudioAPI,
    VectorStoresAPI,  # before FilesAPI: stores upload their documents as files
    FilesAPI,
    FineTuningAPI,
    CheckpointPermissionsAPI,
    CompareModelsAPI,  # holds the evals and their runs
    GradersAPI,
    StoredCompletionsAPI,
    UsageAPI,
    CustomAPI,
    CostsAPI,
):
    """A connection to the OpenAI API or any OpenAI-compatible server.

        client = ow.Client(api_key="sk-...", organization="org-...")
        client.models()

    Settings fall back to OPENAI_API_KEY, OPENAI_ORG_ID, OPENAI_PROJECT_ID,
    OPENAI_BASE_URL and OPENAI_ADMIN_KEY. `timeout` is in seconds per attempt, `max_retries`
    counts retries after the first attempt. `admin_key=` (keyword only) goes to the admin
    routes alone (organization usage and costs, checkpoint permissions), the API key to
    every other. Keys are never shown: `repr(client)` masks them.

    A few things are sent differently to servers that are not OpenAI (README,
    Configuration). `openai_server` says which kind this is (None: OpenAI when the base
    URL's host is api.openai.com); `stream_usage` asks streamed chat for its token usage
    (`stream_options.include_usage`; None: on OpenAI only).
    """

    def studio(self, panel: str | None = None) -> Any:
        """Deprecated (removed in 0.3): use `ow.studio(panel, client=client)`.

        The studio is a widget, so it belongs to the presentation side; this alias reaches it
        through `importlib` for one release.
        """
        warnings.warn(
            "Client.studio() is deprecated and goes in 0.3; use ow.studio(panel, client=client)",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module("openai_widgets.widgets._front").studio(panel, client=self)
