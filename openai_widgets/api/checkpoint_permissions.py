"""Share a fine-tuned checkpoint with other projects of the organization (admin key).

A checkpoint is a `fine_tuned_model_checkpoint` from `fine_tuning_checkpoints(job_id)`, or a
job's fine-tuned model. These routes take the admin key only (`ow.connect(admin_key=...)`);
a client without one is refused before anything is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.arguments import text, type_error
from .._core.errors import InvalidInputError
from .._core.paths import path_id
from .._core.transport import BaseClient
from .._tables.records import Record, as_record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CheckpointPermissionsAPI"]

PAGE_SIZE = 100


class CheckpointPermissionsAPI(BaseClient):
    def checkpoint_permissions(self, checkpoint: str) -> pd.DataFrame:
        """The projects a checkpoint is shared with (all pages): `id`, `project_id`, `created_at`."""
        from .._tables.eval_frames import checkpoint_permissions_frame

        return checkpoint_permissions_frame(self._paginate(_path(checkpoint), page_size=PAGE_SIZE))

    def share_checkpoint(self, checkpoint: str, project_ids: Any) -> pd.DataFrame:
        """Share a checkpoint with projects (a project ID or a list); returns the permissions made."""
        from .._tables.eval_frames import checkpoint_permissions_frame

        path = _path(checkpoint)
        answer = self._post(path, {"project_ids": _projects(project_ids)})
        return checkpoint_permissions_frame(answer.get("data") or [])

    def unshare_checkpoint(self, checkpoint: str, permission_id: str) -> Record:
        """Take one permission back (its `id` from `checkpoint_permissions`); returns `{"id", "deleted"}`."""
        path = f"{_path(checkpoint)}/{path_id(permission_id, 'permission_id')}"
        return as_record(self._delete(path))


def _path(checkpoint: Any) -> str:
    return f"fine_tuning/checkpoints/{path_id(checkpoint, 'checkpoint')}/permissions"


def _projects(project_ids: Any) -> list[str]:
    if isinstance(project_ids, str):
        project_ids = [project_ids]
    if not isinstance(project_ids, (list, tuple)):
        raise type_error("project_ids", "a project ID or a list of them", project_ids)
    if not project_ids:
        raise InvalidInputError("project_ids is empty; give at least one project ID (proj_...)")
    hint = "give a project ID (proj_...)"
    return [text(value, f"project_ids[{n}]", hint=hint).strip() for n, value in enumerate(project_ids)]
