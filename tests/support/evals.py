"""Data and criteria shared by the evals tests: a small labelled DataFrame and its graders."""

from __future__ import annotations

import pandas as pd

EXACT = {"type": "string_check", "reference": "{answer}", "operation": "eq"}
CLOSE = {"type": "text_similarity", "reference": "{answer}", "evaluation_metric": "fuzzy_match"}
TEMPLATE = "Answer with the city only: {question}"


def capitals(rows: int = 12) -> pd.DataFrame:
    """Questions with their answers, a difficulty (int), a weight (float) and a flag (bool)."""
    return pd.DataFrame(
        {
            "question": [f"What is the capital of country {n}?" for n in range(rows)],
            "answer": [f"City {n}" for n in range(rows)],
            "difficulty": [n % 3 for n in range(rows)],
            "weight": [0.5 + n / 10 for n in range(rows)],
            "hard": [n % 3 == 2 for n in range(rows)],
        },
        index=[f"q{n}" for n in range(rows)],
    )


def forget_eval_files(server) -> None:
    """Drop the files uploaded for evals from a sandbox.

    The spec's File object lists no "evals" purpose (although uploads take it), so a file
    list holding one fails the spec checks of other tests that share the sandbox.
    """
    with server.state.lock:
        for file_id in [i for i, f in server.state.files.items() if f.get("purpose") == "evals"]:
            server.state.files.pop(file_id, None)
            server.state.file_contents.pop(file_id, None)
