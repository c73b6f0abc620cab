"""The web page in a real headless Chromium (Debian's ``chromium``, driven by Playwright): search, open an
artwork with its radar chart and predicted attributes, ask and follow a citation, composed and dialogue
search, the phone width and the keyboard. Screenshots go to ``$ARTSCOPE_SCREENSHOTS`` (or a temp dir)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import artscope
from artscope.server import ServerConfig, create_app
from artscope.testing import copy_collection

from .conftest import browser_tab
from .live import serving

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = playwright_api.expect
expect.set_options(timeout=60_000)  # searches embed text on 2 busy cores
SCORE = re.compile(r"^\d{1,3}\.\d$")


@pytest.fixture(scope="module")
def base_url(_built_synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service on a free local port, over a collection with a trained attributes head."""
    from artscope.tasks.attributes import train

    path = tmp_path_factory.mktemp("browser") / "collection"
    copy_collection(_built_synthetic, path)
    with artscope.open(path) as collection:
        train(collection)
    with serving(create_app(path, ServerConfig(rate_limit=None, heavy_rate_limit=None))) as url:
        yield url


@pytest.fixture()
def page(browser, base_url: str) -> Iterator[object]:
    with browser_tab(browser, base_url) as tab:
        yield tab


def visit(page, path: str) -> None:
    """Open a page and wait until its script has set it up (it then marks ``body[data-ready]``)."""
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def search(page, text: str) -> None:
    page.fill("#q", text)
    page.press("#q", "Enter")
    expect(page.locator("#status")).to_contain_text("candidates")


def test_search_then_open_an_artwork_with_radar_and_attributes(page, shots: Path) -> None:
    visit(page, "/")
    expect(page.locator("#collection-info")).to_contain_text("48 artworks")
    search(page, "landscape painted in red")
    expect(page.locator(".card-title").first).to_contain_text("red")
    expect(page.locator(".facet legend").first).to_be_visible()
    page.screenshot(path=shots / "search.png")
    page.locator(".card-link", has_text="Landscape in red").first.click()
    expect(page.locator("#artwork-title")).to_contain_text("Landscape in red")
    expect(page.locator(".record")).to_contain_text("Ada Rossi")
    radar = page.locator(".radar")
    expect(radar).to_be_visible()
    expect(radar.locator(".radar-label")).to_have_count(7)
    expect(page.locator(".dimension")).to_have_count(7)
    expect(page.locator(".total-score")).to_have_text(SCORE)
    expect(page.locator(".badge.predicted")).to_be_visible()
    artist = page.locator('.prediction[data-field="artist"]')
    expect(artist.locator(".prediction-main")).to_contain_text("Ada Rossi")
    expect(artist.locator(".top-k li").first).to_contain_text("%")
    expect(page.locator("#similar-heading + .grid .card").first).to_be_visible()
    expect(page.locator(".passage").first).to_contain_text("workshop")
    page.screenshot(path=shots / "artwork.png", full_page=True)


def test_ask_shows_a_cited_answer(page, shots: Path) -> None:
    visit(page, "/#/artwork/art-0001")
    expect(page.locator("#artwork-title")).to_contain_text("Landscape in blue")
    page.fill("#artwork-ask-input", "Who painted this?")
    page.press("#artwork-ask-input", "Enter")
    answer = page.locator(".answer")
    expect(answer.locator(".answer-text")).to_contain_text("Ben Blau")
    citation = answer.locator(".citations li a").first
    expect(citation).to_contain_text("artists")
    citation.click()
    expect(page.locator("#field-artists")).to_have_class("record-row flash")
    page.screenshot(path=shots / "ask.png", full_page=True)


def test_choosing_an_image_searches_and_words_beside_it_compose(page, shots: Path, synthetic_folder: Path) -> None:
    visit(page, "/")
    search(page, "still life")
    page.set_input_files("#image-input", str(synthetic_folder / "images" / "art-0003.png"))
    expect(page.locator("#image-query")).to_be_visible()
    status = page.locator("#status")
    expect(status).to_contain_text("With your image and “still life”")  # the search ran at once
    expect(status.locator("a")).to_have_text("art-0003")  # this exact image is in the collection
    expect(page.locator("#q")).to_be_visible()  # the words stay, beside the image
    page.fill("#q", "as a portrait")
    page.press("#q", "Enter")
    expect(status).to_contain_text("With your image and “as a portrait”")
    expect(page.locator(".card-title").first).to_contain_text("Portrait")
    page.screenshot(path=shots / "composed.png")
    page.click("#clear-image")
    expect(page.locator("#image-query")).to_be_hidden()
    expect(status).not_to_contain_text("With your image")


def test_dialogue_search_asks_and_narrows(page, shots: Path) -> None:
    visit(page, "/")
    page.check("#dialogue-mode")
    page.fill("#q", "painting")
    page.press("#q", "Enter")
    options = page.locator("#dialogue-options button")
    expect(options.first).to_be_visible()
    expect(page.locator("#dialogue-question")).to_contain_text("Round 1")
    choice = options.first.inner_text()
    page.screenshot(path=shots / "dialogue-1.png")
    options.first.click()
    expect(page.locator("#dialogue-question")).to_contain_text("Round 2")
    expect(page.locator("#status")).to_contain_text(choice)
    expect(page.locator(".card").first).to_be_visible()
    page.screenshot(path=shots / "dialogue-2.png")


def test_phone_width_keyboard_and_analysis(browser, base_url: str, shots: Path,
                                           synthetic_folder: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base_url, has_touch=True)
    page = context.new_page()
    visit(page, "/")
    expect(page.locator(".card").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.locator("#q").focus()
    page.keyboard.type("still life in green")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("candidates")
    first = page.locator(".card-link").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#artwork-title")).to_be_focused()
    stage = page.locator(".zoom-stage")
    expect(stage).to_have_attribute("data-tiles", re.compile(r"^\d+$"))  # the viewer is up
    stage.focus()
    page.keyboard.press("+")
    expect(page.locator(".zoom-level")).to_have_text("125%")
    page.screenshot(path=shots / "phone-artwork.png")
    page.keyboard.press("Escape")
    expect(page.locator("#view-search")).to_be_visible()
    expect(page.locator(".card-link").first).to_be_focused()
    visit(page, "/#/analyze")
    page.set_input_files("#analyze-input", str(synthetic_folder / "images" / "art-0010.png"))
    expect(page.locator("#analyze-result .radar")).to_be_visible()
    expect(page.locator('#analyze-result .prediction[data-field="style"]')).to_contain_text("smooth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=shots / "phone-analyze.png", full_page=True)
    context.close()


def test_the_api_documentation_is_served_by_the_service(page, base_url: str, shots: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto("/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 25  # every route of the schema
    expect(page.locator(".opblock-summary-path", has_text="/api/jobs/{job_id}/events")).to_be_visible()
    expect(page.locator("button.authorize")).to_be_visible()  # the bearer token, for the writes
    page.locator(".opblock-summary-path", has_text="/api/ask/stream").click()
    expect(page.locator(".opblock-body").first).to_contain_text("question")
    page.screenshot(path=shots / "docs.png")
    assert requested and all(url.startswith(base_url) for url in requested), requested  # no CDN
    assert not blocked, blocked


AXE = Path(__file__).resolve().parents[1] / "data" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    """What axe-core (npm ``axe-core``, kept under ``tests/data``) finds serious or critical on the page."""
    if not page.evaluate("!!window.axe"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)""")
    return list(found)


def duplicate_ids(page) -> list[str]:
    return page.evaluate("""() => { const seen = new Map();
        for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
        return [...seen].filter(([, n]) => n > 1).map(([id]) => id); }""")


def test_every_view_passes_axe_and_ids_stay_unique(browser, base_url: str, shots: Path,
                                                 synthetic_folder: Path) -> None:
    # axe is injected as a script, which the page's Content-Security-Policy would (rightly) refuse
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url, bypass_csp=True)
    page = context.new_page()
    visit(page, "/")
    search(page, "landscape")
    assert serious_violations(page) == []
    page.locator(".card-link").first.click()
    expect(page.locator(".radar")).to_be_visible()
    expect(page.locator('.prediction[data-field="artist"]')).to_be_visible()
    theme = page.locator('.dimension[data-dimension="theme"]')
    expect(theme.locator(".plain")).not_to_be_empty()  # every scored dimension is commented
    # plain words, no numbers (originality names the closest works by their ids)
    plain = page.locator('.dimension:not([data-dimension="originality"]) .plain').all_inner_texts()
    assert len(plain) == 6 and not any(ch.isdigit() for text in plain for ch in text), plain
    details = theme.locator(".measured")
    expect(details.locator("dd").first).to_be_hidden()  # the numbers are one click away
    details.locator("summary").click()
    expect(details.locator("dd").first).to_contain_text(re.compile(r"\d.*(fraction|salient)"))  # number + how
    assert serious_violations(page) == []
    page.screenshot(path=shots / "artwork-measured.png", full_page=True)
    visit(page, "/#/analyze")
    page.set_input_files("#analyze-input", str(synthetic_folder / "images" / "art-0010.png"))
    expect(page.locator("#analyze-result .radar")).to_be_visible()
    expect(page.locator("#analyze-result .prediction").first).to_be_visible()
    assert duplicate_ids(page) == []  # the artwork view's sections are still in the page, hidden
    assert serious_violations(page) == []
    visit(page, "/")
    page.check("#dialogue-mode")
    search_text = "painting"
    page.fill("#q", search_text)
    page.press("#q", "Enter")
    expect(page.locator("#dialogue-options button").first).to_be_visible()
    assert serious_violations(page) == []
    context.close()


def test_on_a_phone_an_artwork_opens_at_its_top(browser, base_url: str, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base_url, has_touch=True)
    page = context.new_page()
    visit(page, "/")
    search(page, "portrait")
    cards = page.locator(".card-link")
    cards.nth(5).scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0
    cards.nth(5).click()
    expect(page.locator("#artwork-title")).to_be_focused()
    expect(page.locator(".zoom-stage")).to_have_attribute("data-tiles", re.compile(r"^\d+$"))
    assert page.evaluate("window.scrollY") == 0
    assert page.locator("header.top").bounding_box()["y"] >= 0
    stage = page.locator(".zoom-stage").bounding_box()
    assert 0 <= stage["y"] < 844 / 2  # the image starts in the upper half of the screen
    page.screenshot(path=shots / "phone-artwork-top.png")
    context.close()
