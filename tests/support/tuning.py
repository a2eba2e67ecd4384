"""Helpers and fixtures shared by the files and fine-tuning tests."""

from __future__ import annotations

import json

import pytest

import openai_widgets as ow
from openai_widgets.sandbox import Sandbox
from tests.conftest import TEST_KEY


def examples(count: int = 12, start: int = 0) -> list[dict]:
    """Chat examples in OpenAI's fine-tuning format."""
    return [
        {
            "messages": [
                {"role": "system", "content": "Answer in one word."},
                {"role": "user", "content": f"question {n}"},
                {"role": "assistant", "content": f"answer {n}"},
            ]
        }
        for n in range(start, start + count)
    ]


def jsonl(rows: list) -> bytes:
    return ("\n".join(json.dumps(row) for row in rows) + "\n").encode()


@pytest.fixture
def quick_jobs(sandbox):
    """Fine-tuning jobs in the session sandbox take 0.3 s."""
    before = sandbox.job_seconds
    sandbox.job_seconds = 0.3
    yield sandbox
    sandbox.job_seconds = before


@pytest.fixture
def fresh():
    """A private sandbox (empty state) and a client on it, for tests that count everything."""
    with Sandbox(job_seconds=0.3) as server, ow.Client(api_key=TEST_KEY, base_url=server.base_url) as made:
        made.sleep = lambda seconds: None
        yield server, made


def validate_multipart_upload(spec, logged) -> None:
    """The logged POST /files fits the spec's CreateFileRequest."""
    fields, files = logged.form()
    spec.validate_multipart("POST", "/files", fields, files)
