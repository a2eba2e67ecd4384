"""Type stub of the public names (written by tools/generate_stub.py; do not edit by hand)."""

# ruff: noqa: F401, E501

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from openai_widgets._chat.result import ChatResult
from openai_widgets._costs.estimate import CostEstimate
from openai_widgets._costs.prices import PriceOverrides
from openai_widgets._files.parts import UploadPartial
from openai_widgets._media.image_result import ImageResult
from openai_widgets._media.speech import Speech
from openai_widgets._responses.result import Response
from openai_widgets._tables.records import Record
from openai_widgets._tuning.monitor import FineTuningUpdate
from openai_widgets.api.audio import AudioSource
from openai_widgets.api.audio import Granularities
from openai_widgets.api.audio import TextFormat
from typing import Any
from typing import Literal
from typing import overload
import pandas as pd
import threading

from openai_widgets._core.errors import APIConnectionError as APIConnectionError
from openai_widgets._core.errors import APIError as APIError
from openai_widgets._core.errors import APIResponseValidationError as APIResponseValidationError
from openai_widgets._core.errors import APIStatusError as APIStatusError
from openai_widgets._core.errors import APITimeoutError as APITimeoutError
from openai_widgets._core.errors import AdminKeyRequiredError as AdminKeyRequiredError
from openai_widgets._core.errors import AuthenticationError as AuthenticationError
from openai_widgets._core.errors import BadRequestError as BadRequestError
from openai_widgets.bulk.errors import BulkError as BulkError
from openai_widgets.bulk.errors import BulkInterrupted as BulkInterrupted
from openai_widgets._chat.result import ChatResult as ChatResult
from openai_widgets._client import Client as Client
from openai_widgets._core.errors import ConflictError as ConflictError
from openai_widgets._conversation import Conversation as Conversation
from openai_widgets._costs.estimate import CostEstimate as CostEstimate
from openai_widgets.widgets.credential import CredentialWidget as CredentialWidget
from openai_widgets._media.image_result import ImageResult as ImageResult
from openai_widgets._files.errors import IndexingInterrupted as IndexingInterrupted
from openai_widgets._core.errors import InternalServerError as InternalServerError
from openai_widgets._core.errors import InvalidInputError as InvalidInputError
from openai_widgets._core.errors import InvalidJSONError as InvalidJSONError
from openai_widgets._core.errors import InvalidTypeError as InvalidTypeError
from openai_widgets._core.errors import NotConnectedError as NotConnectedError
from openai_widgets._core.errors import NotFoundError as NotFoundError
from openai_widgets._core.errors import OpenAIError as OpenAIError
from openai_widgets._core.errors import PermissionDeniedError as PermissionDeniedError
from openai_widgets._core.errors import RateLimitError as RateLimitError
from openai_widgets._tables.records import Record as Record
from openai_widgets._core.transport import RequestInfo as RequestInfo
from openai_widgets._responses.result import Response as Response
from openai_widgets._responses.errors import ResponseFailedError as ResponseFailedError
from openai_widgets._media.speech import Speech as Speech
from openai_widgets._core.errors import StreamInterruptedError as StreamInterruptedError
from openai_widgets._responses.result import ToolCall as ToolCall
from openai_widgets._responses.errors import ToolLoopError as ToolLoopError
from openai_widgets._core.errors import UnprocessableEntityError as UnprocessableEntityError
from openai_widgets._files.errors import UploadError as UploadError
from openai_widgets._files.errors import UploadInterrupted as UploadInterrupted
from openai_widgets._files.parts import UploadPartial as UploadPartial
from ._version import __version__ as __version__
from openai_widgets._embeddings.vectors import as_matrix as as_matrix
from openai_widgets._embeddings.cache import cache_info as cache_info
from openai_widgets._embeddings.cache import clear_cache as clear_cache
from openai_widgets._costs.ledger import clear_usage_log as clear_usage_log
from openai_widgets.widgets._front import connect as connect
from openai_widgets._connection import get_client as get_client
from openai_widgets._evals.chart import plot_comparison as plot_comparison
from openai_widgets._embeddings.plot import plot_embeddings as plot_embeddings
from openai_widgets._usage.plot import plot_usage as plot_usage
from openai_widgets._costs.prices import price_table as price_table
from . import sandbox as sandbox
from openai_widgets._connection import set_client as set_client
from openai_widgets._costs.prices import set_prices as set_prices
from openai_widgets.widgets._front import studio as studio
from openai_widgets._costs.ledger import usage_log as usage_log

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
    "add_conversation_items",
    "add_vector_store_files",
    "batch",
    "batch_info",
    "batch_job",
    "batch_results",
    "batches",
    "cancel_batch",
    "cancel_eval_run",
    "cancel_fine_tuning",
    "cancel_response",
    "chat",
    "chat_map",
    "checkpoint_permissions",
    "compact_response",
    "compare_models",
    "complete",
    "container_file_content",
    "conversation",
    "conversation_items",
    "count_input_tokens",
    "create_conversation",
    "create_eval",
    "create_vector_store",
    "delete_conversation",
    "delete_conversation_item",
    "delete_eval",
    "delete_eval_run",
    "delete_file",
    "delete_model",
    "delete_response",
    "delete_stored_completion",
    "delete_vector_store",
    "delete_vector_store_file",
    "edit",
    "edit_image",
    "embed",
    "estimate_cost",
    "eval",
    "eval_results",
    "eval_run",
    "eval_runs",
    "evals",
    "file",
    "file_content",
    "files",
    "fine_tune",
    "fine_tuning_checkpoints",
    "fine_tuning_events",
    "fine_tuning_job",
    "fine_tuning_jobs",
    "generate_images",
    "image_variations",
    "model",
    "models",
    "moderate",
    "org_costs",
    "org_usage",
    "pause_fine_tuning",
    "request",
    "respond",
    "respond_map",
    "response",
    "response_input_items",
    "resume_fine_tuning",
    "run_eval",
    "run_grader",
    "search",
    "search_vector_store",
    "share_checkpoint",
    "similarity",
    "speak",
    "stored_completion",
    "stored_completion_messages",
    "stored_completions",
    "transcribe",
    "translate",
    "unshare_checkpoint",
    "update_conversation",
    "update_eval",
    "update_stored_completion",
    "update_vector_store",
    "update_vector_store_file",
    "upload_file",
    "validate_grader",
    "vector_store",
    "vector_store_file_content",
    "vector_store_files",
    "vector_stores",
    "watch_fine_tuning",
]


def add_conversation_items(conversation_id: Any, items: Any) -> pd.DataFrame: ...

def add_vector_store_files(vector_store_id: str, files: Any, *, attributes: dict[str, Any] | None = None, chunking: Any = None, text_column: str | None = None, wait: bool = True) -> pd.DataFrame: ...

@overload
def batch(requests: Any, endpoint: str, *, wait: Literal[True] = True, metadata: dict[str, str] | None = None, poll_interval: float | None = None, progress: bool | None = None) -> pd.DataFrame: ...

@overload
def batch(requests: Any, endpoint: str, *, wait: Literal[False], metadata: dict[str, str] | None = None, poll_interval: float | None = None, progress: bool | None = None) -> list[Record]: ...

@overload
def batch(requests: Any, endpoint: str, *, wait: bool, metadata: dict[str, str] | None = None, poll_interval: float | None = None, progress: bool | None = None) -> pd.DataFrame | list[Record]: ...

def batch_info(batch_id: str) -> Record: ...

def batch_job(batch_id: str) -> Record: ...

def batch_results(batch_ids: str | Record | Sequence[str | Record], *, wait: bool = True, poll_interval: float | None = None, progress: bool | None = None) -> pd.DataFrame: ...

def batches(*, limit: int | None = None) -> pd.DataFrame: ...

def cancel_batch(batch_id: str) -> Record: ...

def cancel_eval_run(eval_id: str, run_id: str) -> Record: ...

def cancel_fine_tuning(job_id: str) -> Record: ...

def cancel_response(response_id: str) -> Response: ...

def chat(messages: Any, model: str | None = None, *, stream: bool = False, on_update: Callable[[ChatResult], Any] | None = None, **advanced: Any) -> ChatResult: ...

def chat_map(rows: pd.Series | pd.DataFrame, template: str, model: str | None = None, *, system: str | None = None, batch: bool = False, poll_interval: float | None = None, max_concurrency: int | None = None, requests_per_minute: float | None = None, tokens_per_minute: float | None = None, max_retries: int | None = None, progress: bool | None = None, resume: Any = None, max_cost: float | None = None, **advanced: Any) -> pd.Series: ...

def checkpoint_permissions(checkpoint: str) -> pd.DataFrame: ...

def compact_response(input: Any = None, model: str | None = None, *, previous_response_id: str | None = None, instructions: str | None = None, **advanced: Any) -> Record: ...

def compare_models(data: Any, models: Sequence[str], template: Any, criteria: Any, *, name: str | None = None, text_format: Any = None, prices: Any = None, poll_interval: float | None = None, progress: bool | None = None) -> pd.DataFrame: ...

def complete(prompt: str, model: str | None = None, **advanced: Any) -> str: ...

def container_file_content(container_id: str, file_id: str) -> bytes: ...

def conversation(conversation_id: Any) -> Record: ...

def conversation_items(conversation_id: Any, *, limit: int | None = None) -> pd.DataFrame: ...

def count_input_tokens(input: Any, model: str | None = None, *, instructions: str | None = None, tools: Any = None, text_format: Any = None, conversation: Any = None, previous_response_id: str | None = None, reasoning: Any = None, vector_store_ids: Any = None, **advanced: Any) -> int: ...

def create_conversation(items: Any = None, metadata: dict[str, str] | None = None) -> Record: ...

def create_eval(name: str, data: Any = None, *, criteria: Any, item_schema: Mapping[str, Any] | None = None, metadata: Mapping[str, str] | None = None) -> Record: ...

def create_vector_store(name: str | None = None, files: Any = None, *, chunking: Any = None, expires_after: Any = None, metadata: dict[str, str] | None = None, text_column: str | None = None, wait: bool = True) -> Record: ...

def delete_conversation(conversation_id: Any) -> Record: ...

def delete_conversation_item(conversation_id: Any, item_id: str) -> Record: ...

def delete_eval(eval_id: str) -> Record: ...

def delete_eval_run(eval_id: str, run_id: str) -> Record: ...

def delete_file(file_id: str) -> Record: ...

def delete_model(model_id: str) -> Record: ...

def delete_response(response_id: str) -> Record: ...

def delete_stored_completion(completion_id: str) -> Record: ...

def delete_vector_store(vector_store_id: str) -> Record: ...

def delete_vector_store_file(vector_store_id: str, file_id: str) -> Record: ...

def edit(input: str, instruction: str, model: str | None = None, **advanced: Any) -> str: ...

def edit_image(image: Any, prompt: str, mask: Any = None, model: str | None = None, *, n: int = 1, size: str | tuple[int, int] | None = None, stream: bool = False, partial_images: int | None = None, on_update: Callable[[ImageResult], Any] | None = None, **advanced: Any) -> ImageResult: ...

def embed(input: Any, model: str | None = None, *, user: str | None = None, limit: int | None = None, dimensions: int | None = None, chunk_long: bool = False, cache: Any = None, batch: bool = False, poll_interval: float | None = None, max_concurrency: int | None = None, requests_per_minute: float | None = None, tokens_per_minute: float | None = None, max_retries: int | None = None, progress: bool | None = None, resume: Any = None, max_cost: float | None = None) -> pd.DataFrame: ...

@overload
def estimate_cost(call: Literal["embed", "moderate"], input: Any, model: str | None = None, *, prices: PriceOverrides | None = None, **settings: Any) -> CostEstimate: ...

@overload
def estimate_cost(call: Literal["chat_map", "respond_map"], rows: Any, template: str, model: str | None = None, *, prices: PriceOverrides | None = None, **settings: Any) -> CostEstimate: ...

@overload
def estimate_cost(call: Literal["batch"], requests: Any, endpoint: str, *, prices: PriceOverrides | None = None, **settings: Any) -> CostEstimate: ...

@overload
def estimate_cost(call: str | Callable[..., Any], *args: Any, prices: PriceOverrides | None = None, **settings: Any) -> CostEstimate: ...

def eval(eval_id: str) -> Record: ...

def eval_results(eval_id: str, run_id: str, *, status: str | None = None) -> pd.DataFrame: ...

def eval_run(eval_id: str, run_id: str) -> Record: ...

def eval_runs(eval_id: str, *, status: str | None = None) -> pd.DataFrame: ...

def evals() -> pd.DataFrame: ...

def file(file_id: str) -> Record: ...

@overload
def file_content(file_id: str, *, as_frame: Literal[False] = False) -> bytes: ...

@overload
def file_content(file_id: str, *, as_frame: Literal[True]) -> pd.DataFrame: ...

@overload
def file_content(file_id: str, *, as_frame: bool) -> bytes | pd.DataFrame: ...

def files(*, purpose: str | None = None) -> pd.DataFrame: ...

def fine_tune(training: Any, model: str | None = None, *, method: str | Mapping[str, Any] | None = "supervised", hyperparameters: Mapping[str, Any] | None = None, grader: Mapping[str, Any] | None = None, validation: Any = None, suffix: str | None = None, seed: int | None = None, integrations: Sequence[Mapping[str, Any]] | None = None, metadata: Mapping[str, str] | None = None) -> Record: ...

def fine_tuning_checkpoints(job_id: str) -> pd.DataFrame: ...

def fine_tuning_events(job_id: str, *, follow: bool = False, poll_interval: float = 2.0) -> pd.DataFrame: ...

def fine_tuning_job(job_id: str) -> Record: ...

def fine_tuning_jobs() -> pd.DataFrame: ...

def generate_images(prompt: str, model: str | None = None, *, n: int = 1, size: str | tuple[int, int] | None = None, quality: str | None = None, style: str | None = None, stream: bool = False, partial_images: int | None = None, on_update: Callable[[ImageResult], Any] | None = None, **advanced: Any) -> ImageResult: ...

def image_variations(image: Any, model: str | None = None, *, n: int = 1, size: str | tuple[int, int] | None = None, **advanced: Any) -> ImageResult: ...

def model(model_id: str) -> Record: ...

def models() -> pd.DataFrame: ...

def moderate(input: str | Sequence[str] | pd.Series, model: str | None = None, *, max_concurrency: int | None = None, requests_per_minute: float | None = None, tokens_per_minute: float | None = None, max_retries: int | None = None, progress: bool | None = None, resume: Any = None, max_cost: float | None = None) -> pd.DataFrame: ...

def org_costs(start: Any, end: Any = None, *, group_by: str | Sequence[str] | None = None, projects: str | Sequence[str] | None = None) -> pd.DataFrame: ...

def org_usage(kind: str, start: Any, end: Any = None, *, bucket: str = "1d", group_by: str | Sequence[str] | None = None, models: str | Sequence[str] | None = None, projects: str | Sequence[str] | None = None) -> pd.DataFrame: ...

def pause_fine_tuning(job_id: str) -> Record: ...

def request(method: str, path: str, *, headers: Mapping[str, str] | str | None = None, query: Mapping[str, Any] | str | None = None, body: Any = None, timeout: float | None = None) -> Any: ...

def respond(input: Any, model: str | None = None, *, instructions: str | None = None, tools: Any = None, text_format: Any = None, conversation: Any = None, previous_response_id: str | None = None, stream: bool = False, background: bool = False, reasoning: Any = None, store: bool | None = None, max_tool_rounds: int = 8, vector_store_ids: Any = None, confirm: Any = False, on_update: Callable[[Response], Any] | None = None, **advanced: Any) -> Response: ...

@overload
def respond_map(rows: pd.Series | pd.DataFrame, template: str, model: str | None = None, *, instructions: str | None = None, text_format: None = None, tools: Any = None, vector_store_ids: Any = None, reasoning: Any = None, batch: bool = False, poll_interval: float | None = None, max_concurrency: int | None = None, requests_per_minute: float | None = None, tokens_per_minute: float | None = None, max_retries: int | None = None, progress: bool | None = None, resume: Any = None, max_cost: float | None = None, **advanced: Any) -> pd.Series: ...

@overload
def respond_map(rows: pd.Series | pd.DataFrame, template: str, model: str | None = None, *, instructions: str | None = None, text_format: type | dict[str, Any], tools: Any = None, vector_store_ids: Any = None, reasoning: Any = None, batch: bool = False, poll_interval: float | None = None, max_concurrency: int | None = None, requests_per_minute: float | None = None, tokens_per_minute: float | None = None, max_retries: int | None = None, progress: bool | None = None, resume: Any = None, max_cost: float | None = None, **advanced: Any) -> pd.DataFrame: ...

@overload
def respond_map(rows: pd.Series | pd.DataFrame, template: str, model: str | None = None, *, instructions: str | None = None, text_format: Any = None, tools: Any = None, vector_store_ids: Any = None, reasoning: Any = None, batch: bool = False, poll_interval: float | None = None, max_concurrency: int | None = None, requests_per_minute: float | None = None, tokens_per_minute: float | None = None, max_retries: int | None = None, progress: bool | None = None, resume: Any = None, max_cost: float | None = None, **advanced: Any) -> pd.Series | pd.DataFrame: ...

def response(response_id: str) -> Response: ...

def response_input_items(response_id: str, *, limit: int | None = None) -> pd.DataFrame: ...

def resume_fine_tuning(job_id: str) -> Record: ...

@overload
def run_eval(eval_id: str, data: Any, model: str | None = None, *, template: Any = None, text_format: Any = None, name: str | None = None, wait: Literal[True] = True, metadata: Mapping[str, str] | None = None, poll_interval: float | None = None, progress: bool | None = None) -> pd.DataFrame: ...

@overload
def run_eval(eval_id: str, data: Any, model: str | None = None, *, template: Any = None, text_format: Any = None, name: str | None = None, wait: Literal[False], metadata: Mapping[str, str] | None = None, poll_interval: float | None = None, progress: bool | None = None) -> Record: ...

@overload
def run_eval(eval_id: str, data: Any, model: str | None = None, *, template: Any = None, text_format: Any = None, name: str | None = None, wait: bool = True, metadata: Mapping[str, str] | None = None, poll_interval: float | None = None, progress: bool | None = None) -> pd.DataFrame | Record: ...

def run_grader(grader: Mapping[str, Any], item: Any, sample: Any) -> Record: ...

def search(frame: pd.DataFrame, query: Any, *, k: int = 5, model: str | None = None) -> pd.DataFrame: ...

def search_vector_store(vector_store_id: str, query: str | list[str], *, k: int = 10, filters: dict[str, Any] | None = None, rewrite_query: bool = False, ranking: Any = None) -> pd.DataFrame: ...

def share_checkpoint(checkpoint: str, project_ids: Any) -> pd.DataFrame: ...

def similarity(a: Any, b: Any = None, *, k: int | None = None, model: str | None = None) -> pd.DataFrame: ...

def speak(text: str, model: str | None = None, *, voice: str | dict[str, str] = "alloy", format: str = "mp3", speed: float | None = None, instructions: str | None = None) -> Speech: ...

def stored_completion(completion_id: str) -> Record: ...

def stored_completion_messages(completion_id: str) -> pd.DataFrame: ...

def stored_completions(model: str | None = None, *, metadata: Mapping[str, str] | None = None) -> pd.DataFrame: ...

@overload
def transcribe(file: list[Any] | tuple[Any, ...], model: str | None = None, *, language: str | None = None, prompt: str | None = None, response_format: str | None = None, temperature: float | None = None, timestamp_granularities: Granularities | None = None, limit: int | None = None, stream: bool = False, on_update: Callable[[str], Any] | None = None) -> pd.DataFrame: ...

@overload
def transcribe(file: AudioSource, model: str | None = None, *, language: str | None = None, prompt: str | None = None, response_format: TextFormat | None = None, temperature: float | None = None, timestamp_granularities: None = None, limit: int | None = None, stream: bool = False, on_update: Callable[[str], Any] | None = None) -> str: ...

@overload
def transcribe(file: AudioSource, model: str | None = None, *, language: str | None = None, prompt: str | None = None, response_format: Literal["verbose_json"], temperature: float | None = None, timestamp_granularities: Granularities | None = None, limit: int | None = None, stream: bool = False, on_update: Callable[[str], Any] | None = None) -> pd.DataFrame: ...

@overload
def transcribe(file: AudioSource, model: str | None = None, *, language: str | None = None, prompt: str | None = None, response_format: Literal["verbose_json"] | None = None, temperature: float | None = None, timestamp_granularities: Granularities, limit: int | None = None, stream: bool = False, on_update: Callable[[str], Any] | None = None) -> pd.DataFrame: ...

@overload
def transcribe(file: Any, model: str | None = None, *, language: str | None = None, prompt: str | None = None, response_format: str | None = None, temperature: float | None = None, timestamp_granularities: Granularities | None = None, limit: int | None = None, stream: bool = False, on_update: Callable[[str], Any] | None = None) -> str | pd.DataFrame: ...

@overload
def translate(file: list[Any] | tuple[Any, ...], model: str | None = None, *, prompt: str | None = None, response_format: str | None = None, temperature: float | None = None, limit: int | None = None) -> pd.DataFrame: ...

@overload
def translate(file: AudioSource, model: str | None = None, *, prompt: str | None = None, response_format: TextFormat | None = None, temperature: float | None = None, limit: int | None = None) -> str: ...

@overload
def translate(file: AudioSource, model: str | None = None, *, prompt: str | None = None, response_format: Literal["verbose_json"], temperature: float | None = None, limit: int | None = None) -> pd.DataFrame: ...

@overload
def translate(file: Any, model: str | None = None, *, prompt: str | None = None, response_format: str | None = None, temperature: float | None = None, limit: int | None = None) -> str | pd.DataFrame: ...

def unshare_checkpoint(checkpoint: str, permission_id: str) -> Record: ...

def update_conversation(conversation_id: Any, metadata: dict[str, str]) -> Record: ...

def update_eval(eval_id: str, *, name: str | None = None, metadata: Mapping[str, str] | None = None) -> Record: ...

def update_stored_completion(completion_id: str, metadata: Mapping[str, str]) -> Record: ...

def update_vector_store(vector_store_id: str, *, name: str | None = ..., expires_after: Any = ..., metadata: dict[str, str] | None = ...) -> Record: ...

def update_vector_store_file(vector_store_id: str, file_id: str, attributes: dict[str, Any]) -> Record: ...

def upload_file(file: Any, purpose: str, *, filename: str | None = None, method: str | None = None, resume: UploadPartial | None = None) -> Record: ...

def validate_grader(grader: Mapping[str, Any]) -> Record: ...

def vector_store(vector_store_id: str) -> Record: ...

def vector_store_file_content(vector_store_id: str, file_id: str) -> str: ...

def vector_store_files(vector_store_id: str, *, status: str | None = None) -> pd.DataFrame: ...

def vector_stores() -> pd.DataFrame: ...

def watch_fine_tuning(job_id: str, *, poll_interval: float = 2.0, stop: threading.Event | None = None) -> Iterator[FineTuningUpdate]: ...
