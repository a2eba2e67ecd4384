"""The sandbox's in-memory world: models, files, jobs, batches, stores, responses, evals, usage, IDs."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from typing import Any

from ._catalog import model_records
from ._http import ApiError
from ._usage import UsageLedger

__all__ = ["State"]


class State:
    """Everything the sandbox remembers; guard writes with `lock`."""

    def __init__(self, seed: int = 0) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.models: dict[str, dict[str, Any]] = model_records()
        self.files: dict[str, dict[str, Any]] = {}  # id -> file object
        self.file_contents: dict[str, bytes | bytearray] = {}  # an Upload's file stays in its buffer
        self.fine_tuning_jobs: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.vector_stores: dict[str, dict[str, Any]] = {}  # see routes/_vector_index
        self.uploads: dict[str, dict[str, Any]] = {}  # see routes/uploads
        self.images: dict[str, bytes] = {}  # served at /sandbox/images/<name>
        # The Responses API's world: stored responses, conversations, code interpreter containers.
        self.responses: dict[str, dict[str, Any]] = {}  # id -> entry (routes/responses.py)
        self.conversations: dict[str, dict[str, Any]] = {}  # id -> entry (routes/conversations.py)
        self.containers: dict[str, dict[str, Any]] = {}  # id -> entry (routes/containers.py)
        self.evals: dict[str, Any] = {}  # id -> routes.evals.StoredEval
        self.eval_runs: dict[str, Any] = {}  # run id -> _eval_runs.EvalRun
        self.stored_completions: dict[str, dict[str, Any]] = {}  # id -> completion and messages
        self.checkpoint_permissions: dict[str, list[dict[str, Any]]] = {}  # checkpoint -> permissions
        self.usage = UsageLedger()  # what was served, for /organization/usage and /costs
        self._counter = itertools.count(1)

    def new_id(self, prefix: str, separator: str = "-") -> str:
        """A fresh ID in OpenAI's shape (`file-...`, `ftjob-...`, `eval_...`), deterministic per seed."""
        number = next(self._counter)
        digest = hashlib.sha256(f"{self.seed}:{prefix}:{number}".encode()).hexdigest()
        return f"{prefix}{separator}{digest[:24]}"

    @staticmethod
    def now() -> int:
        return int(time.time())

    def model(self, model_id: Any, *, param: str = "model") -> dict[str, Any]:
        """The model record, or OpenAI's 400/404 for a missing or unknown model."""
        if not model_id or not isinstance(model_id, str):
            raise ApiError(400, f"you must provide a {param} parameter", param=param)
        with self.lock:
            record = self.models.get(model_id)
        if record is None:
            raise ApiError(
                404,
                f"The model `{model_id}` does not exist or you do not have access to it.",
                param=param,
                code="model_not_found",
            )
        return record
