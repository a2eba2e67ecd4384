"""%openai stores in a real IPython shell against the sandbox: create from folders, globs and
DataFrame variables, add, list files, search with JSON filters, delete saying what went."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError

from tests.support.sent import validate_sent

STORE_COLUMNS = ["id", "name", "status", "files_completed", "files_in_progress", "files_failed"]
ARTICLES = pd.DataFrame(
    {
        "text": [
            "Wind turbines turn wind into power on the coast.",
            "Solar power from panels on every roof.",
            "Wind and solar power share the grid.",
        ],
        "year": [2018, 2021, 2023],
        "lang": ["en", "en", "de"],
    },
    index=["turbines", "panels", "grid"],
)


def magic(ip, line):
    return ip.run_line_magic("openai", line)


@pytest.fixture
def quick(sandbox):
    """The sandbox indexing the files of one request over 0.1 s."""
    before = sandbox.index_seconds
    sandbox.index_seconds = 0.1
    yield sandbox
    sandbox.index_seconds = before


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    (folder / "notes").mkdir(parents=True)
    (folder / "lighthouse.txt").write_text("The lighthouse keeper lights the lamp at dusk for the ships.")
    (folder / "bread.md").write_text("# Bread\n\nKnead the dough, then let it rise.")
    (folder / "notes" / "garden.txt").write_text("Tomatoes want sun and water at the roots.")
    return folder


@pytest.fixture
def articles(ip, quick, connected):
    """A store holding ARTICLES (one document per row, year and lang as attributes)."""
    ip.user_ns["articles"] = ARTICLES
    store = magic(ip, "stores create articles --files articles")
    assert store["file_counts"]["completed"] == 3
    return store["id"]


def search_bodies(sandbox):
    return [r.json() for r in sandbox.requests_to("/vector_stores/", "POST") if r.path.endswith("/search")]


def test_create_takes_a_folder_and_a_dataframe_variable_and_waits(ip, quick, spec, docs):
    ip.user_ns["articles"] = ARTICLES
    store = magic(ip, f"stores create handbook --files {docs} articles -o made")

    assert ip.user_ns["made"] is store
    assert (store["name"], store["status"]) == ("handbook", "completed")
    assert store["file_counts"]["completed"] == 6  # three files of the folder, three rows
    batch = next(r.json() for r in quick.requests if r.path.endswith("/file_batches"))
    assert len(batch["files"]) == 6  # the rows carry their own attributes
    attributes = sorted((f.get("attributes") or {}).get("year", 0) for f in batch["files"])
    assert attributes == [0, 0, 0, 2018, 2021, 2023]
    assert validate_sent(quick, spec, prefix="/vector_stores") >= 2


def test_create_without_files_makes_an_empty_store(ip, quick):
    store = magic(ip, "stores create 'empty shelf'")
    assert (store["name"], store["file_counts"]["total"]) == ("empty shelf", 0)
    assert quick.requests_to("/files", "POST") == []


def test_add_takes_globs_and_skips_what_is_there_on_a_rerun(ip, quick, docs):
    store = magic(ip, "stores create shelf")
    added = magic(ip, f"stores add {store['id']} {docs}/*.txt {docs}/**/*.md")
    assert sorted(added["filename"]) == ["bread.md", "lighthouse.txt"]
    assert set(added["status"]) == {"completed"} and not added["skipped"].any()

    again = magic(ip, f"stores add {store['id']} {docs}/*.txt {docs}/notes/*.txt")
    assert dict(zip(again["filename"], again["skipped"], strict=True)) == {
        "lighthouse.txt": True,
        "garden.txt": False,
    }


def test_an_existing_path_wins_over_a_variable_of_the_same_name(ip, quick, docs, monkeypatch):
    monkeypatch.chdir(docs.parent)
    ip.user_ns["docs"] = ARTICLES  # `docs` is also a folder here: the folder is meant
    store = magic(ip, "stores create shelf --files docs")
    names = magic(ip, f"stores files {store['id']}")["filename"]
    assert sorted(names) == ["bread.md", "garden.txt", "lighthouse.txt"]


def test_files_lists_a_stores_files_and_their_errors(ip, quick, docs):
    (docs / "scan.pdf").write_bytes(b"%PDF-1.7\n\x00\x01 binary")
    with pytest.warns(UserWarning, match="1 of 4 files failed"):
        store = magic(ip, f"stores create shelf --files {docs}")

    listed = magic(ip, f"stores files {store['id']}")
    assert sorted(listed["filename"]) == ["bread.md", "garden.txt", "lighthouse.txt", "scan.pdf"]
    failed = magic(ip, f"stores files {store['id']} --status failed")
    assert failed["filename"].tolist() == ["scan.pdf"]
    assert failed["last_error"][0].startswith("invalid_file: ")
    assert quick.requests_to(f"/vector_stores/{store['id']}/files", "GET")[-1].query["filter"] == ["failed"]


def test_search_joins_the_query_words_and_sends_k(ip, quick, articles):
    found = magic(ip, f"stores search {articles} wind power -k 2 -o hits")

    assert ip.user_ns["hits"] is found
    assert list(found.columns) == ["rank", "score", "file_id", "filename", "text", "attributes"]
    assert found["rank"].tolist() == [1, 2]
    assert found["filename"][0] in ("row-turbines.txt", "row-grid.txt")
    assert search_bodies(quick)[-1] == {"query": "wind power", "max_num_results": 2, "rewrite_query": False}


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ('{"lang": "en"}', {"type": "eq", "key": "lang", "value": "en"}),
        ('{"year": [">=", 2021]}', {"type": "gte", "key": "year", "value": 2021}),
        ("{'year': ('<', 2021)}", {"type": "lt", "key": "year", "value": 2021}),
        ('{"lang": ["de", "fr"]}', {"type": "in", "key": "lang", "value": ["de", "fr"]}),
        (
            '{"year": [">", 2018], "lang": "en"}',
            {
                "type": "and",
                "filters": [
                    {"type": "gt", "key": "year", "value": 2018},
                    {"type": "eq", "key": "lang", "value": "en"},
                ],
            },
        ),
        (
            '{"type": "or", "filters": [{"type": "eq", "key": "lang", "value": "de"}, {"year": ["<", 2020]}]}',
            {
                "type": "or",
                "filters": [
                    {"type": "eq", "key": "lang", "value": "de"},
                    {"type": "lt", "key": "year", "value": 2020},
                ],
            },
        ),
    ],
)
def test_filter_takes_json_in_the_short_or_the_apis_form(ip, quick, spec, articles, written, sent):
    quote = "'" if written.startswith('{"') else '"'
    found = magic(ip, f"stores search {articles} power --filter {quote}{written}{quote}")

    body = search_bodies(quick)[-1]
    assert body["filters"] == sent
    spec.validate_request("POST", f"/vector_stores/{articles}/search", body)
    expected = {
        "eq": {"row-turbines.txt", "row-panels.txt"},
        "gte": {"row-panels.txt", "row-grid.txt"},
        "lt": {"row-turbines.txt"},
        "in": {"row-grid.txt"},
        "and": {"row-panels.txt"},
        "or": {"row-grid.txt", "row-turbines.txt"},
    }[sent["type"]]
    assert set(found["filename"]) == expected


def test_a_filter_in_a_variable_is_read_through_braces(ip, quick, articles):
    ip.user_ns["recent"] = {"year": (">=", 2023)}
    found = magic(ip, f"stores search {articles} power --filter {{recent}}")
    assert found["filename"].tolist() == ["row-grid.txt"]


def test_delete_says_what_it_deleted(ip, quick, articles, capsys):
    deleted = magic(ip, f"stores delete {articles}")

    assert deleted == {"id": articles, "object": "vector_store.deleted", "deleted": True}
    said = capsys.readouterr().out
    assert said.startswith(f"deleted vector store {articles} 'articles' (3 files; the files stay in Files")
    assert articles not in set(magic(ip, "stores list")["id"])
    assert quick.requests_to(f"/vector_stores/{articles}", "DELETE")


def test_list_is_the_default_action(ip, quick, articles):
    listed = magic(ip, "stores -o shelves")
    assert ip.user_ns["shelves"] is listed
    assert list(listed.columns[: len(STORE_COLUMNS)]) == STORE_COLUMNS
    row = listed[listed["id"] == articles].iloc[0]
    assert (row["name"], row["files_completed"]) == ("articles", 3)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("stores search vs_1 power --filter '{year: 1'", r"^--filter is not valid JSON \(Expecting "),
        ("stores search vs_1 power --filter '[1, 2]'", r"^--filter must be a dict \(e\.g\. "),
        (
            'stores search vs_1 power --filter \'{"year": ["~", 1], "x": []}\'',
            r"^--filter\['x'\]: 'in' needs a non-empty list of values$",
        ),
        ("stores search vs_1 power -k 0", r"^k must be from 1 to 50, not 0$"),
        ("stores search vs_1 power -k many", r"argument -k: invalid int value: 'many'"),
        ("stores search vs_1", r"^%openai stores search: the following arguments are required: QUERY "),
        ("stores add vs_1", r"^%openai stores add: the following arguments are required: PATHS "),
        ("stores add vs_1 /nowhere/at/all.txt", r"'/nowhere/at/all.txt' is not a file, a folder, "),
        ("stores create", r"^%openai stores create: the following arguments are required: NAME "),
        ("stores create shelf --files", r"argument -f/--files: expected at least one argument"),
        ("stores create shelf --files 'nothing-here/*.md'", r"the pattern 'nothing-here/\*\.md' holds no"),
        ("stores files vs_1 --status done", r"argument --status: invalid choice: 'done'"),
        ("stores search vs_1 power --status failed", r"^--status is for files, not search$"),
        ("stores delete", r"^%openai stores delete: the following arguments are required: STORE_ID "),
    ],
)
def test_mistakes_are_one_line_usage_errors_before_sending(ip, sandbox, line, message):
    with pytest.raises(UsageError, match=message) as info:
        magic(ip, line)
    assert "\n" not in str(info.value)
    assert sandbox.requests == []


def test_a_missing_store_is_named_by_the_api_error(ip, sandbox):
    with pytest.raises(UsageError, match=r"^NotFoundError: .*vs_missing"):
        magic(ip, "stores delete vs_missing")
    assert sandbox.requests_to("/vector_stores/vs_missing", "DELETE") == []  # looked up, not deleted
