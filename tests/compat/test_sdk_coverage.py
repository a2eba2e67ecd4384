"""Every route the sandbox serves is reached by an official-SDK test (or says why the SDK has none)."""

from __future__ import annotations

import importlib
import re

from .sdk_routes import NOT_IN_SDK, claimed_routes, registered_routes


def test_every_sandbox_route_is_covered():
    routes = registered_routes()
    unreadable = [r for r in routes if not re.fullmatch(r"[A-Z]+ /[\w/{}.-]*", r)]
    assert not unreadable, f"route templates could not be read from the registry: {unreadable}"
    assert len(routes) == len(set(routes)), "a route is registered twice"
    claimed = claimed_routes()
    missing = sorted(set(routes) - set(claimed) - set(NOT_IN_SDK))
    assert not missing, f"sandbox routes with no official-SDK test: {missing}; add one to a module's ROUTES"
    stale = sorted((set(claimed) | set(NOT_IN_SDK)) - set(routes))
    assert not stale, f"ROUTES / NOT_IN_SDK name routes the sandbox no longer has: {stale}"
    assert not set(claimed) & set(NOT_IN_SDK)
    undefined = sorted(
        f"{module}::{test}"
        for module, test in claimed.values()
        if not callable(getattr(importlib.import_module(module), test, None))
    )
    assert not undefined, f"ROUTES name tests that do not exist: {undefined}"
