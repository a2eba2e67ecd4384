"""Checkpoint permissions: share a fine-tuned checkpoint with other projects (admin key only).

GET and POST /fine_tuning/checkpoints/{checkpoint}/permissions list and grant
permissions (one per project ID); DELETE .../permissions/{permission_id} takes one back.
A checkpoint is a `fine_tuned_model_checkpoint` a job has reached, or the fine-tuned
model of a job that succeeded. Like OpenAI, these routes need an admin key: in the
sandbox, a bearer key that starts with "sk-admin-" (a 403 otherwise).
"""

from __future__ import annotations

import re

from .._http import ApiError, JSONResponse, Request
from ._lists import page
from ._registry import route
from .fine_tuning import settle_jobs

_PROJECT = re.compile(r"^proj_[A-Za-z0-9_-]+$")


@route("GET", "/fine_tuning/checkpoints/{checkpoint}/permissions", admin=True)
def list_permissions(request: Request, sandbox) -> JSONResponse:
    checkpoint = _checkpoint(sandbox, request.params["checkpoint"])
    project = request.arg("project_id")
    order = request.arg("order", "descending")
    if order not in {"ascending", "descending"}:
        raise ApiError(400, "Invalid 'order': expected 'ascending' or 'descending'.", param="order")
    with sandbox.state.lock:
        granted = [dict(p) for p in sandbox.state.checkpoint_permissions.get(checkpoint, [])]
    items = [p for p in granted if not project or p["project_id"] == project]
    items = items[::-1] if order == "descending" else items
    return JSONResponse(page(request, items, default_limit=10, first_last=True))


@route("POST", "/fine_tuning/checkpoints/{checkpoint}/permissions", admin=True)
def create_permissions(request: Request, sandbox) -> JSONResponse:
    checkpoint = _checkpoint(sandbox, request.params["checkpoint"])
    body = request.json_object()
    strangers = sorted(set(body) - {"project_ids"})
    if strangers:
        raise ApiError(400, f"Unrecognized request argument supplied: {strangers[0]}", param=strangers[0])
    projects = body.get("project_ids")
    if projects is None:
        raise ApiError(
            400,
            "Missing required parameter: 'project_ids'.",
            param="project_ids",
            code="missing_required_parameter",
        )
    if not isinstance(projects, list) or not projects:
        raise ApiError(
            400, "Invalid 'project_ids': expected a non-empty array of project IDs.", param="project_ids"
        )
    for index, project in enumerate(projects):
        if not isinstance(project, str) or not _PROJECT.match(project):
            raise ApiError(
                400,
                f"Invalid 'project_ids[{index}]': {project!r} is not a project ID (proj_...).",
                param="project_ids",
            )
    state = sandbox.state
    made = []
    with state.lock:
        granted = state.checkpoint_permissions.setdefault(checkpoint, [])
        for project in dict.fromkeys(projects):
            existing = next((p for p in granted if p["project_id"] == project), None)
            if existing is None:
                existing = {
                    "object": "checkpoint.permission",
                    "id": state.new_id("cp", "_"),
                    "created_at": state.now(),
                    "project_id": project,
                }
                granted.append(existing)
            made.append(dict(existing))
    return JSONResponse(
        {
            "object": "list",
            "data": made,
            "first_id": made[0]["id"],
            "last_id": made[-1]["id"],
            "has_more": False,
        }
    )


@route("DELETE", "/fine_tuning/checkpoints/{checkpoint}/permissions/{permission_id}", admin=True)
def delete_permission(request: Request, sandbox) -> JSONResponse:
    checkpoint = _checkpoint(sandbox, request.params["checkpoint"])
    permission_id = request.params["permission_id"]
    with sandbox.state.lock:
        granted = sandbox.state.checkpoint_permissions.get(checkpoint, [])
        found = next((p for p in granted if p["id"] == permission_id), None)
        if found is None:
            raise ApiError(
                404,
                f"No permission {permission_id} found for checkpoint {checkpoint}.",
                param="permission_id",
            )
        granted.remove(found)
    return JSONResponse({"object": "checkpoint.permission", "id": permission_id, "deleted": True})


def _checkpoint(sandbox, name: str) -> str:
    """The checkpoint's name if some job made it (a checkpoint, or a finished model), else a 404."""
    settle_jobs(sandbox)
    with sandbox.state.lock:
        jobs = list(sandbox.state.fine_tuning_jobs.values())
    for job in jobs:
        if job.status() == "succeeded" and job.fine_tuned_model == name:
            return name
        if any(c["fine_tuned_model_checkpoint"] == name for c in job.checkpoints()):
            return name
    raise ApiError(
        404,
        f"Checkpoint {name} not found: give a fine_tuned_model_checkpoint from a job's checkpoints, "
        "or a fine-tuned model.",
        param="fine_tuned_model_checkpoint",
        code="model_not_found",
    )
