"""What a user sees in a real JupyterLab, in headless Chromium (Playwright).

The quickstart notebook (a copy) is Run All; then the test connects with a key through the
credential widget, works in the studio (a chat reply streaming in, a Responses reply streaming
in with its tool trace and sources, an image generated, two models compared in the Evals tab
with their chart, a vector store made from uploaded files and searched), watches the
fine-tuning monitor reach "succeeded", saves the notebook with widget state, and reads the
saved file for the key.

Screenshots go to a temporary folder (printed at the end of the run); the ones in docs/ are
refreshed on purpose with `OW_SCREENSHOTS=docs python -m pytest -m browser tests/e2e/test_browser.py`.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from tests.conftest import TEST_KEY
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    ROOT,
    copy_notebook,
    open_notebook,
    require_chromium,
    run_all,
    save,
    start_lab,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """Where screenshots go: OW_SCREENSHOTS (e.g. docs, to refresh the README's), else a temporary folder."""
    chosen = os.environ.get("OW_SCREENSHOTS")
    folder = (ROOT / chosen if not Path(chosen).is_absolute() else Path(chosen)) if chosen else None
    folder = folder or tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    print(f"\nscreenshots: {folder}")


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


@pytest.fixture(scope="module")
def quickstart(lab, browser):
    """The quickstart, run top to bottom in JupyterLab: (page, notebook name)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    name = copy_notebook(ROOT / "notebooks" / "quickstart.ipynb", lab)
    open_notebook(page, lab, name)
    run_all(page)
    wait_until_idle(page, timeout=240_000)
    yield page, name
    context.close()


def screenshot(locator, folder: Path, name: str) -> None:
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(folder / name))


def test_every_widget_is_drawn(quickstart):
    page, _ = quickstart
    page.locator(".ow-studio").wait_for(timeout=60_000)
    assert page.get_by_text("Loading widget...").count() == 0
    assert page.get_by_text("Error displaying widget").count() == 0
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert all("Traceback" not in text for text in errors.all_inner_texts())


def test_dataframes_render_as_tables(quickstart):
    page, _ = quickstart
    tables = page.locator(".jp-OutputArea-output table.dataframe")
    assert tables.count() >= 4
    assert "owned_by" in tables.first.text_content()


def test_generated_images_and_audio_show_inline(quickstart):
    page, _ = quickstart
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
        ".filter(img => img.complete && img.naturalWidth === 256).length >= 2",
        timeout=30_000,
    )
    assert page.locator(".jp-OutputArea-output audio").count() >= 1


# What a page must not show: buttons whose label is cut short, boxes wider than their panel,
# images the browser could not draw (a broken-image icon), and overlapping plot captions.
CUT_LABELS = """(root) => [...root.querySelectorAll('button, .widget-label')]
    .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
    .map(b => b.textContent.trim())"""
WIDER_THAN = """(panel) => { const edge = panel.getBoundingClientRect().right + 0.5;
    return [...panel.querySelectorAll('select, input, textarea, .widget-hbox')]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > edge)
        .map(e => `${e.tagName}.${e.className}: ${Math.round(e.getBoundingClientRect().right - edge)} px`) }"""
BROKEN_IMAGES = """() => [...document.querySelectorAll('img')]
    .filter(i => i.offsetParent !== null && i.complete && i.naturalWidth === 0).length"""
OVERLAPPING = """(plot) => { const rects = ['.gtitle', '.ytitle', '.xtitle']
        .map(s => plot.querySelector(s)).filter(Boolean).map(e => e.getBoundingClientRect());
    return rects.some((a, i) => rects.slice(i + 1).some(b =>
        !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top))) }"""


def test_no_broken_image_anywhere(quickstart):
    page, _ = quickstart
    assert page.evaluate(BROKEN_IMAGES) == 0


def test_chat_map_answers_are_shown_whole(quickstart):
    page, _ = quickstart
    table = page.locator(".jp-OutputArea-output table.dataframe", has_text="good morning").first
    cells = table.locator("td").all_inner_texts()
    assert any("Translate 'good morning' into French" in cell for cell in cells)
    assert not [cell for cell in cells if cell.endswith("...")]


def test_the_embedding_map_is_interactive_and_its_captions_apart(quickstart, shots):
    page, _ = quickstart
    plot = page.locator(".jp-OutputArea-output .js-plotly-plot").first
    plot.wait_for(timeout=30_000)
    plot.scroll_into_view_if_needed()
    screenshot(plot, shots, "embedding-map.png")
    assert plot.locator(".ytitle").text_content().startswith("PC2 (")
    assert not plot.evaluate(OVERLAPPING)
    point = plot.locator(".scatterlayer .point").first.bounding_box()
    page.mouse.move(point["x"] + point["width"] / 2, point["y"] + point["height"] / 2)
    hover = plot.locator(".hoverlayer .hovertext").first
    hover.wait_for(timeout=10_000)
    notes = [
        "Tea is brewed from leaves",
        "Coffee comes from roasted beans",
        "The football match",
        "Jazz grew up",
    ]
    assert any(note in hover.text_content() for note in notes), hover.text_content()


def test_sandbox_images_show_their_whole_caption(quickstart, shots):
    page, _ = quickstart
    gallery = page.locator(".jp-OutputArea-output .ow-image-gallery").first
    screenshot(gallery, shots, "quickstart-images.png")


def test_the_studio_opens_with_its_lists_filled(quickstart, shots):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    studio.scroll_into_view_if_needed()
    models = studio.locator(".ow-panel-models")
    # Nobody pressed Refresh: the first view of the tab loaded the models in the background.
    page.wait_for_function(
        "() => document.querySelectorAll('.ow-studio .ow-models-table option').length >= 19", timeout=30_000
    )
    screenshot(models, shots, "studio-models.png")
    assert models.get_by_role("button", name="Refresh").inner_text().strip() == "Refresh"
    assert models.evaluate(CUT_LABELS) == []
    assert models.evaluate(WIDER_THAN) == []


def test_every_tab_keeps_its_labels_whole_and_inside_the_panel(quickstart, shots):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    for title, key in [
        ("Chat", "chat"),
        ("Embeddings", "embeddings"),
        ("Images", "images"),
        ("Audio", "audio"),
        ("Files", "files"),
        ("Fine-tuning", "fine-tuning"),
        ("Batches", "batches"),
    ]:
        studio_tab(page, title)
        panel = studio.locator(f".ow-panel-{key}")
        panel.wait_for(state="visible", timeout=10_000)
        screenshot(panel, shots, f"studio-{key}.png")
        assert panel.evaluate(CUT_LABELS) == [], title
        assert panel.evaluate(WIDER_THAN) == [], title
    assert page.evaluate(BROKEN_IMAGES) == 0


# In a narrow window the studio keeps to the cell: its tabs wrap onto more rows instead of
# pushing the open panel out of sight, and a table wider than its panel scrolls inside it.
OUTSIDE = """([inner, outer]) => [...document.querySelectorAll(inner)]
    .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect())
    .filter(b => { const o = document.querySelector(outer).getBoundingClientRect();
        return b.left < o.left - 0.5 || b.right > o.right + 0.5 }).length"""
SCROLLER = """(table) => { const panel = table.closest('.ow-panel').getBoundingClientRect();
    for (let e = table.parentElement; e && !e.classList.contains('ow-panel'); e = e.parentElement) {
        const style = getComputedStyle(e);
        if (['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1) {
            const box = e.getBoundingClientRect();
            return box.left >= panel.left - 0.5 && box.right <= panel.right + 0.5;
        }
    }
    return false }"""


def test_a_narrow_window_keeps_the_studio_inside_its_cell(quickstart, shots):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    page.set_viewport_size({"width": 760, "height": 1000})
    try:
        top = ".ow-studio > .widget-tab"
        titles = [t.strip() for t in page.locator(f"{top} > .lm-TabBar .lm-TabBar-tab").all_inner_texts()]
        assert len(titles) >= 10
        for title in titles:
            studio_tab(page, title)
            panel = page.locator(f"{top} > .widget-tab-contents > :visible").first
            panel.wait_for(state="visible", timeout=10_000)
            assert studio.evaluate("s => s.scrollWidth <= s.clientWidth + 1"), title
            assert page.evaluate(OUTSIDE, [".ow-studio .lm-TabBar-tab", ".ow-studio"]) == 0, title
            assert panel.evaluate("(p) => p.getBoundingClientRect().right") <= studio.evaluate(
                "(s) => s.getBoundingClientRect().right + 0.5"
            ), title
            assert panel.evaluate(WIDER_THAN) == [], title
            assert panel.evaluate(CUT_LABELS) == [], title
            if title == "Files":  # the quickstart's files make a table wider than this window
                table = panel.locator("table").first
                table.wait_for(timeout=30_000)
                assert table.evaluate(SCROLLER), "the files table scrolls inside its panel"
                screenshot(studio, shots, "studio-narrow.png")
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def test_the_audio_tab_has_one_transcribe_control(quickstart, shots):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    studio_tab(page, "Audio")
    panel = studio.locator(".ow-panel-audio")
    assert panel.locator("button:visible", has_text=re.compile(r"^\s*Transcribe\s*$")).count() == 1
    screenshot(panel, shots, "studio-audio.png")


def test_dimensions_say_default(quickstart, shots):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    studio_tab(page, "Embeddings")
    panel = studio.locator(".ow-panel-embeddings")
    box = panel.locator(".widget-text:has(label:text-is('Dimensions')) input")
    assert box.input_value() == "" and box.get_attribute("placeholder") == "default"
    assert "Plot draws their map" in panel.inner_text()
    screenshot(panel, shots, "studio-embeddings.png")


def test_credential_widget_connects_with_a_key(quickstart, shots):
    page, _ = quickstart
    base_url = re.search(
        r"base_url='(http://127\.0\.0\.1:\d+/v1)'", page.locator(".jp-OutputArea").first.inner_text()
    ).group(1)
    form = page.locator(".openai-credential-widget").first
    form.locator("input[type=password]").fill(TEST_KEY)
    form.locator(".widget-text:has(label:text-is('Base URL')) input").fill(base_url)
    form.get_by_role("button", name="Connect").click()
    form.get_by_text("connected: ").wait_for(timeout=30_000)
    assert f"sk-...{TEST_KEY[-4:]}" in form.inner_text()
    assert form.locator("input[type=password]").input_value() == ""
    screenshot(form, shots, "credential-widget.png")


def test_a_key_typed_but_not_submitted_is_not_saved(quickstart, lab):
    page, name = quickstart
    form = page.locator(".openai-credential-widget").first
    field = form.locator("input[type=password]")
    field.fill(TEST_KEY)
    field.press("Tab")  # leaves the field without pressing Connect
    page.wait_for_function(
        "() => [...document.querySelectorAll('.openai-credential-widget input[type=password]')]"
        ".some(input => input.placeholder.includes('entered: press Connect') && input.value === '')",
        timeout=30_000,
    )
    save(page)
    saved = (lab.root / name).read_text()
    assert TEST_KEY not in saved
    assert f"sk-...{TEST_KEY[-4:]}" in saved  # the masked form the placeholder shows


def test_fine_tuning_monitor_reaches_succeeded(quickstart, shots):
    page, _ = quickstart
    status = page.locator(".ow-panel-fine-tuning .ow-ft-status").first
    status.get_by_text("succeeded").wait_for(timeout=60_000)
    monitor = page.locator(".ow-panel-fine-tuning").first
    monitor.locator(".js-plotly-plot").wait_for(timeout=30_000)  # the live metrics chart
    assert not monitor.locator(".js-plotly-plot").evaluate(OVERLAPPING)
    screenshot(monitor, shots, "fine-tuning-monitor.png")


def studio_tab(page, title: str):
    page.locator(".ow-studio .lm-TabBar-tab").filter(has_text=re.compile(f"^{title}$")).first.click()


def test_studio_tabs_switch_and_a_chat_reply_streams_in(quickstart, shots):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    studio.scroll_into_view_if_needed()
    studio_tab(page, "Chat")
    chat = studio.locator(".ow-panel-chat")
    chat.wait_for(state="visible", timeout=10_000)
    chat.locator("textarea[placeholder='message']").first.fill(
        "Tell me a long story about a lighthouse keeper."
    )
    chat.get_by_role("button", name="Send").click()
    reply = chat.locator(".ow-chat-reply")
    seen, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline:
        text = reply.inner_text()
        if text and (not seen or text != seen[-1]):
            seen.append(text)
        if "[sandbox]" in text and chat.get_by_role("button", name="Send").is_enabled() and len(seen) > 1:
            break
        time.sleep(0.05)
    assert len(seen) >= 3, f"the reply did not stream in (saw {len(seen)} states)"
    partial = [part.removesuffix("▌").rstrip() for part in seen[:-1]]  # "▌" marks a reply still arriving
    assert all(seen[-1].startswith(part) for part in partial)  # each state grows the same reply
    assert "[sandbox]" in seen[-1]
    screenshot(studio, shots, "studio.png")

    studio_tab(page, "Models")
    assert studio.locator(".ow-panel-models").is_visible()
    assert not chat.is_visible()


def test_the_responses_tab_streams_a_reply_with_its_tool_trace(quickstart):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    studio.scroll_into_view_if_needed()
    studio_tab(page, "Responses")
    panel = studio.locator(".ow-panel-responses")
    panel.wait_for(state="visible", timeout=10_000)
    panel.locator("textarea[placeholder='your message']").fill(
        "Search the web for lighthouse keepers of Norway"
    )
    panel.locator(
        ".jupyter-widget-Collapse-header, .lm-AccordionPanel-title, .jupyter-widget-Accordion-title"
    ).filter(has_text="Tools").first.click()
    panel.get_by_text("Web search", exact=True).click()
    panel.get_by_role("button", name="Send").click()
    reply, trace = panel.locator(".ow-responses-reply"), panel.locator(".ow-tool-trace")
    seen, traces, deadline = [], [], time.monotonic() + 60
    while time.monotonic() < deadline:
        text = reply.inner_text()
        if text and (not seen or text != seen[-1]):
            seen.append(text)
        shown = trace.inner_text()
        if shown and (not traces or shown != traces[-1]):
            traces.append(shown)
        if (
            "Web results" in text
            and "▌" not in text
            and panel.get_by_role("button", name="Send").is_enabled()
        ):
            break
        time.sleep(0.05)
    assert len(seen) >= 3, f"the reply did not stream in (saw {len(seen)} states)"
    assert all(seen[-1].startswith(part.removesuffix("▌").rstrip()) for part in seen[:-1])
    assert "web search" in traces[-1] and "(completed)" in traces[-1]
    assert panel.locator(".ow-citations a[href^='https://sandbox.invalid/web/']").count() == 3
    assert "tokens" in panel.inner_text()


def test_studio_image_panel_shows_a_generated_image(quickstart, shots):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    studio_tab(page, "Images")
    panel = studio.locator(".ow-panel-images")
    panel.wait_for(state="visible", timeout=10_000)
    panel.locator("textarea").first.fill("a lighthouse at night")
    panel.get_by_role("button", name="Generate").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.ow-studio .ow-image-gallery img')]"
        ".some(img => img.complete && img.naturalWidth > 0)",
        timeout=60_000,
    )
    screenshot(panel, shots, "images-panel.png")


def test_the_evals_tab_compares_two_models_with_a_chart(quickstart):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    studio.scroll_into_view_if_needed()
    studio_tab(page, "Evals")
    panel = studio.locator(".ow-panel-evals")
    panel.wait_for(state="visible", timeout=10_000)
    panel.locator(".widget-dropdown:has(label:text-is('DataFrame')) select").select_option("phrases")
    answer = panel.locator(".widget-dropdown:has(label:text-is('Answer')) select")
    page.wait_for_function(
        "el => el.value === 'answer'", arg=answer.element_handle(), timeout=10_000
    )  # the answer column is guessed from the picked DataFrame
    panel.locator("textarea").first.fill("Translate '{text}' into {language}.")
    panel.get_by_role("button", name="Compare").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.ow-panel-evals img.ow-evals-chart')]"
        ".some(img => img.complete && img.naturalWidth === 760)",
        timeout=90_000,
    )
    table = panel.locator(".jp-OutputArea-output table.dataframe, table.dataframe").last
    table.wait_for(timeout=10_000)
    text = table.text_content()
    assert "gpt-4o-mini" in text and "gpt-4o" in text and "pass_rate" in text
    assert "passed most" in panel.inner_text()


def test_studio_knowledge_tab_makes_a_store_from_an_upload_and_shows_search_results(quickstart):
    page, _ = quickstart
    studio = page.locator(".ow-studio").first
    studio_tab(page, "Knowledge")
    panel = studio.locator(".ow-panel-knowledge")
    panel.wait_for(state="visible", timeout=10_000)
    panel.locator(".widget-text:has(label:text-is('Name')) input").fill("lighthouse notes")
    # The upload button's file input is never attached to the page: answer the file chooser it opens.
    with page.expect_file_chooser() as chooser:
        panel.locator(".widget-upload").click()
    chooser.value.set_files(
        [
            {
                "name": "lighthouse.txt",
                "mimeType": "text/plain",
                "buffer": b"The lighthouse keeper climbs the tower at dusk and lights the lamp.",
            },
            {"name": "bread.md", "mimeType": "text/markdown", "buffer": b"# Bread\n\nKnead the dough."},
        ]
    )
    panel.get_by_role("button", name="Create").click()
    progress = panel.locator(".ow-knowledge-progress")
    progress.get_by_text("is indexed: completed 2 · in progress 0 · failed 0 of 2").wait_for(timeout=60_000)
    picked = panel.locator(".widget-dropdown select").first.inner_text().replace("\xa0", " ")
    assert "lighthouse notes · vs_" in picked and "2/2 files" in picked  # options show spaces as U+00A0

    panel.locator(".widget-text:has(label:text-is('Query')) input").fill("lighthouse lamp")
    panel.get_by_role("button", name="Search").click()
    results = panel.locator("table.dataframe:has(th:text-is('rank'))")
    results.wait_for(timeout=30_000)
    first = results.locator("tbody tr").first
    assert "lighthouse.txt" in first.inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.ow-panel-knowledge textarea')]"
        ".some(box => box.value.includes('lights the lamp'))",
        timeout=10_000,
    )


def test_the_saved_notebook_holds_widget_state_but_no_key(quickstart, lab):
    page, name = quickstart
    save(page)
    saved = (lab.root / name).read_text()
    notebook = nbformat.reads(saved, as_version=4)
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(m["model_name"] == "PasswordModel" for m in state.values())
    assert TEST_KEY not in saved
    assert TEST_KEY not in json.dumps(state)
