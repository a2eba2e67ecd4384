"""Files a FileUpload holds, as the API functions take them."""

from __future__ import annotations

import io

import ipywidgets as widgets

__all__ = ["uploaded"]


def uploaded(upload: widgets.FileUpload) -> io.BytesIO | None:
    """The first uploaded file as a binary file object named like the upload (its format shows), or None."""
    if not upload.value:
        return None
    item = upload.value[0]
    data = io.BytesIO(bytes(item["content"]))
    data.name = item.get("name") or "upload"
    return data
