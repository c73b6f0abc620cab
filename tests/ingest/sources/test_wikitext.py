"""Wikitext -> paragraphs on real enwiki pages (tests/data/wikipedia, CC BY-SA): the text kept word for
word, images with captions where they stand, and tables, references, templates and navigation boxes
kept out."""

from __future__ import annotations

import bz2
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from artscope.ingest.sources.wikidump import Dump, DumpPage, page_categories
from artscope.ingest.sources.wikitext import ParsedPage, parse_wikitext

DATA = Path(__file__).resolve().parents[2] / "data" / "wikipedia"
EXCERPT = DATA / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
TABLES = DATA / "enwiki-table-markup.xml.bz2"
MARKUP = re.compile(r"\{\{|\}\}|\[\[|\]\]|\{\||\|\}|<ref|</|cite web|thumb\||upright|\bpx\b|class=|style=|rowspan")


@pytest.fixture(scope="module")
def pages() -> dict[str, DumpPage]:
    return {p.title: p for p in Dump(EXCERPT, "https://upload.wikimedia.org/wikipedia/commons").pages((0,))
            if not p.redirect}


def _parsed(pages: dict[str, DumpPage], title: str) -> ParsedPage:
    return parse_wikitext(pages[title].text)


def test_the_art_article_paragraph_by_paragraph(pages: dict[str, DumpPage]) -> None:
    art = _parsed(pages, "Art")
    lead = art.paragraphs[0]
    assert lead.section == () and lead.text == (
        "Art is a diverse range of human activities in creating visual, auditory or performing artifacts – artworks, "
        "expressing the author's imaginative or technical skill, intended to be appreciated for their beauty or "
        "emotional power. In their most general form these activities include the production of works of art, the "
        "criticism of art, the study of the history of art, and the aesthetic dissemination of art.")
    # the collage above the lead, with its caption rendered as text
    assert [(i.file, i.caption) for i in lead.images] == [(
        "Art-portrait-collage 2.jpg", "Clockwise from upper left: a self-portrait by Vincent van Gogh; a female "
        "ancestor figure by a Chokwe artist; detail from The Birth of Venus by Sandro Botticelli; and an Okinawan "
        "Shisa lion.")]
    history = next(p for p in art.paragraphs if p.text.startswith("Sculptures, cave paintings, rock paintings"))
    assert history.section == ("History",)
    assert [(i.file, i.caption) for i in history.images] == [
        ("Venus of Willendorf frontview retouched 2.jpg", "Venus of Willendorf, circa 24,000–22,000 BP")]
    # {{wide image|file|width|caption}} and a thumbnail inside the section's first paragraph
    creative = next(p for p in art.paragraphs if p.section == ("Creative art and fine art",))
    assert [i.file for i in creative.images] == ["Wang Ximeng - A Thousand Li of River (Bridge).jpg",
                                                 "Teke bottle.JPG"]
    assert ("Forms, genres, media, and styles", "Skill and craft") in {p.section for p in art.paragraphs}
    assert page_categories(pages["Art"].text) == ["Aesthetics", "Arts", "Visual arts"]
    text = "\n".join(p.text for p in art.paragraphs)
    assert not MARKUP.search(text)
    assert "oxforddictionaries" not in text and "Smithsonian" not in text  # references, external links
    assert "OED Online" in pages["Art"].text and "OED Online" not in text  # a reference in plain words
    assert "Further reading" not in {s for p in art.paragraphs for s in p.section}
    assert not art.disambiguation


def test_infobox_gallery_and_multiple_image_pictures(pages: dict[str, DumpPage]) -> None:
    connes = _parsed(pages, "Alain Connes").paragraphs[0]  # {{Infobox scientist | image = ... | caption = ...}}
    assert [(i.file, i.caption) for i in connes.images] == [("Alain Connes.jpg", "Alain Connes in 2004")]
    assert connes.text.startswith("Alain Connes (born 1 April 1947) is a French mathematician")  # IPA template gone
    animation = _parsed(pages, "Animation").paragraphs[0]  # {{multiple image | image1 = ... | caption1 = ...}}
    assert [(i.file, i.caption) for i in animation.images] == [
        ("Animexample3edit.png", "The bouncing ball animation (below) consists of these six frames."),
        ("Animexample.gif", "This animation moves at 10 frames per second.")]
    asia = _parsed(pages, "Asia")  # <gallery> lines "File:Name.jpg|[[link]] caption"
    shown = {i.file: i.caption for p in asia.paragraphs for i in p.images}
    assert shown["Naadam rider 2.jpg"] == "Mongolian steppe"
    assert shown["Hunza Valley from Eagle Point.jpg"] == "Hunza Valley"
    films = {i.file for p in _parsed(pages, "Animation").paragraphs for i in p.images}
    assert "Phenakistoscope 3g07690u.jpg" in films
    assert not any(f.endswith(".ogv") for f in films)  # a video linked as a file is not a picture


def test_quotations_set_apart_are_text_their_attribution_is_not(pages: dict[str, DumpPage]) -> None:
    lincoln = [p.text for p in _parsed(pages, "Abraham Lincoln").paragraphs]
    quoted = next(t for t in lincoln if t.startswith("Fondly do we hope—fervently do we pray—that this mighty "
                                                     "scourge of war may speedily pass away."))
    assert "bond-man's 250 years" in quoted and "Selected Speeches" not in quoted  # its link kept, its reference not


def test_disambiguation_pages_are_recognised(pages: dict[str, DumpPage]) -> None:
    assert _parsed(pages, "Austin (disambiguation)").disambiguation
    assert _parsed(pages, "Aa River").disambiguation  # {{geodis}}
    assert not _parsed(pages, "Apollo").disambiguation


def test_no_page_of_the_excerpt_leaks_markup(pages: dict[str, DumpPage]) -> None:
    leaks = [(title, p.text[:120]) for title, page in pages.items() for p in parse_wikitext(page.text).paragraphs
             if re.search(r"\{\{|\}\}|\[\[|\]\]|<ref|cite web|\|\s*thumb|class=\"", p.text)]
    assert leaks == []


def _table_pages() -> dict[str, str]:
    """The table-markup excerpt has no <siteinfo> (a dump reader refuses it): its pages read as plain XML."""
    ns = "{http://www.mediawiki.org/xml/export-0.10/}"
    with bz2.open(TABLES) as handle:
        root = ET.parse(handle).getroot()
    return {p.findtext(f"{ns}title"): p.findtext(f"{ns}revision/{ns}text") for p in root.iter(f"{ns}page")}


def test_tables_never_reach_the_text() -> None:
    pages = _table_pages()
    assert len(pages) == 5
    for title, wikitext in pages.items():
        text = "\n".join(p.text for p in parse_wikitext(wikitext).paragraphs)
        assert text and not re.search(r"\{\||\|\}|\|\||\|-|rowspan|colspan|align=|wikitable", text), title
    estonia = "\n".join(p.text for p in parse_wikitext(pages["Economy of Estonia"]).paragraphs)
    assert "|937.8" in pages["Economy of Estonia"] and "937.8" not in estonia  # a table cell: Tallink's revenue
    assert estonia.startswith("Estonian economy is an advanced economy and a member of the European Union")
    design = parse_wikitext(pages["Academy Award for Best Production Design"]).paragraphs
    assert [p.text[:50] for p in design] == ["The Academy Award for Best Production Design recog",
                                             "The films below are listed with their production y"]
