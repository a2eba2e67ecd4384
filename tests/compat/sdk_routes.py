"""Which sandbox routes the official-SDK tests reach: read from the registry and the test modules."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

# Routes the SDK has no method for, with the reason.
NOT_IN_SDK = {
    "POST /evals/{eval_id}/runs/{run_id}": (
        "the spec's path to cancel a run; the SDK posts to .../cancel, which the sandbox serves too "
        "(tests/sandbox/test_evals.py calls this one)"
    ),
    "GET /sandbox/evals/{eval_id}/runs/{run_id}": (
        "the sandbox's stand-in for an eval run's report page (report_url): a web page, not an API route"
    ),
    "GET /sandbox/images/{name}": (
        "the sandbox's stand-in for OpenAI's image host: the SDK hands back image URLs and never "
        "fetches them (test_images_generate fetches one with a plain HTTP GET)"
    ),
}


def route_name(route) -> str:
    """`GET /models/{model}` for a registered route (its template, else rebuilt from its regex)."""
    template = getattr(route, "template", None)
    if template is None:
        template = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", route.pattern.pattern)
        template = template.removeprefix("^").removesuffix("/?$")
    return f"{route.method} {template}"


def registered_routes() -> list[str]:
    from openai_widgets.sandbox.routes import _registry

    return [route_name(route) for route in _registry.ROUTES]


def claimed_routes() -> dict[str, tuple[str, str]]:
    """Route -> (module, test) over every `tests/compat/test_*sdk*.py` module's ROUTES."""
    claimed: dict[str, tuple[str, str]] = {}
    for path in sorted(Path(__file__).parent.glob("test_*sdk*.py")):
        module = importlib.import_module(f"tests.compat.{path.stem}")
        for route, test in getattr(module, "ROUTES", {}).items():
            claimed[route] = (module.__name__, test)
    return claimed
