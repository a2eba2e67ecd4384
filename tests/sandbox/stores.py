"""Helpers for the vector store and upload tests: a spec-checking HTTP client, files, polling."""

from __future__ import annotations

import functools
import ssl
import time
from typing import Any

import httpx

from ..conftest import TEST_KEY

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context for all the test clients: loading the CA store takes 0.2 s a client."""
    return ssl.create_default_context()


class Api:
    """JSON calls to the sandbox. A request meant to succeed is checked against the spec's request
    schema, every 200 answer against the response schema, every error for OpenAI's error shape."""

    def __init__(self, sandbox, spec) -> None:
        self.sandbox, self.spec = sandbox, spec
        self.http = httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=30, verify=_tls())

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def call(self, method: str, path: str, body: Any = None, *, status: int = 200, params=None) -> Any:
        if body is not None and status == 200:
            self.spec.validate_request(method, path, body)
        response = self.http.request(method, path, json=body, params=params)
        assert response.status_code == status, response.text
        answer = response.json()
        if status == 200:
            self.spec.validate_response(method, path, answer)
        else:
            assert set(answer["error"]) == {"message", "type", "param", "code"}
            assert answer["error"]["type"] == "invalid_request_error"
        return answer

    def get(self, path: str, **kwargs) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs) -> Any:
        return self.call("POST", path, body, **kwargs)

    def delete(self, path: str, **kwargs) -> Any:
        return self.call("DELETE", path, **kwargs)

    def error(self, method: str, path: str, body: Any = None, status: int = 400) -> dict[str, Any]:
        """The error of a request that must fail."""
        return self.call(method, path, body, status=status)["error"]

    def upload(self, filename: str, content: bytes, purpose: str = "assistants") -> str:
        """A File made with POST /files; its ID."""
        response = self.http.post(
            "/files",
            data={"purpose": purpose},
            files={"file": (filename, content, "application/octet-stream")},
        )
        assert response.status_code == 200, response.text
        self.spec.validate_response("POST", "/files", response.json())
        return response.json()["id"]

    def store(self, **body: Any) -> dict[str, Any]:
        return self.post("/vector_stores", body)

    def wait_batch(self, store_id: str, batch_id: str) -> dict[str, Any]:
        return self._wait(f"/vector_stores/{store_id}/file_batches/{batch_id}")

    def wait_store(self, store_id: str) -> dict[str, Any]:
        return self._wait(f"/vector_stores/{store_id}")

    def _wait(self, path: str) -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while True:
            answer = self.get(path)
            if answer["status"] != "in_progress" or time.monotonic() > deadline:
                return answer
            time.sleep(0.05)

    def indexed_store(self, documents: dict[str, tuple[str, dict | None]], **store: Any) -> str:
        """A store holding text files {filename: (text, attributes)}, indexed; its ID."""
        store_id = self.store(**store)["id"]
        files = [
            {"file_id": self.upload(name, text.encode()), **({"attributes": attrs} if attrs else {})}
            for name, (text, attrs) in documents.items()
        ]
        batch = self.post(f"/vector_stores/{store_id}/file_batches", {"files": files})
        assert self.wait_batch(store_id, batch["id"])["status"] == "completed"
        return store_id
