"""Token counting: exact through tiktoken (a tiny vocabulary stands in for cl100k_base), else the estimate."""

from __future__ import annotations

import threading

import pytest

from openai_widgets._embeddings import tokens as _tokens
from tests.support.tokenizer import installed_as

MODEL = "text-embedding-3-small"


@pytest.fixture
def fresh():
    """No encoding remembered from an earlier test, none left for a later one."""
    _tokens._load_encoding.cache_clear()
    yield
    _tokens._load_encoding.cache_clear()


@pytest.fixture
def tiny(fresh):
    """tiktoken answers cl100k_base (what every embedding model uses) with the tiny vocabulary."""
    with installed_as("cl100k_base") as encoding:
        yield encoding


# -- the estimate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("a", 1),
        ("ab", 1),
        ("abc", 1),
        ("abcd", 2),
        ("abcdef", 2),
        ("abcdefg", 3),
        ("x" * 3000, 1000),
        ("", 1),  # never 0: every input costs something
        ("\u00e9", 1),  # 2 bytes
        ("\u00e9\u00e9", 2),  # 4 bytes
        ("a\u00e9", 2),  # 3 bytes: beyond ASCII, every byte counts
        ("\u65e5\u672c\u8a9e", 5),  # 9 bytes
        ("\U0001f600", 2),  # 4 bytes
        ("\u00e9" * 100, 100),
    ],
)
def test_the_estimate_is_a_third_of_the_characters_in_ascii_and_half_the_bytes_beyond(text, tokens):
    assert _tokens.estimate_counts([text]) == [tokens]
    assert _tokens.estimate_tokens(text) == tokens


def test_the_estimate_counts_each_text_on_its_own():
    assert _tokens.estimate_counts(["abcd", "\u00e9\u00e9\u00e9", ""]) == [2, 3, 1]
    assert _tokens.estimate_counts([]) == []


def test_without_tiktoken_counts_are_estimated(monkeypatch):
    monkeypatch.setattr(_tokens, "encoding_for", lambda model: None)
    assert _tokens.count_tokens(["abcdef", "\u00e9\u00e9"], MODEL) == ([2, 2], False)


@pytest.mark.parametrize(
    ("text", "max_tokens"),
    [
        ("alpha beta gamma delta " * 40, 50),
        ("x" * 1000, 100),  # no spaces: cut anywhere
        ("\u00e9t\u00e9 " * 300, 64),  # beyond ASCII: bytes count
        ("word " * 10, 1000),  # short enough: one piece
        ("ab", 1),
        ("\U0001f600\u00e9" + "a" * 40, 2),  # the cut shrinks past two wide characters
        ("\u00e9a" * 50 + " " + "\u00e9" * 50, 7),
    ],
)
def test_the_estimate_splits_into_pieces_that_fit_and_lose_nothing(monkeypatch, text, max_tokens):
    monkeypatch.setattr(_tokens, "encoding_for", lambda model: None)
    pieces = _tokens.split_text(text, MODEL, max_tokens)
    assert "".join(piece for piece, _ in pieces) == text
    assert all(count == _tokens.estimate_tokens(piece) <= max_tokens for piece, count in pieces)
    assert all(piece for piece, _ in pieces)


def test_the_estimate_cuts_between_words_where_it_can(monkeypatch):
    monkeypatch.setattr(_tokens, "encoding_for", lambda model: None)
    pieces = _tokens.split_text("alpha beta gamma delta " * 40, MODEL, 50)
    assert [count for _, count in pieces] == [50, 50, 50, 48, 48, 48, 14]
    assert all(piece.endswith(" ") for piece, _ in pieces)  # a word is never cut in two
    assert pieces[0][0] == "alpha beta gamma delta " * 6 + "alpha beta "


def test_a_text_without_spaces_is_cut_at_the_budget(monkeypatch):
    monkeypatch.setattr(_tokens, "encoding_for", lambda model: None)
    assert [(len(p), n) for p, n in _tokens.split_text("x" * 1000, MODEL, 100)] == [
        (299, 100),
        (299, 100),
        (300, 100),
        (102, 34),
    ]


@pytest.mark.parametrize(
    ("text", "max_tokens", "pieces"),
    [
        ("x" * 300, 100, [("x" * 300, 100)]),  # exactly the budget: one piece
        ("x" * 295 + " abcd", 100, [("x" * 295 + " abcd", 100)]),  # ... even with a space near its end
        ("ab\u00e9", 1, [("a", 1), ("b", 1), ("\u00e9", 1)]),  # the smallest cut is one character
        ("\U0001f600\U0001f600", 1, [("\U0001f600", 2), ("\U0001f600", 2)]),  # a character over the budget
        ("ab " + "x" * 400, 100, [("ab " + "x" * 295, 100), ("x" * 105, 35)]),  # a space far back is no cut
        ("x" * 295 + " " + "x" * 100, 100, [("x" * 295 + " ", 99), ("x" * 100, 34)]),  # one near the cut is
    ],
)
def test_estimated_pieces_exactly(monkeypatch, text, max_tokens, pieces):
    monkeypatch.setattr(_tokens, "encoding_for", lambda model: None)
    assert _tokens.split_text(text, MODEL, max_tokens) == pieces


def test_the_default_budget_is_the_per_input_limit(monkeypatch):
    monkeypatch.setattr(_tokens, "encoding_for", lambda model: None)
    text = "x" * (3 * 8192 + 3)
    assert [n for _, n in _tokens.split_text(text, MODEL)] == [8192, 1]
    assert (_tokens.MAX_INPUT_TOKENS, _tokens.MAX_REQUEST_TOKENS, _tokens.MAX_REQUEST_INPUTS) == (
        8192,
        300_000,
        2048,
    )


# -- exact counts through tiktoken ------------------------------------------------------------------


def test_tiktoken_counts_exactly_with_the_models_encoding(tiny):
    texts = ["the word and alpha", "hello world", "caf\u00e9 au lait", ""]
    counts, exact = _tokens.count_tokens(texts, MODEL)
    assert exact is True
    assert counts == [4, 8, 11, 0] == [len(tiny.encode_ordinary(t)) for t in texts]


def test_each_model_gets_its_own_encoding(fresh):
    with installed_as("o200k_base") as o200k, installed_as("cl100k_base") as cl100k:
        assert _tokens.encoding_for("gpt-4o") is o200k
        assert _tokens.encoding_for(MODEL) is cl100k


def test_counting_and_splitting_use_the_models_encoding(fresh):
    with installed_as("o200k_base") as o200k:  # cl100k_base is not to be had
        assert _tokens.count_tokens(["the word"], "gpt-4o") == (
            [len(o200k.encode_ordinary("the word"))],
            True,
        )
        assert _tokens.split_text("the word", "gpt-4o", 100) == [("the word", 2)]
        assert _tokens.count_tokens(["abcdef"], MODEL) == ([2], False)


def test_every_embedding_model_uses_the_same_encoding(tiny):
    for model in (MODEL, "text-embedding-3-large", "text-embedding-ada-002", "an-unknown-model"):
        assert _tokens.encoding_for(model) is tiny


def test_the_encoding_is_loaded_once(tiny, monkeypatch):
    import tiktoken

    calls = []
    real = tiktoken.get_encoding
    monkeypatch.setattr(tiktoken, "get_encoding", lambda name: calls.append(name) or real(name))
    for _ in range(3):
        _tokens.count_tokens(["x"], MODEL)
    assert calls == ["cl100k_base"]


def test_tiktoken_loads_in_a_thread_of_its_own(tiny, monkeypatch):
    import tiktoken

    where = []
    real = tiktoken.get_encoding
    monkeypatch.setattr(
        tiktoken, "get_encoding", lambda name: where.append(threading.current_thread()) or real(name)
    )
    assert _tokens.encoding_for(MODEL) is tiny
    assert (
        where[0] is not threading.current_thread() and where[0].name == "openai-tiktoken" and where[0].daemon
    )


def test_a_load_that_hangs_gives_up_after_the_timeout(fresh, monkeypatch):
    import tiktoken

    release = threading.Event()
    monkeypatch.setattr(_tokens, "LOAD_TIMEOUT", 0.2)
    monkeypatch.setattr(tiktoken, "get_encoding", lambda name: release.wait(5))
    try:
        assert _tokens.encoding_for(MODEL) is None
        assert _tokens.count_tokens(["abcdef"], MODEL) == ([2], False)
    finally:
        release.set()


def test_a_load_that_fails_falls_back_to_the_estimate(fresh, monkeypatch):
    import tiktoken

    def offline(name):
        raise OSError("no network")

    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    assert _tokens.count_tokens(["abcdef", "\u00e9\u00e9"], MODEL) == ([2, 2], False)


def test_without_tiktoken_installed_there_is_no_encoding(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tiktoken", None)  # import tiktoken raises ImportError
    assert _tokens.encoding_for(MODEL) is None


def test_tiktoken_splits_on_token_boundaries_with_room_to_spare(tiny):
    text = "the word and alpha, " * 60
    pieces = _tokens.split_text(text, MODEL, 40)
    assert "".join(piece for piece, _ in pieces) == text
    assert all(count == len(tiny.encode_ordinary(piece)) for piece, count in pieces)
    assert all(count <= 40 - 16 for piece, count in pieces)  # 16 tokens kept free
    assert [count for _, count in pieces] == [24] * (len(tiny.encode_ordinary(text)) // 24) + (
        [len(tiny.encode_ordinary(text)) % 24] if len(tiny.encode_ordinary(text)) % 24 else []
    )


def test_tiktoken_splitting_a_tiny_budget_still_moves_on(tiny):
    pieces = _tokens.split_text("the word", MODEL, 1)  # below the spare room: one token a piece
    assert pieces == [("the", 1), (" word", 1)]


def test_an_empty_text_has_no_pieces_with_tiktoken(tiny):
    assert _tokens.split_text("", MODEL) == []
