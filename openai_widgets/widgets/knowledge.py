"""The knowledge panel: vector stores listed, made from uploaded files, watched while they index,
searched (a results table and the picked chunk's text), and deleted after asking."""

from __future__ import annotations

import html
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .._core.errors import OpenAIError
from .._files.filters import filter_from_text
from .._files.formats import SEARCHABLE
from ._controls import confirm_row, set_options, wrapping_row
from ._output import notice, show
from ._panel import Panel, frame_trait

__all__ = ["KnowledgePanel"]

STORE_COLUMNS = ["id", "name", "status", "files_completed", "files_in_progress", "files_failed", "created_at"]
FILE_COLUMNS = ["filename", "status", "last_error", "usage_bytes", "created_at"]
RESULT_COLUMNS = ["rank", "score", "filename", "text", "attributes"]


class KnowledgePanel(Panel):
    """Vector stores: list, create from uploaded files, watch indexing, search, delete.

    Refresh lists the stores; pick one to search it, list its files, add the uploaded
    files to it, or delete it (after a confirmation). Create makes a store of the files
    chosen in the upload button (pick every file of a folder to upload the folder): they
    are uploaded in the action, then a background thread follows the indexing every
    `watch_interval` seconds, showing completed / in progress / failed in `progress`,
    so the kernel stays free. `frame` is the stores listed, `results` the last search's
    results; `result` the value of the last action (a store, its files, search results),
    and the store's final record once its indexing ends.
    """

    title = "Knowledge"
    watch_interval = 1.0
    frame = frame_trait("the vector stores listed")
    results = frame_trait("the results of the last search")

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._watched: str | None = None  # the store followed last
        self._build_stores()
        self._build_new_store()
        self._build_search()
        self.children = [
            widgets.HTML("<b>Vector stores</b>"),
            wrapping_row(self.refresh_button, self.store_picker, self.files_button, self.delete_button),
            self.confirm,
            self.stores_table,
            self.files_view,
            widgets.HTML("<b>New store</b>"),
            wrapping_row(self.store_name, self.upload, self.create_button, self.add_button),
            self.progress,
            widgets.HTML("<b>Search</b>"),
            wrapping_row(self.query, self.k, self.search_button),
            self.filters,
            self.results_table,
            self.result_picker,
            self.chunk,
            self.status,
        ]
        self.add_class("ow-panel-knowledge")

    def _build_stores(self) -> None:
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.store_picker = widgets.Dropdown(options=[], description="Store", layout={"width": "460px"})
        self.files_button = widgets.Button(description="Files", icon="list")
        self.delete_button = widgets.Button(description="Delete", icon="trash", button_style="danger")
        self.confirm_question = widgets.HTML()
        self.confirm_button = widgets.Button(description="Yes, delete", button_style="danger")
        self.keep_button = widgets.Button(description="Keep it")
        self.confirm = confirm_row(self.confirm_question, self.confirm_button, self.keep_button)
        self.stores_table = widgets.Output()
        self.files_view = widgets.Output()
        self.refresh_button.on_click(self.refresh)
        self.files_button.on_click(self.show_files)
        self.delete_button.on_click(self.ask_delete)
        self.confirm_button.on_click(self.delete)
        self.keep_button.on_click(self._hide_confirm)

    def _build_new_store(self) -> None:
        self.store_name = widgets.Text(description="Name", placeholder="name of the new store")
        self.upload = widgets.FileUpload(
            multiple=True, accept=",".join(SEARCHABLE), description="Choose files"
        )
        self.create_button = widgets.Button(description="Create", icon="plus", button_style="primary")
        self.add_button = widgets.Button(description="Add to store", icon="upload")
        self.progress = widgets.HTML().add_class("ow-knowledge-progress")
        self.create_button.on_click(self.create)
        self.add_button.on_click(self.add)

    def _build_search(self) -> None:
        self.query = widgets.Text(description="Query", placeholder="words to search for")
        self.k = widgets.BoundedIntText(value=5, min=1, max=50, description="Results")
        self.search_button = widgets.Button(description="Search", icon="search", button_style="primary")
        self.filters = widgets.Text(
            description="Filter",
            placeholder='optional: {"year": [">=", 2020], "lang": "en"}',
            layout={"width": "460px"},
        )
        self.results_table = widgets.Output()
        self.result_picker = widgets.Dropdown(options=[], description="Chunk", layout={"width": "460px"})
        self.chunk = widgets.Textarea(disabled=True, layout={"width": "100%", "height": "140px"})
        self.search_button.on_click(self.search)
        self.result_picker.observe(self._show_chunk, names="value")

    # -- actions (one API call each) --------------------------------------------------

    def refresh(self, _button: Any = None) -> None:
        """List the vector stores."""
        frame = self.act(self.refresh_button, lambda: self._listed(self.client.vector_stores()))
        if frame is not None:
            self.status.value = f"{len(frame)} store{'' if len(frame) == 1 else 's'}"

    def create(self, _button: Any = None) -> None:
        """Create a store of the uploaded files; its indexing is then followed in the background."""
        chosen = self._chosen()
        if chosen is None:
            return
        name = self.store_name.value.strip() or None
        store = self.act(
            self.create_button,
            lambda: self._with_files(
                chosen, lambda paths: self.client.create_vector_store(name, paths, wait=False)
            ),
            working=f"uploading {_files(len(chosen))}...",
        )
        if store is not None:
            self.upload.value = ()
            self.store_name.value = ""
            self._offer(store)
            counts = store.get("file_counts") or {}
            self.progress.value = _progress(store, done=not counts.get("in_progress"))
            self.watch(store["id"])

    def add(self, _button: Any = None) -> None:
        """Add the uploaded files to the picked store; its indexing is then followed in the background."""
        store_id = self._picked()
        chosen = self._chosen() if store_id else None
        if chosen is None or store_id is None:
            return
        added = self.act(
            self.add_button,
            lambda: self._with_files(
                chosen, lambda paths: self.client.add_vector_store_files(store_id, paths, wait=False)
            ),
            working=f"uploading {_files(len(chosen))}...",
        )
        if added is not None:
            self.upload.value = ()
            show(self.files_view, added[["filename", "status", "skipped"]])
            self.progress.value = notice(f"{store_id}: indexing {_files(len(added))}...", "working")
            self.watch(store_id)

    def show_files(self, _button: Any = None) -> None:
        """Show the picked store's files with their status."""
        store_id = self._picked()
        if store_id is None:
            return
        files = self.act(self.files_button, lambda: self.client.vector_store_files(store_id))
        if files is not None:
            show(self.files_view, files[FILE_COLUMNS])
            self.status.value = f"{_files(len(files))} in {html.escape(store_id)}"

    def search(self, _widget: Any = None) -> None:
        """Search the picked store; the results fill the table and the chunk picker."""
        store_id = self._picked()
        if store_id is None:
            return
        query, k, written = self.query.value, self.k.value, self.filters.value

        def searched() -> Any:
            filters = filter_from_text(written, "the filter")
            return self._found(self.client.search_vector_store(store_id, query, k=k, filters=filters))

        found = self.act(self.search_button, searched, working="searching...")
        if found is not None:
            count = len(found)
            self.status.value = (
                f"{count} result{'' if count == 1 else 's'} for {html.escape(query.strip())!r}"
                if count
                else notice("Nothing matches: try other words or a looser filter.")
            )

    def ask_delete(self, _button: Any = None) -> None:
        """Ask before deleting the picked store."""
        store_id = self._picked()
        if store_id is None:
            return
        self.confirm_question.value = (
            f"Delete <b>{html.escape(self.store_picker.label or store_id)}</b>? Its files stay in Files."
        )
        self.confirm.layout.display = ""

    def delete(self, _button: Any = None) -> None:
        """Delete the picked store (after `ask_delete`)."""
        store_id = self._picked()
        self._hide_confirm()
        if store_id is None:
            return
        record = self.act(
            self.confirm_button, lambda: self._deleted(store_id, self.client.delete_vector_store(store_id))
        )
        if record is not None:
            self.status.value = f"deleted {html.escape(store_id)}"

    # -- following the indexing -----------------------------------------------------------

    def watch(self, store_id: str) -> None:
        """Follow `store_id`'s indexing in a background thread until no file is in progress."""
        self.stop_watching()
        self._stop = threading.Event()
        self._watched = store_id
        self._watcher = threading.Thread(
            target=self._watch, args=(store_id, self._stop), name="ow-knowledge-watch", daemon=True
        )
        self._watcher.start()

    def join_watching(self, timeout: float | None = None) -> bool:
        """Wait until following the indexing ends; True if it has."""
        watcher = self._watcher
        if watcher is not None:
            watcher.join(timeout)
            return not watcher.is_alive()
        return True

    def stop_watching(self) -> None:
        """Stop following (the store goes on indexing on the server)."""
        self._stop.set()
        self.join_watching()

    def close(self) -> None:
        stop = getattr(self, "_stop", None)  # None when the constructor was refused its arguments
        if stop is not None:
            stop.set()
        super().close()

    def _watch(self, store_id: str, stop: threading.Event) -> None:
        """The watcher thread: the store's file counts every `watch_interval` seconds; once none is
        in progress, the failed files (if any) and the stores again, then the final counts (so
        the table is new when they show) and the store's last record as `result`."""
        try:
            while True:
                store = self.client.vector_store(store_id)
                if stop.is_set():
                    return
                counts = store.get("file_counts") or {}
                if not counts.get("in_progress"):
                    break
                self.progress.value = _progress(store, done=False)
                if stop.wait(self.watch_interval):
                    return
            if counts.get("failed"):
                failed = self.client.vector_store_files(store_id, status="failed")
                show(self.files_view, failed[FILE_COLUMNS])
            self._listed(self.client.vector_stores())
            self.progress.value = _progress(store, done=True)
            self.result = store
        except OpenAIError as exc:
            self.status.value = notice(exc)

    # -- display ---------------------------------------------------------------------

    # The listing changes inside the actions: `frame` is new before `result` is.

    def _listed(self, frame: Any) -> Any:
        self.frame = frame
        show(self.stores_table, frame[STORE_COLUMNS])
        set_options(self.store_picker, [(_label(row._asdict()), row.id) for row in frame.itertuples()])
        return frame

    def _offer(self, store: dict[str, Any]) -> None:
        """Put a new store first in the picker, picked."""
        options = [(label, value) for label, value in self.store_picker.options if value != store["id"]]
        self.store_picker.options = [(_label(store), store["id"]), *options]
        self.store_picker.value = store["id"]

    def _deleted(self, store_id: str, record: dict[str, Any]) -> dict[str, Any]:
        if self._watched == store_id:
            self.stop_watching()
            self.progress.value = ""
        if self.frame is not None:
            self._listed(self.frame[self.frame["id"] != store_id].reset_index(drop=True))
        else:
            set_options(self.store_picker, [o for o in self.store_picker.options if o[1] != store_id])
        show(self.files_view)
        return record

    def _found(self, frame: Any) -> Any:
        self.results = frame
        show(self.results_table, frame[RESULT_COLUMNS])
        self.result_picker.options = [
            (f"{row.rank}. {row.filename} ({row.score:.3f})", position)
            for position, row in enumerate(frame.itertuples())
        ]
        self.result_picker.value = 0 if len(frame) else None  # the best chunk, shown at once
        self._show_chunk()
        return frame

    def _show_chunk(self, _change: Any = None) -> None:
        position = self.result_picker.value
        found = self.results
        self.chunk.value = "" if position is None or found is None else str(found["text"].iloc[position])

    def _with_files(self, chosen: list[tuple[str, bytes]], call: Callable[[list[str]], Any]) -> Any:
        """`call` with the paths of the uploaded files, written to a temporary folder removed after."""
        with tempfile.TemporaryDirectory(prefix="ow-knowledge-") as folder:
            paths = []
            for name, content in chosen:
                path = _free_path(Path(folder), name)
                path.write_bytes(content)
                paths.append(str(path))
            return call(paths)

    def _chosen(self) -> list[tuple[str, bytes]] | None:
        if not self.upload.value:
            self.status.value = notice("Choose files first (pick every file of a folder to add the folder).")
            return None
        return [(item.get("name") or "upload.txt", bytes(item["content"])) for item in self.upload.value]

    def _picked(self) -> str | None:
        if not self.store_picker.value:
            self.status.value = notice("Refresh and pick a store first.")
            return None
        return self.store_picker.value

    def _hide_confirm(self, _button: Any = None) -> None:
        self.confirm.layout.display = "none"


def _label(store: dict[str, Any]) -> str:
    """A store as the picker names it: name, ID and its completed / total files."""
    counts = store.get("file_counts") or {
        "completed": store.get("files_completed"),
        "total": store.get("files_total"),
    }
    name = store.get("name") or "(no name)"
    return f"{name} · {store['id']} · {counts.get('completed') or 0}/{counts.get('total') or 0} files"


def _progress(store: dict[str, Any], *, done: bool) -> str:
    counts = store.get("file_counts") or {}
    name = html.escape(store.get("name") or store["id"])
    line = (
        f"completed {counts.get('completed', 0)} · in progress {counts.get('in_progress', 0)} · "
        f"failed {counts.get('failed', 0)} of {counts.get('total', 0)}"
    )
    if done:
        return f"<span class='ow-ok'><b>{name}</b> is indexed: {line}</span>"
    return f"<span class='ow-working'><b>{name}</b> indexing: {line}</span>"


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def _free_path(folder: Path, name: str) -> Path:
    """`folder/name` (the name without any folder part), numbered if two uploads share a name."""
    base = Path(Path(name).name or "upload.txt")
    path, number = folder / base, 2
    while path.exists():
        path = folder / f"{base.stem}-{number}{base.suffix}"
        number += 1
    return path
