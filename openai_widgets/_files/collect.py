"""What `files=` takes when documents go into a vector store, collected into one list.

Each item (a list may mix them) is read by the first rule that fits:

1. A DataFrame: one document per row. Its text comes from `text_column`, else from a
   column named `text`, else from the only column of strings; every other column becomes
   an attribute of the row's document (text, numbers, booleans; dates as Unix seconds;
   missing cells left out). The document is named `row-<index label>.txt`.
2. A Series of strings: one document per value, named the same way, without attributes.
3. A path (text or `Path`) of a file: that file. Its extension must be one that file
   search reads (`formats.SEARCHABLE`: .txt .md .pdf .docx .html .json .py ...).
4. A path of a folder: every such file in it and its subfolders, in path order; other
   files, and hidden files and folders (names starting with "."), are skipped.
5. Text with `*`, `?` or `[`: a glob pattern (`**` crosses folders): the matching files
   with such an extension.
6. Text shaped like a File ID (`file-abc123`) that names no local path: a File already
   uploaded, used as it is.

Everything is checked before anything is sent: paths exist, files are at most 512 MB
(file search's limit), patterns and folders find at least one file, tables have text.
"""

from __future__ import annotations

import glob
import io
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._core.errors import InvalidInputError, InvalidTypeError
from .._tables.jsonl import is_frame
from .formats import SEARCHABLE, extension, is_searchable
from .sources import Source
from .store_options import MAX_PAIRS, attribute_value, attributes_option

__all__ = ["MAX_DOCUMENT_BYTES", "Document", "collect"]

MAX_DOCUMENT_BYTES = 512 * 1024**2  # file search's largest file
_FILE_ID = re.compile(r"^file[-_][A-Za-z0-9_-]+$")
_GLOB = re.compile(r"[*?\[]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Document:
    """One document for a store: a File already uploaded, a local file, or a table row's text."""

    filename: str
    size: int | None = None  # bytes, for local documents
    file_id: str | None = None
    path: Path | None = None
    text: str | None = None
    attributes: dict[str, Any] | None = None

    @property
    def local(self) -> bool:
        """Whether it must be uploaded first."""
        return self.file_id is None

    @contextmanager
    def open(self) -> Iterator[Source]:
        if self.path is not None:
            with self.path.open("rb") as stream:
                yield Source(stream, self.filename, self.size or 0, self.path)
        else:
            data = (self.text or "").encode("utf-8")
            yield Source(io.BytesIO(data), self.filename, len(data))


def collect(
    files: Any, *, text_column: str | None = None, attributes: Mapping[str, Any] | None = None
) -> list[Document]:
    """The documents `files` names (see the module's rules), each with `attributes` under its own."""
    shared = attributes_option(attributes) or {}
    if text_column is not None and not isinstance(text_column, str):
        raise InvalidTypeError(f"text_column must be a column name, not {type(text_column).__name__}")
    items = list(files) if isinstance(files, (list, tuple)) else [files]
    if not items:
        raise InvalidInputError(
            "files is empty; give paths, a folder, a glob pattern, File IDs or a DataFrame"
        )
    documents: dict[Any, Document] = {}
    names: set[str] = set()
    for item in items:
        for document in _documents(item, text_column):
            key = document.file_id or document.path or document.filename
            if document.text is not None:
                if document.filename in names:
                    raise InvalidInputError(
                        f"two tables give a document named {document.filename}; "
                        "join them first (pd.concat(..., ignore_index=True))"
                    )
                names.add(document.filename)
            documents.setdefault(key, _with_shared(document, shared))
    return list(documents.values())


def _documents(item: Any, text_column: str | None) -> list[Document]:
    if is_frame(item):
        return _rows(item, text_column)
    if type(item).__name__ == "Series" and type(item).__module__.startswith("pandas"):
        name = item.name if isinstance(item.name, str) and item.name else "text"
        return _rows(item.to_frame(name=name), name)
    if isinstance(item, os.PathLike):
        return _local(Path(item).expanduser(), str(item))
    if isinstance(item, str):
        return _text_item(item)
    raise InvalidTypeError(
        f"files takes paths, folders, glob patterns, File IDs, DataFrames or a list of these, "
        f"not {type(item).__name__}"
    )


def _text_item(item: str) -> list[Document]:
    text = item.strip()
    path = Path(text).expanduser()
    if text and path.exists():
        return _local(path, item)
    if _GLOB.search(text):
        return _pattern(text)
    if _FILE_ID.match(text):
        return [Document(filename=text, file_id=text)]
    raise InvalidInputError(
        f"{item!r} is not a file, a folder, a glob pattern or a File ID (file-...); check the path"
    )


# -- local files ---------------------------------------------------------------------------------


def _local(path: Path, given: str) -> list[Document]:
    if path.is_dir():
        found = [p for p in sorted(path.rglob("*")) if p.is_file() and not _hidden(p.relative_to(path))]
        return _searchable(found, f"the folder {given!r}")
    if not path.is_file():
        raise InvalidInputError(f"{given!r} does not exist; give the path of a file or a folder")
    if not is_searchable(path.name):
        raise InvalidInputError(
            f"{path.name}: file search does not read {extension(path.name) or 'files without an extension'}; "
            f"it reads {' '.join(SEARCHABLE)}"
        )
    return [_file(path)]


def _pattern(pattern: str) -> list[Document]:
    found = [Path(p) for p in sorted(glob.glob(os.path.expanduser(pattern), recursive=True))]
    return _searchable([p for p in found if p.is_file()], f"the pattern {pattern!r}")


def _searchable(paths: list[Path], what: str) -> list[Document]:
    kept = [p for p in paths if is_searchable(p.name)]
    if not kept:
        others = sorted({extension(p.name) or "(none)" for p in paths})
        seen = f" (only {', '.join(others)})" if others else ""
        raise InvalidInputError(
            f"{what} holds no file that file search reads{seen}; it reads {' '.join(SEARCHABLE)}"
        )
    return [_file(p) for p in kept]


def _file(path: Path) -> Document:
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidInputError(
            f"{path.name} is {size / 1024**2:,.1f} MB; file search takes files of at most 512 MB. Split it."
        )
    return Document(filename=path.name, size=size, path=path.resolve())


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


# -- tables --------------------------------------------------------------------------------------


def _rows(frame: Any, text_column: str | None) -> list[Document]:
    column = _text_column(frame, text_column)
    others = [c for c in frame.columns if c != column]
    if len(others) > MAX_PAIRS:
        raise InvalidInputError(
            f"the table has {len(others)} columns besides {column!r}; a document holds at most "
            f"{MAX_PAIRS} attributes: keep the ones to filter on, e.g. df[[{column!r}, 'year', 'lang']]"
        )
    texts = frame[column].tolist()
    values = {str(c): frame[c].tolist() for c in others}
    documents = []
    for position, label in enumerate(frame.index):
        text = texts[position]
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError(
                f"row {label!r} has no text in column {column!r}; fill it or drop the row "
                f"(df.dropna(subset=[{column!r}]))"
            )
        attributes = {
            name: attribute_value(cells[position], f"column {name!r}, row {label!r}")
            for name, cells in values.items()
            if not _missing(cells[position])
        }
        documents.append(
            Document(
                filename=_row_name(label), size=len(text.encode("utf-8")), text=text, attributes=attributes
            )
        )
    return documents


def _text_column(frame: Any, wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in frame.columns:
            raise InvalidInputError(
                f"text_column {wanted!r} is not a column; "
                f"the columns are {', '.join(map(str, frame.columns))}"
            )
        return wanted
    if "text" in frame.columns:
        return "text"
    strings = [c for c in frame.columns if _holds_text(frame[c])]
    if len(strings) == 1:
        return strings[0]
    found = (
        f"its columns of text are {', '.join(map(str, strings))}" if strings else "it has no column of text"
    )
    raise InvalidInputError(f"which column holds the documents' text? {found}; name it with text_column=")


def _holds_text(column: Any) -> bool:
    values = [v for v in column.tolist() if not _missing(v)]
    return bool(values) and all(isinstance(v, str) for v in values)


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (a table's empty cell)."""
    if isinstance(value, (str, bool, int, list, tuple, dict, set)):
        return False
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array: not a missing cell
        return False


def _row_name(label: Any) -> str:
    parts = label if isinstance(label, tuple) else (label,)
    return "row-" + "-".join(_UNSAFE_NAME.sub("_", str(part)) for part in parts) + ".txt"


def _with_shared(document: Document, shared: dict[str, Any]) -> Document:
    if not shared and document.attributes is None:
        return document
    merged = {**shared, **(document.attributes or {})}
    if len(merged) > MAX_PAIRS:
        raise InvalidInputError(
            f"{document.filename} would hold {len(merged)} attributes with the shared ones; "
            f"at most {MAX_PAIRS}"
        )
    return Document(
        filename=document.filename,
        size=document.size,
        file_id=document.file_id,
        path=document.path,
        text=document.text,
        attributes=merged,
    )
