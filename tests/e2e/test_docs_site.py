"""The built documentation site as a reader sees it, in headless Chromium (Playwright).

The run's one build of the site (`docs_site`, tests/conftest.py) is served on 127.0.0.1;
the pages are read in Chromium with every request off loopback refused, so what they show
comes from the site itself: the home page and its navigation to the areas, an area page,
a notebook rendered with its image outputs, and the reference entry of `ow.respond`.
Skipped unless the `docs` extra and Chromium are installed (OW_REQUIRE_BROWSER=1 fails instead
when Chromium is missing).
"""

from __future__ import annotations

import inspect

import pytest
import yaml

import openai_widgets as ow
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, ROOT, require_chromium
from tests.support.docs_site import clone_status, serve

pytestmark = [pytest.mark.browser, pytest.mark.docs]

# Images the browser drew: loaded, with pixels (a broken or empty image has naturalWidth 0).
DRAWN = "(images) => images.map(i => i.complete && i.naturalWidth > 0)"


class Loader(yaml.SafeLoader):
    """mkdocs.yml's own tags (`!relative`) read as plain values: only its nav is needed."""


Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def words(locator) -> str:
    """An element's text as read, without the headings' permalink sign."""
    return " ".join(locator.inner_text().replace("\u00b6", "").split())


def area_titles() -> list[str]:
    """The area pages' titles as mkdocs.yml's navigation lists them."""
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)["nav"]
    areas = next(entry["Areas"] for entry in nav if "Areas" in entry)
    return [title for entry in areas for title in entry]


@pytest.fixture(scope="module")
def browser():
    require_chromium()  # first: with no browser, no minutes are spent building the site
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(browser, docs_site):
    """The base URL of the built site, served on loopback for this module."""
    assert docs_site.returncode == 0, docs_site.stderr[-3000:]
    with serve(docs_site.site) as url:
        yield url


@pytest.fixture
def page(browser, site):
    """A fresh page that may only reach the site; its failed requests are in `page.failed`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    # Material asks Google for fonts and notebooks may link a CDN: refused, tests stay offline.
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(site) else route.abort(),
    )
    opened = context.new_page()
    opened.failed = []
    opened.on(
        "response",
        lambda response: (
            opened.failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    yield opened
    context.close()


def test_the_home_page_shows_its_title_screenshot_and_every_area_in_the_navigation(page, site):
    page.goto(f"{site}/")
    assert page.title() == "openai_widgets"
    assert words(page.locator("article h1").first) == "openai_widgets"
    assert "The whole OpenAI REST API in Jupyter" in page.locator("article").inner_text()
    studio = page.locator("article img[src$='studio.png']")
    assert studio.count() == 1
    studio.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete", arg=studio.element_handle())
    assert studio.evaluate_all(DRAWN) == [True]
    nav = page.locator("nav.md-nav--primary")
    titles = area_titles()
    assert len(titles) >= 15
    for title in titles:
        assert nav.get_by_role("link", name=title, exact=True).count() == 1, title
    assert page.failed == []


def test_the_navigation_leads_to_an_area_page_with_its_code(page, site):
    page.goto(f"{site}/")
    page.locator("nav.md-nav--primary").get_by_role("link", name="Vector stores", exact=True).click()
    page.wait_for_url(f"{site}/areas/vector-stores/")
    assert page.title() == "Vector stores - openai_widgets"
    assert words(page.locator("article h1").first) == "Vector stores"
    active = page.locator("nav.md-nav--primary a.md-nav__link--active")
    assert words(active.first) == "Vector stores"
    code = page.locator("article pre code").all_inner_texts()
    assert any("ow.create_vector_store(" in block for block in code), code[:3]
    assert any("%openai" in block for block in code)  # the magic form, next to the Python one
    assert page.failed == []


def test_the_images_notebook_is_rendered_with_its_image_outputs(page, site):
    page.goto(f"{site}/notebooks/images/")
    assert page.title() == "Images: generate, edit and vary - openai_widgets"
    source = page.locator(".jp-InputArea").all_inner_texts()
    assert any("ow.generate_images(" in cell for cell in source), source[:3]
    outputs = page.locator(".jp-OutputArea-output img")
    assert outputs.count() >= 2
    for image in outputs.all():
        image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-OutputArea-output img')].every(i => i.complete)"
    )
    assert all(outputs.evaluate_all(DRAWN))
    sizes = outputs.evaluate_all("(images) => images.map(i => [i.naturalWidth, i.naturalHeight])")
    assert [256, 256] in sizes, sizes  # the size the notebook asks the sandbox for
    assert page.failed == []


def test_the_reference_page_documents_ow_respond_with_its_signature(page, site):
    page.goto(f"{site}/reference/functions/#openai_widgets.respond")
    assert page.title() == "Functions - openai_widgets"
    heading = page.locator("h3[id='openai_widgets.respond']")
    assert heading.count() == 1
    assert words(heading) == "respond"
    assert heading.is_visible()
    assert page.evaluate("decodeURIComponent(location.hash)") == "#openai_widgets.respond"
    assert page.locator("a[href='#openai_widgets.respond']").count() >= 1  # the permalink and the contents
    entry = page.locator("div.doc-function", has=heading)
    signature = entry.locator(".doc-signature").first.inner_text()
    compact = " ".join(signature.split())
    assert compact.startswith("respond(") and not compact.startswith("respond( self")
    assert "self" not in compact.split(")")[0]  # a module function, not the method it calls
    assert "Runs on the default client" in words(entry.locator(".doc-contents").first)
    for parameter in inspect.signature(ow.respond).parameters:
        assert f"{parameter}" in compact, (parameter, compact)
    assert "previous_response_id: str | None = None" in compact
    summary = inspect.getdoc(ow.respond).splitlines()[0].split(";")[0]
    assert summary in words(entry.locator(".doc-contents").first)
    assert page.failed == []


def test_building_and_reading_the_site_leave_the_clone_unchanged(docs_site, site):
    assert docs_site.clone_after == docs_site.clone_before
    assert clone_status() == docs_site.clone_before
