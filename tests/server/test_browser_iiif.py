"""IIIF viewers in a real headless Chromium (Debian's ``chromium``, driven by Playwright): Mirador (npm
``mirador``, its distributed bundle kept under ``tests/data/mirador``) opens an artscope manifest from the
running service on loopback and paints its canvas from the Image API tiles, and the page's own deep zoom
(OpenSeadragon, vendored in the package) asks for full-resolution tiles when zoomed in. The collection's
large work is dated "1887-8", so the page's year filter is checked here too. Screenshots go to
``$ARTSCOPE_SCREENSHOTS`` (or a temp dir)."""

from __future__ import annotations

import io
import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import artscope
from artscope.server import ServerConfig, create_app
from artscope.testing import copy_collection

from .live import serving

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
MIRADOR = Path(__file__).resolve().parents[1] / "data" / "mirador" / "mirador.min.js"
expect = playwright_api.expect
expect.set_options(timeout=60_000)
LARGE = (2400, 1800)
TILE = re.compile(r"/iiif/3/[0-9a-f]{64}/(\d+),(\d+),(\d+),(\d+)/(\d+),(\d+)?/0/default\.jpg$")
MIRADOR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mirador</title></head>
<body style="margin:0"><div id="viewer" style="position:absolute;inset:0"></div>
<script src="mirador.min.js"></script>
<script>Mirador.viewer({id: "viewer", window: {allowClose: false},
  windows: [{manifestId: new URLSearchParams(location.search).get("manifest")}]});</script>
</body></html>"""


def large_picture(path: Path) -> None:
    """A 2400 x 1800 picture with fine detail (a grid of numbered cells) to zoom into."""
    rng = np.random.default_rng(7)
    base = rng.integers(40, 215, size=(LARGE[1] // 100 + 1, LARGE[0] // 100 + 1, 3), dtype=np.uint8)
    image = Image.fromarray(base).resize(LARGE, Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(image)
    for x in range(0, LARGE[0], 25):
        draw.line([(x, 0), (x, LARGE[1])], fill=(20, 20, 20), width=1)
    for y in range(0, LARGE[1], 100):
        for x in range(0, LARGE[0], 100):
            draw.text((x + 30, y + 45), f"{x // 100},{y // 100}", fill=(255, 255, 255))
    image.save(path, "JPEG", quality=92)


@pytest.fixture(scope="module")
def base_url(_built_synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over the synthetic collection plus one large picture."""
    root = tmp_path_factory.mktemp("viewers")
    path = copy_collection(_built_synthetic, root / "collection")
    folder = root / "large"
    folder.mkdir()
    large_picture(folder / "large.jpg")
    (folder / "catalog.csv").write_text("id,file,title,artist,date,license\n"
                                        "large-work,large.jpg,A large grid,Test Painter,1887-8,CC0-1.0\n")
    with artscope.open(path) as collection:
        collection.ingest([str(folder)])
    with serving(create_app(path, ServerConfig())) as url:
        yield url


@pytest.fixture(scope="module")
def mirador_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Mirador's page on a second loopback port: the manifest comes from another origin, as it would."""
    folder = tmp_path_factory.mktemp("mirador")
    (folder / "index.html").write_text(MIRADOR_PAGE)
    shutil.copy(MIRADOR, folder / "mirador.min.js")
    handler = partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=partial(server.serve_forever, poll_interval=0.05), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def painted(png: bytes) -> float:
    """How much a screenshot varies (0 for a blank canvas)."""
    return float(np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32).std())


def test_mirador_opens_an_artscope_manifest_and_paints_its_tiles(browser, base_url: str, mirador_url: str,
                                                                  shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tiles: list[int] = []
    page.on("response", lambda r: tiles.append(r.status) if "/iiif/3/" in r.url and r.url.endswith(".jpg") else None)
    manifest = f"{base_url}/iiif/artworks/large-work/manifest"
    page.goto(f"{mirador_url}?manifest={manifest}")
    expect(page.get_by_text("A large grid").first).to_be_visible()
    canvas = page.locator(".openseadragon-canvas canvas").first
    expect(canvas).to_be_visible()
    page.wait_for_function("() => performance.getEntriesByType('resource')"
                           ".filter(e => /\\/iiif\\/3\\/.*default\\.jpg$/.test(e.name)).length > 0")
    page.wait_for_timeout(1500)  # the tiles' fade-in
    assert tiles and set(tiles) == {200}, tiles
    assert painted(canvas.screenshot()) > 20  # the grid is there, not an empty canvas
    page.screenshot(path=shots / "mirador.png")
    context.close()
    assert not errors, errors


def test_the_page_zooms_into_full_resolution_tiles(browser, base_url: str, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/#/artwork/large-work")
    expect(page.locator("#artwork-title")).to_contain_text("A large grid")
    stage = page.locator(".zoom-stage")
    expect(stage).to_have_attribute("data-tiles", re.compile(r"^\d+$"))
    first_tiles = [m for m in map(TILE.search, requested) if m]
    assert first_tiles and all(int(m.group(3)) > int(m.group(5)) for m in first_tiles)  # reduced at first
    stage.focus()
    for _ in range(12):  # 1.25 ** 12 = 14.6 x the fitted view: far past the image's own pixels
        page.keyboard.press("+")
    expect(page.locator(".zoom-level")).to_have_text(re.compile(r"^\d{3,4}%$"))
    page.wait_for_function("() => performance.getEntriesByType('resource').some("
                           "e => /\\/(\\d+),(\\d+),(\\d+),\\d+\\/\\3,\\d*\\/0\\/default\\.jpg$/.test(e.name))")
    page.wait_for_timeout(1000)
    full_resolution = [m for m in map(TILE.search, requested) if m and m.group(3) == m.group(5)]
    assert full_resolution, requested  # tiles cut at the image's own pixels: sharp, not an enlarged copy
    assert painted(stage.screenshot()) > 20
    page.screenshot(path=shots / "deep-zoom.png")
    assert all(url.startswith(base_url) for url in requested), requested  # nothing from elsewhere
    context.close()


def test_the_year_filter_finds_a_work_whose_dates_overlap(browser, base_url: str, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    page = context.new_page()
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.fill("#q", "large grid")
    page.press("#q", "Enter")
    expect(page.locator("#status")).to_contain_text("candidates")
    page.fill("#year-from", "1888")
    page.fill("#year-to", "1889")
    page.press("#year-to", "Enter")
    page.locator("#year-from").dispatch_event("change")
    titles = page.locator(".card-title")
    expect(titles.filter(has_text="A large grid")).to_have_count(1)  # dated 1887-8
    page.screenshot(path=shots / "year-filter.png")
    page.fill("#year-from", "1889")
    page.fill("#year-to", "1890")
    page.locator("#year-from").dispatch_event("change")
    expect(titles.filter(has_text="A large grid")).to_have_count(0)
    context.close()
