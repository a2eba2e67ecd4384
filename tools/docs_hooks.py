"""mkdocs hooks: the notebooks the site executes always run on the sandbox.

The notebooks connect with `ow.connect(sandbox=not os.environ.get("OPENAI_API_KEY"))`, so a
key in the environment would make a docs build call (and bill) the real API. The kernels
mkdocs-jupyter starts inherit this process's environment, so the OpenAI settings are
removed here, before any notebook runs, and plots draw without a display.
"""

from __future__ import annotations

import os
import re
from typing import Any

SETTINGS = ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_BASE_URL")


def on_config(config: Any) -> Any:
    for name in SETTINGS:
        os.environ.pop(name, None)
    os.environ["MPLBACKEND"] = "Agg"
    return config


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Fill the sandbox page's tables from the sandbox itself, so they never fall behind it."""
    if "<!-- sandbox-routes -->" in markdown:
        markdown = markdown.replace("<!-- sandbox-routes -->", routes_table())
    if "<!-- sandbox-faults -->" in markdown:
        markdown = markdown.replace("<!-- sandbox-faults -->", faults_table())
    return markdown


def routes_table() -> str:
    from openai_widgets.sandbox.routes._registry import ROUTES

    rows = ["| area | method | path | key |", "| --- | --- | --- | --- |"]
    for route in sorted(ROUTES, key=lambda r: (r.handler.__module__, template(r.pattern.pattern), r.method)):
        area = route.handler.__module__.rsplit(".", 1)[-1].replace("_", " ")
        key = "admin" if route.admin else ("" if route.auth else "open")
        rows.append(f"| {area} | {route.method} | `{template(route.pattern.pattern)}` | {key} |")
    return "\n".join(rows)


def template(regex: str) -> str:
    """`^/models/(?P<model>[^/]+)/?$` -> `/models/{model}` (the form the routes were declared in)."""
    path = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", regex)
    return path.removeprefix("^").removesuffix("/?$")


def faults_table() -> str:
    from openai_widgets.sandbox._fault_kinds import BEHAVIOURS

    rows = ["| kind | parameters (default) |", "| --- | --- |"]
    for kind, behaviour in BEHAVIOURS.items():
        params = ", ".join(f"`{name}` ({shown(param.default)})" for name, param in behaviour.params.items())
        rows.append(f"| `{kind}` | {params or 'none'} |")
    return "\n".join(rows)


def shown(default: Any) -> str:
    if isinstance(default, tuple):
        return "the optional fields" if len(default) > 3 else ", ".join(map(str, default))
    return repr(default)
