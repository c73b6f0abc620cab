"""A knowledge corpus from a real enwiki dump excerpt (tests/data/wikipedia, CC BY-SA) in a collection:
passages stored with their sources and images, linked to the artworks pages are about, re-runs that
update in place, images embedded so that image -> passages finds them, answers that cite the page."""

from __future__ import annotations

import bz2
import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import artscope
from artscope.collection import Collection
from artscope.config import get_settings
from artscope.index import PASSAGE_IMAGES, PASSAGES
from artscope.ingest.sources import SourceOptions
from artscope.ingest.sources.wikidump import commons_url

DATA = Path(__file__).resolve().parents[2] / "data" / "wikipedia"
EXCERPT = DATA / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
VERMEER = "JohannesVermeer-TheAstronomer(1668).jpg"
GALILEO = "Galileo.arp.300pix.jpg"


@pytest.fixture(autouse=True)
def _no_fetching_from_outside(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests reach no address but loopback: Commons is refused by the fetch policy, without a DNS query
    (a test that serves images on 127.0.0.1 allows that address)."""
    monkeypatch.setenv("ARTSCOPE_FETCH_PUBLIC", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _titles(tmp_path: Path, *titles: str) -> Path:
    path = tmp_path / "titles.txt"
    path.write_text("\n".join(titles) + "\n", encoding="utf-8")
    return path


def _states(collection: Collection) -> dict[str, str]:
    return dict(collection.catalog.conn.execute("SELECT file, state FROM passage_images").fetchall())


def test_pages_link_to_artworks_reruns_change_nothing_and_ask_cites_them(tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    with records.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "artist", "wikipedia"])
        writer.writerow(["animalia", "Animalia", "Graeme Base", ""])  # the page "Animalia (book)" names Base
        writer.writerow(["adventure", "Adventure", "Hilma af Klint", ""])  # the page "Adventure" does not name Klint
        writer.writerow(["lesson", "The astronomy lesson", "", "https://en.wikipedia.org/wiki/Astronomer"])
    options = SourceOptions(pages=_titles(tmp_path, "Animalia (book)", "Adventure", "Astronomer"))
    with artscope.create(tmp_path / "c") as collection:
        collection.ingest([str(records)])
        first = collection.ingest([str(EXCERPT)], options=options)
        assert (first.failed, first.passages) == (0, 10 + 7 + 7)
        linked = dict(collection.catalog.conn.execute(
            "SELECT title, group_concat(DISTINCT coalesce(artwork_id, '-')) FROM passages GROUP BY title"))
        assert linked == {"Animalia (book)": "animalia", "Adventure": "-", "Astronomer": "lesson"}
        stored = collection.catalog.get_passage("enwiki:580:1")
        assert (stored.source, stored.section, stored.url) == (
            "Wikipedia: Astronomer § Academic", "Academic", "https://en.wikipedia.org/wiki/Astronomer#Academic")
        assert stored.categories == ["Astronomy", "Astronomers", "Science occupations"]
        assert stored.revision == "717765823" and stored.text.startswith("Historically, astronomy was more concerned")
        assert [(i.file, i.caption) for i in stored.images][1] == (
            "Br Guy in Lab.jpg", "Guy Consolmagno Vatican Observatory, analyzing a meteorite, 2014")
        assert collection.index.count(PASSAGES) == 24
        # not fetched (the fetch policy refuses Commons in these tests): the captions and links stay
        assert set(_states(collection).values()) == {"missing"}
        shown = collection.catalog.passages_for("lesson")[0].images[0]
        assert shown.url == commons_url(VERMEER, get_settings().commons_url)
        again = collection.ingest([str(EXCERPT)], options=options)
        assert (again.passages, again.failed) == (0, 0)
        items = collection.catalog.conn.execute("SELECT COUNT(*) FROM job_items WHERE job_id = ?", (again.job_id,))
        assert items.fetchone()[0] == 0  # every page was stored at this revision: none was parsed again
        assert collection.catalog.counts()["passages"] == 24
        # ask cites a passage like any other, with the page and the section as its source
        answer = collection.ask("How many members does the American Astronomical Society have?")
        cited = [c for c in answer.citations if c.kind == "passage"]
        assert cited and (cited[0].passage_id, cited[0].source) == ("enwiki:580:2", "Wikipedia: Astronomer § Academic")
        assert "7,000" in answer.text


def test_a_newer_revision_updates_in_place_and_drops_the_paragraphs_a_page_lost(tmp_path: Path) -> None:
    options = SourceOptions(pages=_titles(tmp_path, "Astronomer"))
    xml = bz2.decompress(EXCERPT.read_bytes()).decode("utf-8")
    start = xml.index("<title>Astronomer</title>")
    cut_from = xml.index("== Academic ==", start)
    newer = xml[:cut_from] + "</text>" + xml[xml.index("</text>", cut_from) + len("</text>"):]
    newer = newer.replace("<id>717765823</id>", "<id>800000000</id>", 1)
    (tmp_path / "enwiki-newer.xml").write_text(newer, encoding="utf-8")
    with artscope.create(tmp_path / "c") as collection:
        collection.ingest([str(EXCERPT)], options=options)
        assert collection.index.count(PASSAGES) == 7
        summary = collection.ingest([str(tmp_path / "enwiki-newer.xml")], options=options)
        assert summary.failed == 0
        ids = [r[0] for r in collection.catalog.conn.execute("SELECT id FROM passages ORDER BY rowid")]
        assert ids == ["enwiki:580:0"]
        assert collection.catalog.get_passage("enwiki:580:0").revision == "800000000"
        assert collection.index.count(PASSAGES) == 1
        assert [e.action for e in collection.audit(limit=10)].count("passage.delete") == 6


def test_passage_images_from_a_folder_are_embedded_and_found_by_image(tmp_path: Path,
                                                                      sample_collection_dir: Path) -> None:
    folder = tmp_path / "commons"
    folder.mkdir()
    night_cafe = sample_collection_dir / "images" / "van-gogh-the-night-cafe.jpg"
    (folder / VERMEER).write_bytes(night_cafe.read_bytes())
    (folder / GALILEO).write_bytes((sample_collection_dir / "images" / "colosseum.jpg").read_bytes())
    options = SourceOptions(pages=_titles(tmp_path, "Astronomer", "Adventure"), image_dir=folder)
    with artscope.create(tmp_path / "c") as collection:
        collection.ingest([str(EXCERPT)], options=options)
        assert _states(collection) == {VERMEER: "indexed", GALILEO: "indexed", "Br Guy in Lab.jpg": "missing",
                                       "Emily Lakdawalla at FameLab at LPSC 2013.jpg": "missing",
                                       "Kjelkeoverisen.jpg": "missing",
                                       "Alice's Adventures in Wonderland - Carroll, Robinson - S001 - Cover.jpg":
                                           "missing"}
        assert collection.index.count(PASSAGE_IMAGES) == 2
        result = collection.passages(image=str(night_cafe), limit=3)
        top = result.hits[0]
        assert top.passage.id == "enwiki:580:0" and "passage_image" in [s.name for s in top.signals]
        colosseum = collection.passages(image=str(sample_collection_dir / "images" / "colosseum.jpg"), limit=5)
        assert {h.passage.id for h in colosseum.hits[:5]} == {f"enwiki:580:{i}" for i in range(1, 6)}  # Galileo's
        # a later run with the missing file in the folder embeds it; the unchanged page beside it is skipped
        (folder / "Br_Guy_in_Lab.jpg").write_bytes((sample_collection_dir / "images" / "petra.jpg").read_bytes())
        again = collection.ingest([str(EXCERPT)], options=options)
        assert _states(collection)["Br Guy in Lab.jpg"] == "indexed" and collection.index.count(PASSAGE_IMAGES) == 3
        keys = [r[0] for r in collection.catalog.conn.execute("SELECT item_key FROM job_items WHERE job_id = ?",
                                                              (again.job_id,))]
        assert [key.split("#", 1)[1] for key in keys] == ["580 Astronomer"]


def test_images_are_fetched_from_commons_or_its_stand_in(tmp_path: Path, http_root: tuple[Path, str],
                                                         sample_collection_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root, base = http_root
    monkeypatch.setenv("ARTSCOPE_COMMONS_URL", base)
    get_settings.cache_clear()
    image = (sample_collection_dir / "images" / "van-gogh-the-night-cafe.jpg").read_bytes()
    thumb = root / commons_url(VERMEER, "", 500).lstrip("/")  # the thumbnail
    original = root / commons_url(GALILEO, "").lstrip("/")  # only the original: its thumbnail is refused
    for path in (thumb, original):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image)
    with artscope.create(tmp_path / "c") as collection:
        collection.ingest([str(EXCERPT)], options=SourceOptions(pages=_titles(tmp_path, "Astronomer")))
        states = _states(collection)
        assert (states[VERMEER], states[GALILEO], states["Br Guy in Lab.jpg"]) == ("indexed", "indexed", "missing")
        error = collection.catalog.conn.execute(
            "SELECT error FROM passage_images WHERE file = 'Br Guy in Lab.jpg'").fetchone()[0]
        assert "404" in error
        assert collection.index.count(PASSAGE_IMAGES) == 2


def test_the_cli_indexes_a_category_with_json_on_stdout(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from artscope.cli.main import app

    result = CliRunner().invoke(app, ["index", str(EXCERPT), "-c", str(tmp_path / "c"), "--category", "Astronomers",
                                      "--depth", "0", "--images", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["passages"], summary["failed"]) == (7, 0)
    shown = CliRunner().invoke(app, ["passages", "how many professional astronomers", "-c", str(tmp_path / "c"),
                                     "-n", "1"])
    assert shown.exit_code == 0 and "Wikipedia: Astronomer § Academic" in shown.stdout
    assert "image: Galileo.arp.300pix.jpg: Galileo is often referred to" in shown.stdout
    assert "https://en.wikipedia.org/wiki/Astronomer#Academic" in shown.stdout
