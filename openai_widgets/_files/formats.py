"""File kinds by extension: which ones file search reads, and the MIME type each is sent with.

One table serves both the vector store ingestion (a folder or glob takes the files whose
extension is listed, an explicit path with another extension is refused) and the Uploads
API, which must be told a MIME type that suits the purpose (`text/x-python` for `.py`,
not the `video/mp2t` that the `mimetypes` module guesses for `.ts`).
"""

from __future__ import annotations

import mimetypes

__all__ = ["SEARCHABLE", "extension", "is_searchable", "mime_type"]

# What OpenAI's file search reads (its "supported files" list), with the MIME type of each.
SEARCHABLE: dict[str, str] = {
    ".c": "text/x-c",
    ".cpp": "text/x-c++",
    ".cs": "text/x-csharp",
    ".css": "text/css",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".go": "text/x-golang",
    ".html": "text/html",
    ".java": "text/x-java",
    ".js": "text/javascript",
    ".json": "application/json",
    ".md": "text/markdown",
    ".pdf": "application/pdf",
    ".php": "text/x-php",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".py": "text/x-python",
    ".rb": "text/x-ruby",
    ".sh": "application/x-sh",
    ".tex": "text/x-tex",
    ".ts": "application/typescript",
    ".txt": "text/plain",
}

# Other kinds the upload purposes take (batch and fine-tune read JSON Lines, vision images).
_OTHER: dict[str, str] = {
    ".jsonl": "application/jsonl",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def extension(filename: str) -> str:
    """`.md` for `notes.MD`; empty for a name without one."""
    name = filename.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


def is_searchable(filename: str) -> bool:
    return extension(filename) in SEARCHABLE


def mime_type(filename: str) -> str:
    """The MIME type to declare for `filename` (application/octet-stream when unknown)."""
    suffix = extension(filename)
    known = SEARCHABLE.get(suffix) or _OTHER.get(suffix)
    return known or mimetypes.guess_type(filename)[0] or "application/octet-stream"
