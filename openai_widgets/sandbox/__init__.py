"""A local OpenAI-compatible server for notebooks, demos and tests: no key, no network.

    ow.connect(sandbox=True)      # start the shared sandbox and connect to it
    with Sandbox() as sandbox:    # or a private one, e.g. with faults
        ow.connect(api_key="sk-anything", base_url=sandbox.base_url)

From a shell: `python -m openai_widgets.sandbox --port 8765` serves /v1 on 127.0.0.1.
"""

from ._server import SANDBOX_ADMIN_KEY, SANDBOX_KEY, LoggedRequest, Sandbox, connect, shared

__all__ = ["SANDBOX_ADMIN_KEY", "SANDBOX_KEY", "LoggedRequest", "Sandbox", "connect", "shared"]
