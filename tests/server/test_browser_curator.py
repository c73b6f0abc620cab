"""Curators in the page, in a real headless Chromium (Debian's ``chromium``, driven by Playwright): sign in
with the token (kept in the tab, never in a URL); add folders under the ingest root and watch the jobs
live to their end, upload files from the computer, cancel a queued one and resume it, resume a job its
process left; train heads and read
their held-out metrics; choose the search page's facets; edit a record, delete an artwork, and read it
all in the audit log. axe-core on the curator view. Screenshots go to ``$ARTSCOPE_SCREENSHOTS`` (or a
temp dir)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from artscope.catalog import Catalog
from artscope.server import ServerConfig, create_app
from artscope.testing import copy_collection

from .conftest import UNLIMITED, browser_tab, write_images
from .live import serving
from .test_browser import duplicate_ids, serious_violations

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
TOKEN = "curator-token-0123456789"
expect = playwright_api.expect
expect.set_options(timeout=60_000)


@pytest.fixture(scope="module")
def base_url(_built_synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A writable service: a token, an ingest root with folders of new works, and a job its process left
    half-done (the catalog still says it runs)."""
    root = tmp_path_factory.mktemp("curator")
    path = copy_collection(_built_synthetic, root / "collection")
    incoming = root / "incoming"
    write_images(incoming / "new", 2, seed=11)
    (incoming / "new" / "catalog.csv").write_text("id,file,title,artist,date\n"
                                                  "new-0,new-0.png,A new harbour,Eva Neu,1901\n"
                                                  "new-1,new-1.png,A new garden,Eva Neu,1902\n")
    write_images(incoming / "later", 6, seed=12)
    write_images(incoming / "waiting", 2, seed=13)
    write_images(incoming / "left", 1, seed=14)
    Catalog(path / "catalog.sqlite").start_job("left-job", "ingest", {"locations": [str(incoming / "left")],
                                                                      "kind": None, "options": {}})
    with serving(create_app(path, ServerConfig(token=TOKEN, ingest_root=incoming, **UNLIMITED))) as url:
        yield url


@pytest.fixture()
def curator(browser, base_url: str) -> Iterator[object]:
    """A tab signed in as a curator, on the curator view."""
    with browser_tab(browser, base_url) as tab:
        tab.goto("/")
        expect(tab.locator("body")).to_have_attribute("data-ready", "true")
        tab.click("#curate-link")  # shown because the service takes writes
        tab.fill("#curator-token", TOKEN)
        tab.press("#curator-token", "Enter")
        expect(tab.locator("#curator-add")).to_be_visible()
        yield tab


def job(page, source: str):
    """The card of the job that reads ``source``."""
    return page.locator(".job", has=page.locator("p.job-sources", has_text=source))


def add_sources(page, *sources: str) -> None:
    page.fill("#curator-sources", "\n".join(sources))
    page.click("text=Add to the collection")
    expect(page.locator("#curator-sources")).to_have_value("")  # the job was accepted


def test_signing_in_keeps_the_token_in_the_tab(browser, base_url: str, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base_url, has_touch=True,
                                  bypass_csp=True)  # axe-core is injected inline
    page = context.new_page()
    page.goto("/#/curate")
    page.fill("#curator-token", "not-the-token")
    page.press("#curator-token", "Enter")
    expect(page.locator(".curator-signin .error")).to_contain_text("token is wrong")
    assert page.evaluate("sessionStorage.getItem('artscope-token')") is None
    page.fill("#curator-token", TOKEN)
    page.press("#curator-token", "Enter")
    expect(page.locator("#curator-audit")).to_be_visible()
    expect(page.locator(".heads, section[aria-labelledby=curator-models] .note").first).to_be_visible()
    assert TOKEN not in page.url and page.evaluate("sessionStorage.getItem('artscope-token')") == TOKEN
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than a phone
    assert serious_violations(page) == [] and duplicate_ids(page) == []
    page.screenshot(path=shots / "curator-phone.png", full_page=True)
    page.click("text=Sign out")
    expect(page.locator("#curator-token")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('artscope-token')") is None
    context.close()


def test_jobs_run_live_and_are_cancelled_and_resumed(curator, shots: Path, held_ingest: threading.Event) -> None:
    left = job(curator, "left")  # its process died: the page offers to resume it
    expect(left).to_have_attribute("data-state", "interrupted")
    left.locator("text=Resume").click()
    expect(left).to_have_attribute("data-state", "done")
    expect(left.locator(".job-counts")).to_contain_text("added 1")

    add_sources(curator, "new")
    expect(job(curator, "new")).to_have_attribute("data-state", "done")
    expect(job(curator, "new").locator(".job-numbers")).to_contain_text("100%")
    expect(job(curator, "new").locator(".job-counts")).to_contain_text("added 2")

    held_ingest.clear()
    add_sources(curator, "later")  # held after its first batch
    add_sources(curator, "waiting")  # queued behind "later": jobs run one at a time
    job(curator, "waiting").locator("text=Cancel").click()
    expect(job(curator, "waiting")).to_have_attribute("data-state", "cancelled")  # at once, while it waits
    expect(job(curator, "later")).to_have_attribute("data-state", "running")
    job(curator, "waiting").locator("text=Resume").click()  # queued again, behind "later"
    expect(job(curator, "waiting")).to_have_attribute("data-state", "queued")
    held_ingest.set()
    expect(job(curator, "later")).to_have_attribute("data-state", "done")
    expect(job(curator, "waiting")).to_have_attribute("data-state", "done")
    expect(job(curator, "waiting").locator(".job-counts")).to_contain_text("added 2")
    curator.screenshot(path=shots / "curator-jobs.png", full_page=True)
    assert curator.request.get("/api/artworks/waiting-1").status == 200


def test_files_are_uploaded_from_the_page(curator, tmp_path: Path) -> None:
    write_images(tmp_path / "mine", 2, seed=15)
    (tmp_path / "mine" / "works.csv").write_text("id,file,title\nmine-0,mine-0.png,My own harbour\n")
    (tmp_path / "mine" / "copy.png").write_bytes((tmp_path / "mine" / "mine-0.png").read_bytes())
    curator.set_input_files("#curator-files", sorted(str(p) for p in (tmp_path / "mine").iterdir()))
    curator.click("text=Add to the collection")
    uploaded = curator.locator(".job", has=curator.locator("p.job-sources", has_text="…/")).first
    expect(uploaded).to_have_attribute("data-state", "done")
    expect(uploaded.locator(".job-counts")).to_contain_text("added 2")
    warned = uploaded.locator(".job-item-warnings")  # the copy: the same file as mine-0's image
    expect(warned.locator("summary")).to_have_text("1 item stored with a warning")
    warned.locator("summary").click()
    expect(warned).to_contain_text("copy.png: the same image as artwork 'mine-0'")
    curator.goto("/#/artwork/mine-0")
    expect(curator.locator("#artwork-title")).to_have_text("My own harbour")
    expect(curator.locator(".viewer canvas").first).to_be_visible()  # tiles from the uploaded file


def test_heads_are_trained_and_the_facets_chosen(curator, shots: Path) -> None:
    curator.fill("#train-fields", "artist")
    curator.click("section[aria-labelledby=curator-models] button[type=submit]")
    trained = curator.locator(".job[data-state]", has_text="Train").first
    expect(trained).to_have_attribute("data-state", "done")
    expect(curator.locator(".heads li[data-head=attributes]")).to_contain_text("artist: accuracy")

    curator.select_option("#train-head", "aesthetics")
    expect(curator.locator("#train-fields")).to_be_hidden()
    curator.fill("#train-score-field", "no_such_field")
    curator.click("section[aria-labelledby=curator-models] button[type=submit]")
    failed = curator.locator(".job[data-state]", has_text="Train").first
    expect(failed).to_have_attribute("data-state", "failed")
    expect(failed).to_contain_text("numeric 'no_such_field' field")
    expect(curator.locator(".heads li[data-head=aesthetics]")).to_have_count(0)

    for box in curator.locator(".facet-choice input:checked").all():
        box.uncheck()
    curator.check("#choose-facet-type")
    curator.click("text=Save the facets")
    saved = curator.locator("section[aria-labelledby=curator-facets]")
    expect(saved).to_contain_text("Saved: the search page shows type.")
    curator.screenshot(path=shots / "curator-models.png", full_page=True)
    curator.goto("/")
    expect(curator.locator("body")).to_have_attribute("data-ready", "true")
    curator.fill("#q", "harbour")
    curator.press("#q", "Enter")
    expect(curator.locator("#status")).to_contain_text("candidates")
    expect(curator.locator("#facets legend")).to_have_text(["type"])


def test_a_record_is_edited_and_an_artwork_deleted(curator, shots: Path) -> None:
    curator.goto("/#/artwork/art-0003")
    curator.click("#edit-heading")
    curator.fill("#edit-title", "The harbour at dawn")
    curator.fill("#edit-artists", "Eva Neu; Ben Blau")
    curator.click(".curator-tools button[type=submit]")
    expect(curator.locator("#artwork-title")).to_have_text("The harbour at dawn")
    expect(curator.locator("#field-artists")).to_contain_text("Eva Neu; Ben Blau")
    curator.screenshot(path=shots / "curator-edit.png", full_page=True)

    curator.on("dialog", lambda dialog: dialog.accept())
    curator.goto("/#/artwork/art-0004")
    curator.click("#edit-heading")
    curator.click("text=Delete this artwork")
    expect(curator.locator("#view-search")).to_be_visible()
    expect(curator.locator("#status")).to_contain_text("artworks in the collection")
    expect(curator.locator('#results a[href="#/artwork/art-0004"]')).to_have_count(0)
    assert curator.request.get("/api/artworks/art-0004").status == 404

    curator.goto("/#/curate")
    audit = curator.locator(".audit")
    expect(audit).to_contain_text("artwork.delete art-0004")
    expect(audit).to_contain_text("artwork.edit art-0003")
