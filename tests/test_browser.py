"""What a user sees in a real JupyterLab, in headless Chromium (Playwright)."""

from __future__ import annotations

import json

import nbformat
import pytest

from .browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    ROOT,
    open_notebook,
    require_chromium,
    run_all,
    save,
    start_lab,
    wait_until_idle,
)
from .conftest import TEST_KEY

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_chromium()
    process, log, server = start_lab(tmp_path_factory.mktemp("lab"))
    yield server
    process.terminate()
    process.wait(15)
    log.close()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    made = context.new_page()
    yield made
    context.close()


def write_notebook(lab, name: str, *sources: str) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab.root / name)


def test_credential_widget_connects_and_leaves_no_key_in_the_saved_notebook(lab, page):
    write_notebook(
        lab,
        "connect.ipynb",
        "import openai_widgets as ow\nfrom openai_widgets.widgets import CredentialWidget\n"
        "sandbox = ow.sandbox.Sandbox().start()\nwidget = CredentialWidget(base_url=sandbox.base_url)\nwidget",
    )
    open_notebook(page, lab, "connect.ipynb")
    run_all(page)
    form = page.locator(".openai-credential-widget")
    form.locator("input[type=password]").wait_for(timeout=60_000)
    assert page.get_by_text("Loading widget...").count() == 0

    form.locator("input[type=password]").fill(TEST_KEY)
    form.get_by_role("button", name="Connect").click()
    page.get_by_text("connected: ").wait_for(timeout=30_000)
    status = form.inner_text()
    assert "connected: " in status and f"sk-...{TEST_KEY[-4:]}" in status
    assert form.locator("input[type=password]").input_value() == ""  # cleared in the page too
    DOCS.mkdir(exist_ok=True)
    form.screenshot(path=str(DOCS / "credential-widget.png"))

    wait_until_idle(page)
    save(page)
    saved = (lab.root / "connect.ipynb").read_text()
    state = json.loads(saved)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(m["model_name"] == "PasswordModel" for m in state.values())  # widget state really was saved
    assert TEST_KEY not in saved
