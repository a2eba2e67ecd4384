"""One embed() call: deduplicate, reuse what is known, plan requests, run them, assemble.

Vectors are decoded as they arrive straight into one (distinct texts, d) float32 matrix,
so memory stays close to the size of the result; the final frame's `embedding` column
holds that matrix (or one gather of it, when inputs repeat).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import bulk
from .._core.arguments import type_error
from .._core.errors import APIResponseValidationError, BadRequestError, InvalidInputError
from .._embeddings.cache import EmbeddingCache
from .._embeddings.stream_reader import EmbeddingAnswer, EmbeddingStreamReader
from .._embeddings.tokens import (
    MAX_INPUT_TOKENS,
    MAX_REQUEST_INPUTS,
    MAX_REQUEST_TOKENS,
    count_tokens,
    split_text,
)
from .._embeddings.vectors import decode_embeddings, origin_of
from .._tables.text_input import TextInput
from . import resume as memory

if TYPE_CHECKING:
    import pandas as pd

    from .._core.transport import BaseClient
    from .options import BulkOptions

__all__ = ["EmbeddingJob"]


class EmbeddingJob:
    """The state of one embed() call (see the module docstring)."""

    def __init__(
        self,
        client: BaseClient,
        source: TextInput,
        *,
        model: str,
        dimensions: int | None,
        user: str | None,
        chunk_long: bool,
        cache: EmbeddingCache | None,
    ) -> None:
        self.client = client
        self.source = source
        self.model = model
        self.dimensions = dimensions
        self.user = user
        self.chunk_long = chunk_long
        self.cache = cache
        self.uniques, self.inverse = _unique(source.texts)
        self.found = np.zeros(len(self.uniques), dtype=bool)
        self.vectors: np.ndarray | None = None
        self.usage = {"prompt_tokens": 0, "total_tokens": 0}
        self.reused = 0
        self.resumed_from: pd.DataFrame | None = None
        self.encoding = "base64"  # "float" once a server turns base64 down
        self.stats = bulk.BulkStats()
        self._chunks: dict[int, list[Any]] = {}  # unique -> [weighted sum, weight, pieces left]
        self.owners = np.zeros(0, dtype=np.int64)  # set by pieces()
        self.piece_tokens: list[int] = []
        self.piece_texts: list[str] = []
        self._to_cache: list[int] = []  # distinct texts embedded in this run, for the cache
        self.exact_tokens = False  # piece_tokens counted by tiktoken (else a safe-side estimate)
        self._planned: tuple[list[str], list[int]] | None = None

    # -- what is known already -------------------------------------------------------

    def reuse(self, resume: Any) -> None:
        """Fill in vectors from a previous partial result (or the last one, for True) and from the cache."""
        self.resumed_from = _resume_frame(memory.resumed("embed", resume))
        if self.resumed_from is not None:
            self._reuse_frame(self.resumed_from)
        if self.cache is not None:
            missing = np.flatnonzero(~self.found)
            hits = self.cache.get(
                self._server, self.model, self.dimensions, [self.uniques[u] for u in missing]
            )
            for position, raw in hits.items():
                self._store(missing[position], np.frombuffer(raw, dtype="<f4"))
        self.reused = int(self.found.sum())

    def _reuse_frame(self, frame: pd.DataFrame) -> None:
        origin = origin_of(frame)
        if origin.get("model") not in (None, self.model):
            raise InvalidInputError(
                f"resume holds embeddings of {origin['model']!r}, not {self.model!r}; "
                "resume with the same model"
            )
        requested = origin.get("requested_dimensions")
        if requested != self.dimensions and "requested_dimensions" in origin:
            raise InvalidInputError(
                f"resume holds embeddings made with dimensions={requested}, not {self.dimensions}; "
                "resume with the same dimensions"
            )
        vectors = frame["embedding"].tolist()  # rows (None where a row has no vector)
        known = {
            text: vector
            for text, vector in zip(frame["input"].tolist(), vectors, strict=True)
            if vector is not None
        }
        for unique, text in enumerate(self.uniques):
            vector = known.get(text)
            if vector is not None:
                self._store(unique, np.asarray(vector, dtype=np.float32))

    # -- planning --------------------------------------------------------------------

    def pieces(self) -> tuple[list[str], list[int]]:
        """What to send: texts (long ones cut when chunk_long) and their tokens (planned once).

        `self.owners[piece]` is the distinct text each piece belongs to.
        """
        if self._planned is None:
            self._planned = self._plan()
        return self._planned

    def _plan(self) -> tuple[list[str], list[int]]:
        missing = np.flatnonzero(~self.found)
        texts = [self.uniques[u] for u in missing]
        tokens, exact = count_tokens(texts, self.model)
        self.exact_tokens = exact
        too_long = [i for i, count in enumerate(tokens) if count > MAX_INPUT_TOKENS]
        if too_long and not self.chunk_long:
            self._refuse_long([missing[i] for i in too_long], [tokens[i] for i in too_long], exact)
        if not too_long:  # the usual case: every input goes whole
            self.owners = missing.astype(np.int64)
            self.piece_tokens = tokens
            return texts, tokens
        piece_texts: list[str] = []
        piece_tokens: list[int] = []
        owners: list[int] = []
        for i, unique in enumerate(missing):
            parts = [(texts[i], tokens[i])]
            if tokens[i] > MAX_INPUT_TOKENS:
                parts = split_text(texts[i], self.model)
                self._chunks[int(unique)] = [None, 0.0, len(parts)]
            for part, count in parts:
                piece_texts.append(part)
                piece_tokens.append(count)
                owners.append(int(unique))
        self.owners = np.asarray(owners, dtype=np.int64)
        self.piece_tokens = piece_tokens
        return piece_texts, piece_tokens

    def _refuse_long(self, uniques: list[int], tokens: list[int], exact: bool) -> None:
        first = int(np.flatnonzero(self.inverse == uniques[0])[0])
        label = self.source.index[first]
        how = "" if exact else " (estimated; install tiktoken for exact counts)"
        more = f" {len(uniques) - 1} more inputs are too long as well." if len(uniques) > 1 else ""
        raise InvalidInputError(
            f"input at index {label!r} has {tokens[0]:,} tokens{how}, over the {MAX_INPUT_TOKENS:,}-token "
            f"limit of {self.model}.{more} Shorten it, or pass chunk_long=True to embed long inputs "
            "in pieces and average them."
        )

    # -- sending ---------------------------------------------------------------------

    # -- the engine's job (see bulk.engine.Job): one request per batch of pieces -------------

    path = "embeddings"

    def body(self, pieces: list[int]) -> dict[str, Any]:
        return self.request_body([self.piece_texts[p] for p in pieces])

    def request_body(self, texts: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"input": texts, "model": self.model, "encoding_format": self.encoding}
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        if self.user is not None:
            body["user"] = self.user
        return body

    def reader(self, positions: Any) -> EmbeddingStreamReader:
        """Vectors decoded into their rows of the final matrix as they arrive (see `stream_reader`)."""
        owners = self.owners[positions]

        def row_for(index: int, width: int) -> np.ndarray | None:
            if self.dimensions is not None and width != self.dimensions:
                return None  # kept aside: collect refuses it with the reason, and no retry is made
            vectors = self._allocate(width)
            owner = int(owners[index])
            if owner in self._chunks or vectors.shape[1] != width:
                return None  # a piece of a long input, averaged in collect (or a width to refuse there)
            return vectors[owner]

        return EmbeddingStreamReader(len(positions), row_for)

    def adapt(self, error: BaseException) -> bool:
        """A server that refuses base64 answers is asked for float lists from then on."""
        if not (isinstance(error, BadRequestError) and "encoding_format" in f"{error.param} {error}"):
            return False
        self.encoding = "float"  # requests in flight that asked for base64 are asked again too
        return True

    def spent(self, answer: EmbeddingAnswer) -> tuple[Any, Any]:
        return self.model, answer.usage

    def counted_tokens(self, answer: EmbeddingAnswer) -> float | None:
        spent = answer.usage.get("total_tokens")
        return spent if isinstance(spent, (int, float)) else None

    def _allocate(self, width: int) -> np.ndarray:
        """The matrix of vectors, made `width` wide on the first call."""
        if self.dimensions is not None and width != self.dimensions:
            # A server that ignores `dimensions` (several compatible ones do) answers at full width.
            raise APIResponseValidationError(
                f"the server sent embeddings of {width} dimensions, not the {self.dimensions} asked for: "
                f"it ignores `dimensions` for {self.model}. Leave dimensions out to take its {width}, "
                "or use a model and server that shorten vectors (OpenAI's text-embedding-3 models do)."
            )
        if self.vectors is None:  # only the engine's thread gets here: no lock needed
            self.vectors = np.zeros((len(self.uniques), width), dtype=np.float32)
        return self.vectors

    @staticmethod
    def decode(answer: Any, count: int) -> tuple[np.ndarray, dict[str, Any]]:
        """An answer already parsed (a Batch API output line's body) -> (matrix, usage)."""
        if not isinstance(answer, dict):
            raise APIResponseValidationError(
                f"the embeddings answer is a {type(answer).__name__}, not an object"
            )
        usage = answer.get("usage")
        if not isinstance(usage, dict):
            usage = {}
        return decode_embeddings(answer.get("data"), count), usage

    def collect(self, positions: Any, answer: EmbeddingAnswer) -> None:
        """A batch's vectors are in: mark their rows found, average long inputs' pieces."""
        for key in self.usage:
            value = answer.usage.get(key)
            self.usage[key] += value if isinstance(value, int) else 0
        owners = self.owners[positions]
        written = owners[answer.written]
        self.found[written] = True
        finished = [int(u) for u in written]
        for index, vector in answer.kept.items():
            unique = int(owners[index])
            if unique in self._chunks:
                if self._add_piece(unique, vector, float(self.piece_tokens[positions[index]])):
                    finished.append(unique)
            else:
                self._store(unique, vector)  # refuses a vector of another width
                finished.append(unique)
        self._to_cache.extend(finished)

    def collect_matrix(self, positions: Any, matrix: np.ndarray, usage: dict[str, Any]) -> None:
        """The same for a whole (count, d) matrix (Batch API answers)."""
        kept = dict(enumerate(matrix))
        self.collect(positions, EmbeddingAnswer(np.zeros(len(matrix), dtype=bool), kept, usage))

    def save_to_cache(self) -> None:
        """Write the vectors that arrived to the cache (in the calling thread, after a run)."""
        # Rows are only ever marked for the cache after the matrix was made.
        if self.cache is not None and self._to_cache and self.vectors is not None:
            finished = sorted(set(self._to_cache))
            self.cache.put(
                self._server,
                self.model,
                self.dimensions,
                [self.uniques[u] for u in finished],
                self.vectors[finished],
            )
        self._to_cache.clear()

    def _add_piece(self, unique: int, vector: np.ndarray, weight: float) -> bool:
        """Average the pieces of a long input (weighted by length), as OpenAI's cookbook does."""
        state = self._chunks[unique]
        state[0] = vector * weight if state[0] is None else state[0] + vector * weight
        state[1] += weight
        state[2] -= 1
        if state[2]:
            return False
        mean = state[0] / state[1]
        norm = float(np.linalg.norm(mean))
        self._store(unique, mean / norm if norm else mean)
        return True

    def _store(self, where: Any, rows: np.ndarray) -> None:
        width = rows.shape[-1]
        vectors = self._allocate(width)
        if vectors.shape[1] != width:
            raise APIResponseValidationError(
                f"embeddings of {width} dimensions arrived next to earlier ones of {vectors.shape[1]}; "
                "resume and cache entries must come from the same model and dimensions"
            )
        if isinstance(where, np.ndarray) and len(where) > 1 and bool(np.all(np.diff(where) == 1)):
            where = slice(int(where[0]), int(where[-1]) + 1)  # consecutive rows: one block copy
        vectors[where] = rows
        self.found[where] = True

    @property
    def _server(self) -> str:
        return self.client.base_url

    # -- running ---------------------------------------------------------------------

    def run(self, options: BulkOptions) -> None:
        texts, tokens = self.pieces()
        if not texts:
            return
        self.piece_texts = texts
        self.stats = bulk.run(
            range(len(texts)),  # the engine's items are piece numbers: body() finds their texts
            self,
            client=self.client,
            max_items=MAX_REQUEST_INPUTS,
            costs=tokens,
            max_cost=MAX_REQUEST_TOKENS,
            description="embed",
            **options.engine_settings(self.client),
        )

    # -- results ---------------------------------------------------------------------

    def frame(self) -> pd.DataFrame:
        from .._embeddings.frame import embeddings_frame

        matrix = self.vectors
        if matrix is None:
            raise APIResponseValidationError("no embeddings arrived")
        if len(self.inverse) != len(self.uniques):
            matrix = matrix[self.inverse]  # repeated inputs share a vector: one gather at the end
        return embeddings_frame(self.source.texts, matrix, self.source.index, self._attrs())

    def partial(self) -> pd.DataFrame:
        """The finished rows only, in input order, for an error to carry."""
        from .._embeddings.frame import embeddings_frame

        rows = np.flatnonzero(self.found[self.inverse])
        if self.vectors is None:
            matrix = np.zeros((0, 0), dtype=np.float32)
        else:
            matrix = self.vectors[self.inverse[rows]]
        texts = [self.source.texts[i] for i in rows]
        return embeddings_frame(texts, matrix, self.source.index[rows], self._attrs())

    def _attrs(self) -> dict[str, Any]:
        width = None if self.vectors is None else int(self.vectors.shape[1])
        return {
            "model": self.model,
            "dimensions": width,
            "requested_dimensions": self.dimensions,
            "usage": dict(self.usage),
            "reused": self.reused,
            "requests": self.stats.requests,
            "rate_limited": self.stats.rate_limited,
        }

    def run_batch(self, client: Any, *, progress: bool | None, poll_interval: float | None) -> None:
        """The same requests through the Batch API: one batch line per request, 50,000 inputs per batch."""
        from .batch_api import MAX_EMBEDDING_INPUTS, BatchService, split_lines

        texts, tokens = self.pieces()
        if not texts:
            return
        planned = bulk.plan_batches(
            range(len(texts)), max_items=MAX_REQUEST_INPUTS, costs=tokens, max_cost=MAX_REQUEST_TOKENS
        )
        lines: list[dict[str, Any]] = [
            {
                "custom_id": f"embed-{batch.number}",
                "method": "POST",
                "url": "/v1/embeddings",
                "body": self.request_body([texts[p] for p in batch.positions]),
            }
            for batch in planned
        ]
        plans = split_lines(
            lines, weights=[len(b.positions) for b in planned], max_weight=MAX_EMBEDDING_INPUTS
        )
        service = BatchService(client)
        records = service.submit(plans, "/v1/embeddings")
        self.stats.requests = len(lines)
        finished = service.wait(
            [r["id"] for r in records],
            total=len(lines),
            progress=progress,
            poll_interval=poll_interval,
            description="embed (Batch API)",
        )
        rows = service.assemble(finished, [line["custom_id"] for line in lines])
        failed = []
        for batch, row in zip(planned, rows, strict=True):
            if row["error"] is None:
                self.collect_matrix(batch.positions, *self.decode(row["response"], len(batch.positions)))
            else:
                failed.append(row["error"])
        if failed:
            raise bulk.BulkError(
                f"{len(failed)} of {len(lines)} batch requests failed; first: {failed[0]}",
                done=[],
                total=len(texts),
                stats=self.stats,
            )

    def done(self) -> None:
        """The run finished: the partial result it resumed from is no longer needed."""
        memory.forget("embed", self.resumed_from)

    def keep_partial(self, error: bulk.BulkError | bulk.BulkInterrupted) -> None:
        """Put the finished rows on the error (made when first read), and keep it for resume=True."""
        kept = int(self.found[self.inverse].sum())
        memory.remember("embed", error)
        note = (
            f"{kept} of {len(self.source.texts)} inputs are embedded and kept in the "
            "error's `partial` DataFrame; run the same call with resume=True (or "
            "resume=error.partial) to embed only the rest."
            if kept
            else ""
        )
        bulk.attach_partial(error, self.partial, note)

    def assembled(self) -> pd.DataFrame:
        """The frame of every input; Ctrl-C while it is made keeps all (they are paid for)."""
        try:
            return self.frame()
        except KeyboardInterrupt:
            total = len(self.source.texts)
            error = bulk.BulkInterrupted(
                f"interrupted while the result was assembled: all {total} inputs are embedded.",
                done=list(range(total)),
                total=total,
                stats=self.stats,
            )
            self.keep_partial(error)
            raise error from None


def _unique(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Distinct texts in first-seen order, and for every input the number of its distinct text."""
    import pandas as pd

    values = np.empty(len(texts), dtype=object)
    values[:] = texts
    inverse, uniques = pd.factorize(values)  # a C hash table; keeps the order of first appearance
    return uniques.tolist(), inverse.astype(np.int64, copy=False)


def _resume_frame(resume: Any) -> pd.DataFrame | None:
    import pandas as pd

    if resume is None:
        return None
    if not isinstance(resume, pd.DataFrame):
        raise type_error("resume", "True or a DataFrame from embed() (an error's partial)", resume)
    if not {"input", "embedding"}.issubset(resume.columns):
        raise InvalidInputError(
            "resume must be a DataFrame from embed(), with 'input' and 'embedding' columns"
        )
    return resume
