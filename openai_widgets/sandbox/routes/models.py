"""GET /models and GET /models/{model}."""

from __future__ import annotations

from .._http import JSONResponse, Request
from ._registry import route


@route("GET", "/models")
def list_models(request: Request, sandbox) -> JSONResponse:
    with sandbox.state.lock:
        data = [dict(record) for record in sandbox.state.models.values()]
    return JSONResponse({"object": "list", "data": data})


@route("GET", "/models/{model}")
def retrieve_model(request: Request, sandbox) -> JSONResponse:
    return JSONResponse(dict(sandbox.state.model(request.params["model"])))
