"""GET /models and GET /models/{model}."""

from __future__ import annotations

from .._http import JSONResponse, Request
from ._registry import route
from .fine_tuning import settle_jobs


@route("GET", "/models")
def list_models(request: Request, sandbox) -> JSONResponse:
    settle_jobs(sandbox)  # a job that has just succeeded adds its model
    with sandbox.state.lock:
        data = [dict(record) for record in sandbox.state.models.values()]
    return JSONResponse({"object": "list", "data": data})


@route("GET", "/models/{model}")
def retrieve_model(request: Request, sandbox) -> JSONResponse:
    settle_jobs(sandbox)
    return JSONResponse(dict(sandbox.state.model(request.params["model"])))
