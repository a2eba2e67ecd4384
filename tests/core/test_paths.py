"""The URL check: every request path stays under the base URL, every ID fills exactly one segment."""

from __future__ import annotations

import pytest

import openai_widgets as ow
from openai_widgets._core.paths import path_id, resolve_path

GIVE = "; give a path relative to the base URL, such as 'models' or 'chat/completions'."


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("models", "models"),
        ("/models", "models"),
        ("  models  ", "models"),
        ("", ""),
        ("models/ft:gpt-4o:org::abc", "models/ft:gpt-4o:org::abc"),
        ("files/file-1/content", "files/file-1/content"),
        ("models?x=1&y=%2F", "models?x=1&y=%2F"),  # the query is kept as written
        ("models/a%20b", "models/a%20b"),
        ("models/..x", "models/..x"),  # two dots inside a segment are no '..' segment
        ("models/x..", "models/x.."),
        ("v1/models", "v1/models"),
        ("XYZ/files/X1", "XYZ/files/X1"),  # letters are never stripped nor refused
        ("models?next=../x", "models?next=../x"),  # a query cannot change the path
    ],
)
def test_relative_paths_pass_unchanged_but_for_leading_slashes_and_blanks(path, expected):
    assert resolve_path(path) == expected


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("https://evil.test/v1/models", "is an absolute URL"),
        ("HTTPS://evil.test", "is an absolute URL"),
        ("http:models", "is an absolute URL"),  # a scheme without a host
        ("mailto:someone", "is an absolute URL"),
        ("%68ttps://evil.test", "is an absolute URL"),
        ("//evil.test/models", "names another host (//host)"),
        ("  //evil.test/models", "names another host (//host)"),
        ("%2F%2Fevil.test/x", "names another host (//host)"),
        ("%252F%252Fevil.test/x", "names another host (//host)"),
        ("..", "contains a '..' or '.' segment"),
        ("../admin", "contains a '..' or '.' segment"),
        ("models/../../x", "contains a '..' or '.' segment"),
        ("models/..", "contains a '..' or '.' segment"),
        ("./models", "contains a '..' or '.' segment"),
        ("models/./x", "contains a '..' or '.' segment"),
        ("models/%2e%2e/x", "contains a '..' or '.' segment"),
        ("%2e%2e/x", "contains a '..' or '.' segment"),
        ("%252e%252e/x", "contains a '..' or '.' segment"),  # decoded twice
        ("%25252e%25252e/x", "contains a '..' or '.' segment"),  # three times
        ("%2525252e%2525252e/x", "contains a '..' or '.' segment"),  # four times
        ("///models", "names another host (//host)"),
        ("models\\..\\x", "contains a backslash or a control character"),
        ("models%5Cx", "contains a backslash or a control character"),
        ("models\r\nX: y", "contains a backslash or a control character"),
        ("models\tx", "contains a backslash or a control character"),
        ("models\x00", "contains a backslash or a control character"),
        ("models\x1b[0m", "contains a backslash or a control character"),
        ("models%0d%0aX:%20y", "contains a backslash or a control character"),
        ("models%00", "contains a backslash or a control character"),
    ],
)
def test_paths_that_could_leave_the_base_url_are_refused_saying_why(path, reason):
    with pytest.raises(ow.InvalidInputError) as info:
        resolve_path(path)
    assert str(info.value) == f"path {path!r} {reason}{GIVE}"


def test_decoding_stops_after_four_rounds():
    five_times = "%252525252e%252525252e/x"  # still encoded after four rounds: no '..' is ever seen
    assert resolve_path(five_times) == five_times


def test_a_path_that_is_not_text_is_a_type_error():
    with pytest.raises(ow.InvalidTypeError, match="path must be a string like 'models', not bytes"):
        resolve_path(b"models")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("file-abc", "file-abc"),
        ("  file-abc  ", "file-abc"),
        ("ft:gpt-4o-mini:org::abc", "ft:gpt-4o-mini:org::abc"),  # colons kept
        ("user@example", "user@example"),  # so is @
        ("a/b", "a%2Fb"),  # a slash cannot open another segment
        ("../x", "..%2Fx"),
        ("a b", "a%20b"),
        ("a?b#c", "a%3Fb%23c"),
        ("100%", "100%25"),
        ("caf\u00e9", "caf%C3%A9"),
        ("..x", "..x"),
    ],
)
def test_ids_fill_exactly_one_segment(value, expected):
    assert path_id(value, "file_id") == expected


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (".", ow.InvalidInputError, "file_id '.' is not an ID"),
        ("..", ow.InvalidInputError, "file_id '..' is not an ID"),
        (" .. ", ow.InvalidInputError, "file_id ' .. ' is not an ID"),
        (
            "",
            ow.InvalidInputError,
            "file_id is empty; pass an ID such as the ones listed by the list function",
        ),
        ("   ", ow.InvalidInputError, "file_id is empty"),
        (42, ow.InvalidTypeError, "file_id must be a string ID, not int"),
        (None, ow.InvalidTypeError, "file_id must be a string ID, not NoneType"),
    ],
)
def test_what_is_not_an_id_is_refused(value, error, message):
    with pytest.raises(error) as info:
        path_id(value, "file_id")
    assert str(info.value) == message or str(info.value).startswith(message)
