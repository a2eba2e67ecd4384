"""Models: list and retrieve, as functions, magics and against the sandbox."""

from __future__ import annotations

import httpx
import pandas as pd
import pytest

import openai_widgets as ow
from tests.conftest import TEST_KEY


def test_models_is_a_dataframe_newest_first(connected, sandbox):
    frame = ow.models()
    assert list(frame.columns) == ["id", "created", "owned_by"]
    assert isinstance(frame["created"].dtype, pd.DatetimeTZDtype) and str(frame["created"].dt.tz) == "UTC"
    assert pd.api.types.is_string_dtype(frame["id"])
    assert frame["created"].is_monotonic_decreasing
    assert frame.loc[frame["id"] == "gpt-4o-mini", "created"].iloc[0] == pd.Timestamp(
        1721172741, unit="s", tz="UTC"
    )
    assert len(frame) == len(sandbox.state.models)
    assert sandbox.requests_to("/models")[-1].headers["authorization"] == f"Bearer {TEST_KEY}"


def test_an_empty_model_list_keeps_its_columns_and_dtypes():
    client = ow.Client(
        api_key=TEST_KEY,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"object": "list", "data": []})),
    )
    frame = client.models()
    assert list(frame.columns) == ["id", "created", "owned_by"] and frame.empty
    assert isinstance(frame["created"].dtype, pd.DatetimeTZDtype)


def test_fields_the_api_adds_later_are_kept():
    data = [{"id": "m", "object": "model", "created": 1, "owned_by": "me", "shutdown_date": "2027-01-01"}]
    client = ow.Client(
        api_key=TEST_KEY,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"object": "list", "data": data})),
    )
    assert list(client.models().columns) == ["id", "created", "owned_by", "shutdown_date"]


def test_model_returns_a_record(connected):
    record = ow.model("dall-e-3")
    assert isinstance(record, dict) and isinstance(record, ow.Record)
    assert record == {"id": "dall-e-3", "object": "model", "created": 1698785189, "owned_by": "system"}
    assert "<table>" in record._repr_html_() and "2023-10-31" in record._repr_html_()


def test_unknown_model_is_not_found(connected):
    with pytest.raises(ow.NotFoundError) as info:
        ow.model("gpt-99")
    assert info.value.code == "model_not_found" and "`gpt-99` does not exist" in str(info.value)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", ow.InvalidInputError),
        ("  ", ow.InvalidInputError),
        ("..", ow.InvalidInputError),
        (None, ow.InvalidTypeError),
        (42, ow.InvalidTypeError),
    ],
)
def test_bad_model_ids_are_refused_before_sending(connected, sandbox, value, error):
    with pytest.raises(error):
        ow.model(value)
    assert sandbox.requests == []


def test_model_ids_are_encoded_in_the_path(connected, sandbox):
    with pytest.raises(ow.NotFoundError):
        ow.model("ft:gpt-4o-mini:org:my/odd:id")
    assert sandbox.requests[-1].path == "/models/ft:gpt-4o-mini:org:my/odd:id"
    assert sandbox.requests[-1].target == "/v1/models/ft:gpt-4o-mini:org:my%2Fodd:id"


def test_models_magic(ip):
    frame = ip.run_line_magic("openai", "models")
    assert list(frame.columns) == ["id", "created", "owned_by"]
    found = ip.run_line_magic("openai", "models --search EMBEDDING -o emb")
    assert set(found["id"]) == {"text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"}
    assert ip.user_ns["emb"] is found
    assert ip.run_line_magic("openai", "models whisper-1")["owned_by"] == "openai-internal"
