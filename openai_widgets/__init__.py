"""openai_widgets: the OpenAI REST API in Jupyter.

    import openai_widgets as ow
    ow.connect()              # key from OPENAI_API_KEY, or a credential form in a notebook
    ow.models()               # a DataFrame
    %load_ext openai_widgets  # then %openai help

Every API function exists as a `Client` method and as a module-level function on the
default client (`ow.models()` is `ow.get_client().models()`). Importing this package
does not import pandas, numpy, PIL or ipywidgets: they load when first needed.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Any

from ._client import Client
from ._connection import get_client, set_client
from ._conversation import Conversation
from ._core.errors import (
    AdminKeyRequiredError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidInputError,
    InvalidJSONError,
    InvalidTypeError,
    NotConnectedError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    RateLimitError,
    StreamInterruptedError,
    UnprocessableEntityError,
)
from ._core.transport import BaseClient, RequestInfo
from ._costs.ledger import clear_usage_log, usage_log
from ._tables.records import Record
from ._version import __version__
from .widgets._front import connect, studio


def _api_names() -> list[str]:
    """Public methods the API areas add to Client (not the transport's, nor Client's own aliases)."""
    names = set()
    for cls in Client.__mro__:
        if cls not in (BaseClient, Client) and isinstance(cls, type) and issubclass(cls, BaseClient):
            names.update(
                name
                for name, value in vars(cls).items()
                if not name.startswith("_") and inspect.isfunction(value)
            )
    return sorted(names)


def _module_function(name: str) -> Any:
    method = getattr(Client, name)

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(get_client(), name)(*args, **kwargs)

    parameters = list(inspect.signature(method).parameters.values())[1:]  # without self
    call.__signature__ = inspect.signature(method).replace(parameters=parameters)
    call.__doc__ = f"{method.__doc__ or ''}\n\nRuns on the default client (see ow.connect())."
    # A function of this module, not an alias of the method: documentation tools read
    # these to decide where it lives and which signature to show.
    call.__module__ = __name__
    call.__qualname__ = name
    del call.__wrapped__  # set by functools.wraps; unwrapping would find the method again
    return call


_API_FUNCTIONS = _api_names()
globals().update({name: _module_function(name) for name in _API_FUNCTIONS})


# Names loaded on first use, so that `import openai_widgets` stays quick: the results,
# errors and helpers of one area load with that area (when a method runs, or here).
_LAZY = {
    "BulkError": "openai_widgets.bulk.errors",
    "BulkInterrupted": "openai_widgets.bulk.errors",
    "ChatResult": "openai_widgets._chat.result",
    "CostEstimate": "openai_widgets._costs.estimate",
    "ImageResult": "openai_widgets._media.image_result",
    "IndexingInterrupted": "openai_widgets._files.errors",
    "UploadError": "openai_widgets._files.errors",
    "UploadInterrupted": "openai_widgets._files.errors",
    "UploadPartial": "openai_widgets._files.parts",
    "Response": "openai_widgets._responses.result",
    "ResponseFailedError": "openai_widgets._responses.errors",
    "price_table": "openai_widgets._costs.prices",
    "set_prices": "openai_widgets._costs.prices",
    "ToolCall": "openai_widgets._responses.result",
    "ToolLoopError": "openai_widgets._responses.errors",
    "sandbox": "openai_widgets.sandbox",
    "widgets": "openai_widgets.widgets",
    "magics": "openai_widgets.magics",
    "CredentialWidget": "openai_widgets.widgets.credential",
    "Studio": "openai_widgets.widgets.studio",
    "Speech": "openai_widgets._media.speech",
    "as_matrix": "openai_widgets._embeddings.vectors",
    "cache_info": "openai_widgets._embeddings.cache",
    "clear_cache": "openai_widgets._embeddings.cache",
    "plot_embeddings": "openai_widgets._embeddings.plot",
    "plot_comparison": "openai_widgets._evals.chart",
    "plot_usage": "openai_widgets._usage.plot",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'openai_widgets' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    return module if module_name.endswith(name) else getattr(module, name)


def __dir__() -> list[str]:
    """The names loaded on first use too, so tab completion offers them before they are used."""
    return sorted(set(globals()) | set(_LAZY))


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext openai_widgets`: register the %openai magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .magics import unload_ipython_extension as unload

    unload(ipython)


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AdminKeyRequiredError",
    "AuthenticationError",
    "BadRequestError",
    "BulkError",
    "BulkInterrupted",
    "ChatResult",
    "Client",
    "ConflictError",
    "Conversation",
    "CostEstimate",
    "CredentialWidget",
    "ImageResult",
    "IndexingInterrupted",
    "InternalServerError",
    "InvalidInputError",
    "InvalidJSONError",
    "InvalidTypeError",
    "NotConnectedError",
    "NotFoundError",
    "OpenAIError",
    "PermissionDeniedError",
    "RateLimitError",
    "Record",
    "RequestInfo",
    "Response",
    "ResponseFailedError",
    "Speech",
    "StreamInterruptedError",
    "ToolCall",
    "ToolLoopError",
    "UnprocessableEntityError",
    "UploadError",
    "UploadInterrupted",
    "UploadPartial",
    "__version__",
    "as_matrix",
    "cache_info",
    "clear_cache",
    "clear_usage_log",
    "connect",
    "get_client",
    "plot_comparison",
    "plot_embeddings",
    "plot_usage",
    "price_table",
    "sandbox",
    "set_client",
    "set_prices",
    "studio",
    "usage_log",
]
__all__ += _API_FUNCTIONS  # every API area's functions, on the default client
