"""Vector store files: add documents (uploading what is local), list, read, update, remove.

`add_vector_store_files` is the ingestion, in four steps:

1. Collect: `files=` (paths, folders, globs, File IDs, DataFrames; see `_files.collect`)
   becomes a list of documents, all checked before anything is sent.
2. Skip what is there: the store's files are listed and each document already attached
   is left out (the resume rule, below).
3. Upload the rest with purpose "assistants", a few at once with one progress bar in
   bytes (large files go through the Uploads API).
4. Attach: one file batch (POST /vector_stores/{id}/file_batches; per-file attributes when
   they differ), polled until every file is indexed, with a progress line.

The resume rule (in `_files.resume`): a File ID counts as attached when the store holds
it, a local file or table row when the store holds a file of the same filename and size.

Interrupts: Ctrl-C during the uploads stops them within a chunk, attaches the files already
uploaded and raises `IndexingInterrupted`; Ctrl-C while polling leaves the batch indexing on
the server. Either way, the same call run again uploads only what is missing.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .._core.paths import path_id
from .._tables.records import Record, as_record
from .files import PAGE_SIZE, FilesAPI

if TYPE_CHECKING:
    import pandas as pd

    from .._files.collect import Document

__all__ = ["VectorStoreFilesAPI"]

STORE_PURPOSE = "assistants"  # what file search reads
FILE_WORKERS = 4  # files uploaded at once
BATCH_FILES = 2000  # the most files one file batch takes
STORE_PAGE = 100  # the most items a vector store list returns per page
FIRST_POLL = 0.5  # seconds; then half as long again each time, up to MAX_POLL
MAX_POLL = 5.0


class VectorStoreFilesAPI(FilesAPI):
    def add_vector_store_files(
        self,
        vector_store_id: str,
        files: Any,
        *,
        attributes: dict[str, Any] | None = None,
        chunking: Any = None,
        text_column: str | None = None,
        wait: bool = True,
    ) -> pd.DataFrame:
        """Add documents to a vector store; one row per document: `file_id`, `filename`, `status`,
        `last_error` (why a failed file failed), `attributes`, `usage_bytes`, `created_at`, `skipped`.

        `files` is a path, a folder (every file search file in it and its subfolders), a glob
        pattern ("docs/**/*.md"), a File ID, a DataFrame (one document per row: the text from
        `text_column`, else the column `text`, else the only column of strings; the other
        columns become attributes), or a list of these. `attributes` (up to 16 pairs of text,
        numbers, booleans, dates) go to every file, under a row's own. `chunking`: "auto",
        (max_tokens, overlap) or the API's dict.

        Local files are uploaded a few at once with a progress bar, then attached in one file
        batch; with `wait` the call polls until every file is indexed (or failed) and returns
        their final status. Documents already in the store (same File ID, or same filename
        and size) are skipped (`skipped` is True), so a stopped call can simply be run again.
        """
        from .._files.collect import collect
        from .._files.store_options import chunking_option, flag_option

        store_id = path_id(vector_store_id, "vector_store_id")
        strategy = chunking_option(chunking)
        flag_option(wait, "wait")
        documents = collect(files, text_column=text_column, attributes=attributes)
        return self._ingest(store_id, documents, strategy, wait=wait)

    def vector_store_files(self, vector_store_id: str, *, status: str | None = None) -> pd.DataFrame:
        """The store's files (all pages), newest first: `file_id`, `filename`, `status`,
        `last_error`, `attributes`, `usage_bytes`, `created_at`. `status` keeps one state:
        in_progress, completed, failed or cancelled."""
        from .._files.store_options import status_option
        from .._tables.vector_store_frames import vector_store_files_frame

        store_id = path_id(vector_store_id, "vector_store_id")
        records = self._paginate(
            f"vector_stores/{store_id}/files", {"filter": status_option(status)}, page_size=STORE_PAGE
        )
        return vector_store_files_frame(records, self._filenames(records))

    def vector_store_file_content(self, vector_store_id: str, file_id: str) -> str:
        """The text the store parsed from a file (what search reads), its pieces joined by newlines."""
        path = (
            f"vector_stores/{path_id(vector_store_id, 'vector_store_id')}/files/{path_id(file_id, 'file_id')}"
        )
        page = self._get(f"{path}/content")
        return "\n".join(
            str(part.get("text", "")) for part in page.get("data") or [] if isinstance(part, dict)
        )

    def update_vector_store_file(
        self, vector_store_id: str, file_id: str, attributes: dict[str, Any]
    ) -> Record:
        """Replace a file's attributes (up to 16 pairs of text, numbers, booleans, dates); its record."""
        from .._files.store_options import attributes_option

        body = {"attributes": attributes_option(attributes)}
        path = (
            f"vector_stores/{path_id(vector_store_id, 'vector_store_id')}/files/{path_id(file_id, 'file_id')}"
        )
        return as_record(self._post(path, body))

    def delete_vector_store_file(self, vector_store_id: str, file_id: str) -> Record:
        """Take a file out of the store (the File stays: `delete_file` removes it); `{"id", "deleted"}`."""
        path = (
            f"vector_stores/{path_id(vector_store_id, 'vector_store_id')}/files/{path_id(file_id, 'file_id')}"
        )
        return as_record(self._delete(path))

    # -- the ingestion -------------------------------------------------------------------------

    def _ingest(
        self,
        store_id: str,
        documents: list[Document],
        chunking: dict | None,
        *,
        wait: bool,
        fresh: bool = False,
    ) -> pd.DataFrame:
        from .._files.resume import is_indexing, plan, result_frame

        attached = [] if fresh else self._paginate(f"vector_stores/{store_id}/files", page_size=STORE_PAGE)
        needs_names = bool(attached) or any(not d.local for d in documents)
        files = {f["id"]: f for f in self._paginate("files", page_size=PAGE_SIZE)} if needs_names else {}
        steps = plan(documents, attached, files)
        # What to run after a stop: the same call, or (the store being new) adding the files to it.
        rerun = (
            f"run ow.add_vector_store_files({store_id!r}, ...) with the same files"
            if fresh
            else ("run the same call again")
        )
        uploads = [step for step in steps if step.action == "upload"]
        uploaded = self._upload_documents(store_id, [step.document for step in uploads], chunking, rerun)
        for step, file_id in zip(uploads, uploaded, strict=True):
            step.file_id = file_id
        to_add = [(str(step.file_id), step.document.attributes) for step in steps if step.action != "skip"]
        batches = self._add_batches(store_id, to_add, chunking)
        # Files of an earlier call still being indexed (it was stopped while polling) are waited for too.
        indexing = [str(s.file_id) for s in steps if s.action == "skip" and is_indexing(attached, s.file_id)]
        if wait and (batches or indexing):
            added = [file_id for file_id, _ in to_add]
            batches, attached = self._wait(store_id, batches, indexing, attached, added, rerun)
        records = {f["id"]: f for f in attached}
        for batch in batches:
            path = f"vector_stores/{store_id}/file_batches/{batch['id']}/files"
            records.update((f["id"], f) for f in self._paginate(path, page_size=STORE_PAGE))
        return result_frame(steps, records, files)

    def _upload_documents(
        self, store_id: str, documents: list[Document], chunking: dict | None, rerun: str
    ) -> list[str]:
        """Upload `documents` a few at once; their File IDs in order. On a failure or Ctrl-C the
        files already uploaded are attached (so a rerun skips them) before raising."""
        from .._files.errors import IndexingInterrupted
        from .._files.pool import run_tasks
        from .._files.progress import UploadBar

        if not documents:
            return []
        bar = UploadBar(sum(d.size or 0 for d in documents), len(documents))
        try:
            outcome = run_tasks(
                len(documents),
                lambda index, stop: self._upload_document(documents[index], bar.update, stop),
                workers=FILE_WORKERS,
            )
        finally:
            bar.close()
        if outcome.error is None:
            return [outcome.results[index] for index in range(len(documents))]
        done = [(outcome.results[i], documents[i].attributes) for i in sorted(outcome.results)]
        batches = self._add_batches(store_id, done, chunking)
        where = f"{len(done)} of {len(documents)} files were uploaded and added to {store_id}" + (
            f" (batch {', '.join(b['id'] for b in batches)} goes on indexing them)" if batches else ""
        )
        how = f"{rerun} to upload the rest: files already in the store are skipped"
        if isinstance(outcome.error, KeyboardInterrupt):
            raise IndexingInterrupted(
                f"stopped: {where}; {how}.",
                vector_store_id=store_id,
                batch_ids=[b["id"] for b in batches],
                file_ids=[file_id for file_id, _ in done],
            ) from None
        outcome.error.add_note(f"{where}; {how}.")
        raise outcome.error

    def _upload_document(self, document: Document, progress: Any, stop: threading.Event) -> str:
        from .._files import parts
        from .._files.parts import Part, PartReader, RandomAccess

        with document.open() as source:
            if source.size > parts.PART_BYTES:
                record = self._upload_in_parts(
                    source, STORE_PURPOSE, progress=progress, stop=stop, resumable=False
                )
            else:
                whole = Part(1, 0, source.size)
                reader = PartReader(RandomAccess(source.stream), whole, progress=progress, stop=stop)
                record = self._upload(source.filename, reader, STORE_PURPOSE)
        return record["id"]

    def _add_batches(
        self, store_id: str, files: list[tuple[str, dict | None]], chunking: dict | None
    ) -> list[dict[str, Any]]:
        """One file batch per 2000 files: the shared attributes once when all files have the
        same, else each file with its own."""
        batches = []
        for start in range(0, len(files), BATCH_FILES):
            chunk = files[start : start + BATCH_FILES]
            shared = {repr(sorted((a or {}).items())) for _, a in chunk}
            if len(shared) == 1:
                body: dict[str, Any] = {"file_ids": [file_id for file_id, _ in chunk]}
                if chunk[0][1]:
                    body["attributes"] = chunk[0][1]
                if chunking:
                    body["chunking_strategy"] = chunking
            else:
                body = {"files": [_file_entry(file_id, a, chunking) for file_id, a in chunk]}
            batches.append(self._post(f"vector_stores/{store_id}/file_batches", body))
        return batches

    def _wait(
        self,
        store_id: str,
        batches: list[dict[str, Any]],
        indexing: list[str],
        attached: list[dict[str, Any]],
        added: list[str],
        rerun: str,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Poll the batches (and the attached files in `indexing`) until none is in progress, with
        a progress line; the batches' and the attached files' final records. `added`: the Files
        this call added, named by the error Ctrl-C raises."""
        from .._files.errors import IndexingInterrupted
        from .._files.progress import IndexingBar
        from .._files.resume import is_indexing, state_counts

        total = sum(int(b.get("file_counts", {}).get("total") or 0) for b in batches) + len(indexing)
        bar = IndexingBar(total)
        interval = FIRST_POLL
        try:
            while True:
                bar.show([*batches, state_counts(attached, indexing)])
                if all(b.get("status") != "in_progress" for b in batches) and not any(
                    is_indexing(attached, file_id) for file_id in indexing
                ):
                    return batches, attached
                self.sleep(interval)
                interval = min(interval * 1.5, MAX_POLL)
                batches = [
                    self._get(f"vector_stores/{store_id}/file_batches/{b['id']}")
                    if b.get("status") == "in_progress"
                    else b
                    for b in batches
                ]
                if indexing:
                    attached = self._paginate(f"vector_stores/{store_id}/files", page_size=STORE_PAGE)
        except KeyboardInterrupt:
            raise IndexingInterrupted(
                f"stopped waiting; the store {store_id} goes on indexing on the server. Check it later "
                f"with ow.vector_store_files({store_id!r}) or ow.vector_store({store_id!r}), "
                f"or {rerun}: files already in the store are skipped.",
                vector_store_id=store_id,
                batch_ids=[b["id"] for b in batches],
                file_ids=added,
            ) from None
        finally:
            bar.close()

    def _filenames(self, records: list[dict[str, Any]]) -> dict[str, str | None]:
        if not records:
            return {}
        files = self._paginate("files", page_size=PAGE_SIZE)
        return {f["id"]: f.get("filename") for f in files}


# -- helpers -------------------------------------------------------------------------------------


def _file_entry(file_id: str, attributes: dict | None, chunking: dict | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"file_id": file_id}
    if attributes:
        entry["attributes"] = attributes
    if chunking:
        entry["chunking_strategy"] = chunking
    return entry
