"""The rules for what `files=` and `filters=` take, checked without a server."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import openai_widgets as ow
from openai_widgets._files.collect import collect
from openai_widgets._files.filters import filter_from_text, search_filter

# -- files= ----------------------------------------------------------------------------------


def test_a_folder_gives_its_searchable_files_in_path_order_without_hidden_ones(docs):
    documents = collect(docs)
    assert [d.filename for d in documents] == ["bread.md", "lighthouse.txt", "garden.txt"]
    assert all(d.local and d.path.is_absolute() and d.size == d.path.stat().st_size for d in documents)


def test_the_same_file_named_twice_is_one_document(docs):
    documents = collect([docs, docs / "bread.md", str(docs / "*.md"), "file-abc123", "file-abc123"])
    assert [d.filename for d in documents] == ["bread.md", "lighthouse.txt", "garden.txt", "file-abc123"]
    assert documents[-1].file_id == "file-abc123" and not documents[-1].local


def test_text_naming_a_file_wins_over_a_file_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file-abc123").write_text("a local file with an ID-like name")
    with pytest.raises(ow.InvalidInputError, match="file search does not read files without an extension"):
        collect("file-abc123")


def test_rows_are_named_by_their_index_and_shared_attributes_sit_under_their_own():
    table = pd.DataFrame(
        {"text": ["a", "b"], "lang": ["en", "de"], "n": np.array([1, 2], dtype="int32")},
        index=pd.MultiIndex.from_tuples([("x", 1), ("y/z", 2)]),
    )
    documents = collect(table, attributes={"lang": "fr", "source": "wiki"})
    assert [d.filename for d in documents] == ["row-x-1.txt", "row-y_z-2.txt"]
    assert documents[0].attributes == {"lang": "en", "source": "wiki", "n": 1}
    assert type(documents[0].attributes["n"]) is int
    with documents[1].open() as source:
        assert (source.stream.read(), source.size, source.path) == (b"b", 1, None)


def test_a_series_is_one_document_per_value_and_two_tables_must_not_clash():
    assert [d.text for d in collect(pd.Series(["one", "two"]))] == ["one", "two"]
    with pytest.raises(ow.InvalidInputError, match="two tables give a document named row-0.txt"):
        collect([pd.Series(["one"]), pd.DataFrame({"text": ["two"]})])


def test_a_table_without_text_asks_for_the_column():
    with pytest.raises(ow.InvalidInputError, match="it has no column of text; name it with text_column="):
        collect(pd.DataFrame({"n": [1, 2]}))


# -- filters= --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "api"),
    [
        ({"lang": "en"}, {"type": "eq", "key": "lang", "value": "en"}),
        ({"type": "report"}, {"type": "eq", "key": "type", "value": "report"}),  # an attribute called "type"
        ({"n": np.int64(3)}, {"type": "eq", "key": "n", "value": 3}),
        ({"ok": True}, {"type": "eq", "key": "ok", "value": True}),
        ({"tag": {"b", "a"}}, {"type": "in", "key": "tag", "value": ["a", "b"]}),
        ({"year": ("gte", 2020)}, {"type": "gte", "key": "year", "value": 2020}),
        ({"year": ("NOT IN", [1, 2])}, {"type": "nin", "key": "year", "value": [1, 2]}),
        ({"day": ("<", dt.date(2024, 1, 2))}, {"type": "lt", "key": "day", "value": 1704153600}),
        (
            {"a": 1, "b": ("!=", "x")},
            {
                "type": "and",
                "filters": [{"type": "eq", "key": "a", "value": 1}, {"type": "ne", "key": "b", "value": "x"}],
            },
        ),
    ],
)
def test_the_short_form(short, api):
    assert search_filter(short) == api


def test_api_filters_pass_through_unchanged():
    api = {
        "type": "or",
        "filters": [
            {"type": "in", "key": "k", "value": [1, 2.5]},
            {"type": "ne", "key": "x", "value": False},
        ],
    }
    assert search_filter(api) == api
    assert search_filter(None) is None


@pytest.mark.parametrize(
    ("text", "api"),
    [
        ('{"lang": "en"}', {"type": "eq", "key": "lang", "value": "en"}),
        ('{"year": [">=", 2020]}', {"type": "gte", "key": "year", "value": 2020}),
        ('{"year": ["not in", [1, 2]]}', {"type": "nin", "key": "year", "value": [1, 2]}),
        ('{"tag": ["in", "out"]}', {"type": "in", "key": "tag", "value": ["in", "out"]}),  # values, no pair
        ('{"op": [">=", "<="]}', {"type": "gte", "key": "op", "value": "<="}),
        ('{"tag": ["a", "b", "c"]}', {"type": "in", "key": "tag", "value": ["a", "b", "c"]}),
        ("{'year': ('<', 2020), 'ok': True}", search_filter({"year": ("<", 2020), "ok": True})),
        (
            '{"type": "and", "filters": [{"year": ["<", 3]}, {"type": "eq", "key": "k", "value": [">", 1]}]}',
            None,  # the API's comparison keeps its value: a list where eq compares one value is refused
        ),
        ("  ", None),
    ],
)
def test_filters_typed_as_json_or_a_python_literal(text, api):
    if api is None and text.strip():
        with pytest.raises(ow.InvalidTypeError, match=r"'eq' compares one value"):
            filter_from_text(text)
    else:
        assert filter_from_text(text) == api


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("{year: 2020", ow.InvalidInputError, r"^box is not valid JSON \(Expecting property name"),
        ("__import__('os')", ow.InvalidInputError, r"^box is not valid JSON"),
        ("[1, 2]", ow.InvalidTypeError, r"^box must be a dict \(e\.g\. "),
        ("{}", ow.InvalidInputError, r"^box is empty"),
        (b"{}", ow.InvalidTypeError, r"^box must be text \(JSON\), not bytes$"),
    ],
)
def test_typed_filters_that_cannot_be_read_name_the_box(text, error, message):
    with pytest.raises(error, match=message):
        filter_from_text(text, "box")


# -- the resume rule -------------------------------------------------------------------------


def test_each_attached_file_matches_one_document_by_name_and_size():
    from openai_widgets._files.collect import Document
    from openai_widgets._files.resume import plan

    same = [Document("a.txt", size=3, text="abc"), Document("a.txt", size=3, text="xyz")]
    other = Document("b.txt", size=5, text="hello")
    by_id = Document("file-9", file_id="file-9")
    attached = [
        {"id": "file-1", "status": "completed"},
        {"id": "file-2", "status": "failed"},
        {"id": "file-9", "status": "in_progress"},
    ]
    files = {"file-1": {"filename": "a.txt", "bytes": 3}, "file-2": {"filename": "b.txt", "bytes": 5}}

    steps = plan([*same, other, by_id, Document("file-7", file_id="file-7")], attached, files)

    assert [(s.action, s.file_id) for s in steps] == [
        ("skip", "file-1"),
        ("upload", None),  # the second a.txt: file-1 is taken
        ("add", "file-2"),  # failed in the store: added again, not uploaded
        ("skip", "file-9"),  # still indexing
        ("add", "file-7"),  # a File not in the store yet
    ]
