"""JupyterLab in headless Chromium draws the images panel with a generated image, and the audio player.

Run with `pytest -m browser tests/test_browser_media.py` (needs /usr/bin/chromium).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "media-browser-test"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]

CELLS = [
    "import openai_widgets as ow\nclient = ow.sandbox.connect()",
    "from openai_widgets.widgets import AudioPanel, ImagesPanel\n"
    "panel = ImagesPanel()\n"
    "panel.prompt.value = 'a paper boat on a pond'\n"
    "panel.size.value = '256x256'\n"
    "panel.n.value = 2\n"
    "panel.generate_button.click()\n"
    "panel",
    "audio = AudioPanel()\n"
    "audio.speech_text.value = 'Hello'\n"
    "audio.speech_format.value = 'wav'\n"
    "audio.speak_button.click()\n"
    "audio",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on loopback serving a notebook that builds both panels."""
    notebook = new_notebook(cells=[new_code_cell(source) for source in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "media.ipynb")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",  # CI machines run as root
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={tmp_path}",
        f"--LabApp.workspaces_dir={tmp_path / '.workspaces'}",
        f"--LabApp.user_settings_dir={tmp_path / '.settings'}",
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/status", params={"token": TOKEN}, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield base, tmp_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_panels_draw_a_generated_image_and_an_audio_player(lab):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    base, folder = lab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/media.ipynb?token={TOKEN}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            with contextlib.suppress(PlaywrightTimeout):  # a fresh JupyterLab may ask which kernel to start
                page.click(".jp-Dialog .jp-mod-accept", timeout=15_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            page.click(".lm-MenuBar-itemLabel:text-is('Run')")
            page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
            try:
                thumbnail = page.wait_for_selector(".ow-panel-images .ow-image-gallery img", timeout=90_000)
            finally:
                page.screenshot(path=str(folder / "media-panels.png"), full_page=True)
            page.wait_for_function(
                "() => [...document.querySelectorAll('.ow-image-gallery img')]"
                ".filter(img => img.complete && img.naturalWidth > 0).length === 2",
                timeout=30_000,
            )
            assert thumbnail.evaluate("img => img.naturalWidth") == 160
            player = page.wait_for_selector(".ow-panel-audio audio", state="attached", timeout=30_000)
            assert player.evaluate("audio => audio.src").startswith("blob:")
            page.screenshot(path=str(folder / "media-panels.png"), full_page=True)
        finally:
            browser.close()
