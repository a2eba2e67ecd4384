"""The file manager: list files by purpose, upload, preview the first rows, delete after confirming."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from .._core.constants import FILE_PURPOSES as PURPOSES
from ._controls import confirm_row, set_options, wrapping_row
from ._output import notice, show
from ._panel import Panel, frame_trait

__all__ = ["FilesPanel"]

# Listing also offers the purposes of files the server makes itself.
LIST_PURPOSES = (*PURPOSES, "fine-tune-results", "batch_output", "assistants_output")
PREVIEW_ROWS = 20


class FilesPanel(Panel):
    """Files on the server as a table, with upload, preview and delete.

    Refresh lists the files (of the chosen purpose); pick one to preview its first rows
    (JSONL or CSV) or to delete it (after a confirmation). Upload sends the file chosen
    in the upload button with the chosen purpose. `frame` is the listing shown, `result`
    the value of the last action (a listing, a preview, an uploaded or deleted record).
    """

    title = "Files"
    frame = frame_trait("the files listed")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self.purpose_filter = widgets.Dropdown(
            options=[("all", None), *[(p, p) for p in LIST_PURPOSES]], description="Purpose"
        )
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.table = widgets.Output()
        self.file_picker = widgets.Dropdown(options=[], description="File", layout={"width": "480px"})
        self.preview_button = widgets.Button(description="Preview", icon="table")
        self.delete_button = widgets.Button(description="Delete", icon="trash", button_style="danger")
        self.confirm_question = widgets.HTML()
        self.confirm_button = widgets.Button(description="Yes, delete", button_style="danger")
        self.keep_button = widgets.Button(description="Keep it")
        self.confirm = confirm_row(self.confirm_question, self.confirm_button, self.keep_button)
        self.preview = widgets.Output()
        self.upload = widgets.FileUpload(multiple=False, description="Choose file")
        self.upload_purpose = widgets.Dropdown(options=PURPOSES, value="fine-tune", description="Purpose")
        self.upload_button = widgets.Button(description="Upload", icon="cloud-upload", button_style="primary")

        self.refresh_button.on_click(self.refresh)
        self.preview_button.on_click(self.show_preview)
        self.delete_button.on_click(self.ask_delete)
        self.confirm_button.on_click(self.delete)
        self.keep_button.on_click(self._hide_confirm)
        self.upload_button.on_click(self.send_upload)
        self.children = [
            widgets.HTML("<b>Files</b>"),
            wrapping_row(self.purpose_filter, self.refresh_button),
            self.table,
            wrapping_row(self.file_picker, self.preview_button, self.delete_button),
            self.confirm,
            self.preview,
            wrapping_row(self.upload, self.upload_purpose, self.upload_button),
            self.status,
        ]
        self.add_class("ow-panel-files")

    # -- actions (one API call each) --------------------------------------------------

    def load(self) -> None:
        """The first view lists the files."""
        self.refresh()

    def refresh(self, _button: Any = None) -> None:
        """List the files of the chosen purpose."""
        purpose = self.purpose_filter.value
        frame = self.act(self.refresh_button, lambda: self._listed(self.client.files(purpose=purpose)))
        if frame is not None:
            self.status.value = f"{len(frame)} file{'' if len(frame) == 1 else 's'}"

    def show_preview(self, _button: Any = None) -> None:
        """Show the first rows of the picked file (JSONL or CSV)."""
        file_id = self._picked()
        if file_id is None:
            return
        frame = self.act(self.preview_button, lambda: self.client.file_content(file_id, as_frame=True))
        if frame is not None:
            show(self.preview, frame.head(PREVIEW_ROWS))
            self.status.value = f"{file_id}: first {min(len(frame), PREVIEW_ROWS)} of {len(frame)} rows"

    def ask_delete(self, _button: Any = None) -> None:
        """Ask before deleting the picked file."""
        file_id = self._picked()
        if file_id is None:
            return
        self.confirm_question.value = (
            f"Delete <b>{html.escape(self.file_picker.label or file_id)}</b>? This cannot be undone."
        )
        self.confirm.layout.display = ""

    def delete(self, _button: Any = None) -> None:
        """Delete the picked file (after `ask_delete`)."""
        file_id = self._picked()
        self._hide_confirm()
        if file_id is None:
            return
        record = self.act(
            self.confirm_button, lambda: self._deleted(file_id, self.client.delete_file(file_id))
        )
        if record is not None:
            show(self.preview)
            self.status.value = f"deleted {html.escape(file_id)}"

    def send_upload(self, _button: Any = None) -> None:
        """Upload the file chosen in the upload button."""
        if not self.upload.value:
            self.status.value = notice("Choose a file to upload first.")
            return
        chosen = self.upload.value[0]
        content, name = bytes(chosen["content"]), chosen["name"]
        purpose = self.upload_purpose.value
        record = self.act(
            self.upload_button,
            lambda: self._added(self.client.upload_file(content, purpose, filename=name)),
            working="uploading...",
        )
        if record is not None:
            self.upload.value = ()
            self.status.value = f"uploaded {html.escape(name)} as {html.escape(record['id'])}"

    # -- display ---------------------------------------------------------------------

    # The listing changes with each action, inside it: `frame` is new before `result` is.

    def _listed(self, frame: Any) -> Any:
        self.frame = frame
        show(self.table, frame)
        set_options(self.file_picker, [(f"{row.filename} ({row.id})", row.id) for row in frame.itertuples()])
        return frame

    def _added(self, record: dict[str, Any]) -> dict[str, Any]:
        import pandas as pd

        from .._tables.frames import files_frame

        wanted = self.purpose_filter.value
        if wanted is None or record.get("purpose") == wanted:
            added = files_frame([record])
            self._listed(added if self.frame is None else pd.concat([added, self.frame], ignore_index=True))
        return record

    def _deleted(self, file_id: str, record: dict[str, Any]) -> dict[str, Any]:
        if self.frame is not None:
            self._listed(self.frame[self.frame["id"] != file_id].reset_index(drop=True))
        return record

    def _picked(self) -> str | None:
        if not self.file_picker.value:
            self.status.value = notice("Refresh and pick a file first.")
            return None
        return self.file_picker.value

    def _hide_confirm(self, _button: Any = None) -> None:
        self.confirm.layout.display = "none"
