"""JupyterLab on loopback and headless Chromium driven by Playwright, for tests of what users see."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class Lab:
    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_lab(root: Path):
    """JupyterLab serving `root`, saving widget state with notebooks, with the app exposed to scripts."""
    settings = root / ".settings"
    manager = settings / "@jupyter-widgets" / "jupyterlab-manager"
    manager.mkdir(parents=True)
    (manager / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    notebook = settings / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True)
    # Every cell stays rendered, so off-screen outputs can be read and clicked.
    (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    apputils = settings / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)
    # No "get notified about news?" toast over the widgets (and no request to the internet).
    (apputils / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port, token = free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={root / '.workspaces'}",
        "--ServerApp.open_browser=False",
        "--allow-root",
    ]
    log = open(root / ".lab.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited: {(root / '.lab.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/api/status", params={"token": token}, timeout=2).status_code == 200:
                return process, log, Lab(url, token, root)
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError("JupyterLab did not start within 90 s")


def require_chromium() -> None:
    """Skip browser tests on a machine without Chromium, unless OW_REQUIRE_BROWSER=1 (as in CI)."""
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install playwright)"
    if missing and os.environ.get("OW_REQUIRE_BROWSER") == "1":
        pytest.fail(missing)
    if missing:
        pytest.skip(missing)


def open_notebook(page, lab: Lab, name: str) -> None:
    """Open a notebook and wait until its kernel is named and idle."""
    page.goto(lab.notebook_url(name))
    page.wait_for_function(
        """() => {
        const app = window.jupyterapp;
        const panel = app && app.shell.currentWidget;
        const context = panel && panel.sessionContext;
        return context && context.kernelDisplayName !== 'No Kernel' && context.session
            && context.session.kernel && context.session.kernel.status === 'idle';
    }""",
        timeout=90_000,
    )


def run_all(page) -> None:
    page.evaluate("window.jupyterapp.commands.execute('runmenu:run-all')")


def wait_until_idle(page, timeout: float = 120_000) -> None:
    """Wait until every cell has run (no [*] prompt left) and the kernel is idle."""
    page.wait_for_function(
        """() => {
        const panel = window.jupyterapp.shell.currentWidget;
        const kernel = panel.sessionContext.session.kernel;
        const prompts = [...document.querySelectorAll('.jp-InputPrompt')].map(p => p.textContent);
        return kernel.status === 'idle' && !prompts.some(text => text.includes('*'));
    }""",
        timeout=timeout,
    )


def save(page) -> None:
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)


def copy_notebook(source: Path, lab: Lab) -> str:
    shutil.copy(source, lab.root / source.name)
    return source.name
