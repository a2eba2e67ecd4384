"""Embeddings: embed texts at DataFrame scale, then compare and search them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.arguments import boolean, model_argument, text, type_error, whole_number
from .._core.errors import InvalidInputError
from .._core.transport import BaseClient
from .batches import check_waiting

if TYPE_CHECKING:
    import pandas as pd

    from .._costs.estimate import CostEstimate
    from ..bulk.embedding_job import EmbeddingJob

__all__ = ["EmbeddingsAPI", "embedding_estimate"]


class EmbeddingsAPI(BaseClient):
    def embed(
        self,
        input: Any,
        model: str | None = None,
        *,
        user: str | None = None,
        limit: int | None = None,
        dimensions: int | None = None,
        chunk_long: bool = False,
        cache: Any = None,
        batch: bool = False,
        poll_interval: float | None = None,
        max_concurrency: int | None = None,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        max_retries: int | None = None,
        progress: bool | None = None,
        resume: Any = None,
        max_cost: float | None = None,
    ) -> pd.DataFrame:
        """Embed a string, a list, a Series or a DataFrame column -> a DataFrame indexed like the input.

        Columns: `input` and `embedding` (float32 rows of one read-only matrix: get it
        whole with `ow.as_matrix(df)` or `df.embeddings.matrix`). `.attrs` holds `model`,
        `dimensions`, `usage` (tokens), `reused` (inputs not sent: resumed or cached) and
        `requests`. `limit` embeds only the first `limit` inputs; `user` is passed on.

        Requests carry up to 2048 inputs and 300,000 tokens and ask for base64 (decoded
        with numpy; plain float lists work too). Identical inputs are sent once. An empty
        string, or an input over 8192 tokens, is refused naming its index, unless
        `chunk_long=True`, which embeds a long input in pieces and averages them.
        `cache=True` keeps vectors in an SQLite file (`ow.cache_info()`), so a notebook run
        again does not pay twice. `batch=True` goes through the Batch API (half price, done
        within 24 h; `poll_interval` seconds between looks, default growing from 0.25 to 30).

        The bulk options `max_concurrency`, `requests_per_minute`, `tokens_per_minute`,
        `max_retries`, `progress`, `resume` and `max_cost` are the same on every bulk call:
        see `openai_widgets.bulk.options`. Nothing finished is lost: on an error or Ctrl-C the
        raised `BulkError` / `BulkInterrupted` carries the finished rows as `.partial`, and
        the same call with `resume=True` (or `resume=error.partial`) embeds only the rest.
        `ow.estimate_cost("embed", ...)` with the same arguments tells the cost first.
        """
        from .. import bulk
        from ..bulk.options import BulkOptions

        options = BulkOptions(
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute,
            tokens_per_minute=tokens_per_minute,
            max_retries=max_retries,
            progress=progress,
            resume=resume,
            max_cost=max_cost,
        )
        job = self._embedding_job(input, model, user, limit, dimensions, chunk_long, cache)
        if boolean(batch, "batch"):
            check_waiting(True, poll_interval, progress)
        job.reuse(options.resume)
        options.check_cost("embed", lambda: embedding_estimate(job, batch=batch))
        try:
            if batch:
                job.run_batch(self, progress=options.progress, poll_interval=poll_interval)
            else:
                job.run(options)
        except (bulk.BulkError, bulk.BulkInterrupted) as exc:
            job.keep_partial(exc)
            raise
        finally:
            job.save_to_cache()  # what arrived is kept, even from a run that stopped
        frame = job.assembled()
        job.done()
        return frame

    def _embedding_job(
        self, input: Any, model: Any, user: Any, limit: Any, dimensions: Any, chunk_long: Any, cache: Any
    ) -> EmbeddingJob:
        """The job of one embed() call, its arguments checked (nothing is sent or planned yet)."""
        from .._embeddings.cache import open_cache
        from .._tables.text_input import check_count, text_input
        from ..bulk.embedding_job import EmbeddingJob

        source = text_input(input, limit=limit)
        return EmbeddingJob(
            self,
            source,
            model=model_argument(model, "embedding"),
            dimensions=check_count(dimensions, "dimensions"),
            user=text(user, "user", hint="pass your end user's ID, or leave it out", optional=True),
            chunk_long=boolean(chunk_long, "chunk_long"),
            cache=open_cache(cache),
        )

    def similarity(
        self, a: Any, b: Any = None, *, k: int | None = None, model: str | None = None
    ) -> pd.DataFrame:
        """Cosine similarity of every row of `a` with every row of `b` (or of `a` with itself), best first.

        `a` and `b` are embeddings DataFrames from `embed()`, or texts (a string, a list, a
        Series), which are embedded first with `model` (or the other side's model). Returns
        one row per pair: `a_index`, `a`, `b_index`, `b`, `score`; `k` keeps the best `k`
        matches per row of `a`.
        """
        from .._embeddings.similarity import ranked_pairs

        k = whole_number(k, "k", minimum=1, optional=True)  # before anything is embedded
        first = self._embeddings_of(a, model, None)
        second = first if b is None else self._embeddings_of(b, model, first)
        return ranked_pairs(first, second, k=k, same=b is None)

    def search(
        self, frame: pd.DataFrame, query: Any, *, k: int = 5, model: str | None = None
    ) -> pd.DataFrame:
        """The `k` rows of an embeddings DataFrame closest to `query`, best first, with a `score` column.

        `query` is a text (embedded with the frame's model and dimensions) or a vector.
        The other columns of `frame` come along (the `embedding` column is left out) and
        the index is kept, so the rows can be looked up in the original data.
        """
        import numpy as np

        from .._embeddings.similarity import ranked_rows

        k = whole_number(k, "k", minimum=1)  # before the query is embedded
        if not isinstance(frame, _pandas().DataFrame):
            raise type_error("frame", "an embeddings DataFrame from embed()", frame)
        if "embedding" not in frame.columns:
            raise InvalidInputError(
                "frame has no 'embedding' column; search needs an embeddings DataFrame from embed()"
            )
        if isinstance(query, str):
            vector = self._embeddings_of(query, model, frame).embeddings.matrix[0]
        else:
            vector = np.asarray(query, dtype=np.float32)
            if vector.ndim != 1:
                raise InvalidInputError("query must be one text or one vector (a 1-D array)")
        return ranked_rows(frame, vector, k)

    def _embeddings_of(self, value: Any, model: str | None, like: pd.DataFrame | None) -> pd.DataFrame:
        """`value` if it already is an embeddings frame; otherwise `value` embedded like `like`."""
        from .._embeddings.vectors import origin_of

        pd = _pandas()
        if isinstance(value, pd.DataFrame) and "embedding" in value.columns:
            return value
        attrs = origin_of(like) if like is not None else {}
        return self.embed(
            value,
            model=model or attrs.get("model"),
            dimensions=attrs.get("requested_dimensions"),
            progress=False,
        )


def embedding_estimate(job: EmbeddingJob, *, batch: bool, prices: Any = None) -> CostEstimate:
    """The cost of what `job` will send: its distinct texts not resumed or cached, as planned."""
    from .._costs.estimate import estimate_texts
    from .._embeddings.tokens import MAX_REQUEST_INPUTS, MAX_REQUEST_TOKENS
    from ..bulk import plan_batches

    texts, tokens = job.pieces()
    requests = (
        len(
            plan_batches(
                range(len(texts)), max_items=MAX_REQUEST_INPUTS, costs=tokens, max_cost=MAX_REQUEST_TOKENS
            )
        )
        if texts
        else 0
    )
    return estimate_texts(
        "embed",
        "embeddings",
        job.model,
        texts,
        requests=requests,
        tokens=tokens,
        counted=job.exact_tokens,
        batch=batch,
        prices=prices,
    )


def _pandas():
    import pandas as pd

    return pd
