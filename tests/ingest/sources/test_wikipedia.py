"""The Wikipedia dump source on real enwiki excerpts (tests/data/wikipedia, CC BY-SA): detection, page
selection by category and by title list, passages with their sources and images, progress, addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from artscope.errors import SourceFormatError
from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.wikidump import CategoryTree, Dump, Progress, commons_url
from artscope.ingest.sources.wikipedia import WikipediaSource

DATA = Path(__file__).resolve().parents[2] / "data" / "wikipedia"
EXCERPT = DATA / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
TABLES = DATA / "enwiki-table-markup.xml.bz2"
COMMONS = "https://upload.wikimedia.org/wikipedia/commons"


def test_a_dump_is_recognised_by_its_content_and_one_without_siteinfo_refused() -> None:
    source = open_source(str(EXCERPT))
    assert isinstance(source, WikipediaSource) and source.name.startswith("wikipedia:")
    assert (source.site.dbname, source.site.sitename, source.site.page_url) == (
        "enwiki", "Wikipedia", "https://en.wikipedia.org/wiki/")
    with pytest.raises(SourceFormatError, match=r"not a MediaWiki XML dump.*<siteinfo>"):
        open_source(str(TABLES))


def test_a_category_keeps_the_pages_that_name_it() -> None:
    """The excerpt has no category pages, so no subcategory is found in it: the crawl keeps the pages that
    name the category themselves ("Art" names [[Category:Visual arts]]); descent is tested below."""
    items = list(open_source(str(EXCERPT), SourceOptions(category="Visual arts", depth=5)))
    assert [item.key for item in items] == ["752 Art"]
    art = items[0].passages
    assert len(art) == 58 and [p.id for p in art[:2]] == ["enwiki:752:0", "enwiki:752:1"]
    history = next(p for p in art if p.text.startswith("Sculptures, cave paintings, rock paintings"))
    assert history.model_dump() | {"text": ""} == {
        "id": history.id, "text": "", "artwork_id": None, "source": "Wikipedia: Art § History", "title": "Art",
        "section": "History", "url": "https://en.wikipedia.org/wiki/Art#History",
        "categories": ["Aesthetics", "Arts", "Visual arts"], "revision": "717255340",
        "images": [{"file": "Venus of Willendorf frontview retouched 2.jpg",
                    "caption": "Venus of Willendorf, circa 24,000–22,000 BP",
                    "url": f"{COMMONS}/1/19/Venus_of_Willendorf_frontview_retouched_2.jpg"}]}
    assert history.images[0].read_from == (  # fetched as a Commons thumbnail (no folder of files given)
        f"{COMMONS}/thumb/1/19/Venus_of_Willendorf_frontview_retouched_2.jpg/"
        "500px-Venus_of_Willendorf_frontview_retouched_2.jpg")
    nested = next(p for p in art if p.section == "Forms, genres, media, and styles > Skill and craft")
    assert nested.source == "Wikipedia: Art § Forms, genres, media, and styles > Skill and craft"
    assert nested.url == "https://en.wikipedia.org/wiki/Art#Skill_and_craft"
    assert [i.key for i in open_source(str(EXCERPT), SourceOptions(category="Continents", depth=0))] == ["689 Asia"]


def test_a_category_nobody_is_in_is_an_error_that_names_it() -> None:
    items = list(open_source(str(EXCERPT), SourceOptions(category="Impressionist paintings")))
    assert [(i.key, i.error is not None) for i in items] == [("category Impressionist paintings", True)]
    assert "No article of" in items[0].error and "'Impressionist paintings'" in items[0].error


def test_subcategories_down_to_the_depth_asked_cycles_followed_once() -> None:
    tree = CategoryTree()
    tree.add("Arts", ["Visual arts"])  # a category page "Category:Arts" that names [[Category:Visual arts]]
    tree.add("Aesthetics", ["Arts"])
    tree.add("Visual arts", ["Aesthetics"])  # categories do form cycles
    assert tree.below("Visual arts", 0) == {"Visual arts"}
    assert tree.below("visual_arts", 1) == {"Visual arts", "Arts"}
    assert tree.below("Visual arts", 5) == {"Visual arts", "Arts", "Aesthetics"}


def test_a_list_of_titles_follows_redirects_and_names_what_it_did_not_find(tmp_path: Path) -> None:
    titles = tmp_path / "titles.txt"
    titles.write_text("# pages to keep\nAstronomer\nAnAmericanInParis\n\nNo such page\n", encoding="utf-8")
    source = open_source(str(EXCERPT), SourceOptions(pages=titles))
    assert len(source) == 3
    items = list(source)
    assert [i.key for i in items] == ["309 An American in Paris", "580 Astronomer", "pages not found"]  # dump order
    assert items[2].error == ("1 listed pages are not articles of "
                              "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2: No such page.")
    lead = items[1].passages[0]
    assert lead.text.startswith("An astronomer is a scientist in the field of astronomy")
    assert [(i.file, i.caption) for i in lead.images] == [
        ("JohannesVermeer-TheAstronomer(1668).jpg", "The Astronomer by Johannes Vermeer")]


def test_without_a_selection_every_article_but_redirects_and_disambiguation_pages() -> None:
    keys = [i.key for i in open_source(str(EXCERPT), SourceOptions(limit=4))]
    assert keys == ["12 Anarchism", "25 Autism", "39 Albedo", "290 A"]  # page 10 is a redirect


def test_images_come_from_a_folder_of_commons_files(astronomer: tuple[str, SourceOptions]) -> None:
    dump, options = astronomer
    assert options.image_dir is not None
    folder = options.image_dir / "a" / "ab"
    items = list(open_source(dump, options))
    shown = {i.file: i.read_from for p in items[0].passages for i in p.images}
    assert shown == {"JohannesVermeer-TheAstronomer(1668).jpg": str(folder / "JohannesVermeer-TheAstronomer(1668).jpg"),
                     "Galileo.arp.300pix.jpg": str(folder / "Galileo.arp.300pix.jpg"),
                     "Br Guy in Lab.jpg": None, "Emily Lakdawalla at FameLab at LPSC 2013.jpg": None}


def test_commons_addresses_follow_the_upload_layout() -> None:
    """MediaWiki's manual: "Example.jpg" is stored under a/a9/; the Mona Lisa's address on Commons is well known."""
    assert commons_url("Example.jpg", COMMONS) == f"{COMMONS}/a/a9/Example.jpg"
    name = "Mona Lisa, by Leonardo da Vinci, from C2RMF retouched.jpg"
    assert commons_url(name, COMMONS) == f"{COMMONS}/e/ec/Mona_Lisa,_by_Leonardo_da_Vinci,_from_C2RMF_retouched.jpg"
    assert commons_url("Vase animation.svg", COMMONS, 500).endswith(
        "/Vase_animation.svg/500px-Vase_animation.svg.png")  # SVG thumbnails are PNG


def test_progress_goes_to_stderr_only_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    dump = Dump(EXCERPT, COMMONS)
    progress = Progress(dump, every_s=0.0)
    assert not progress.show  # pytest's captured stderr is not a terminal
    for page in dump.pages():
        progress.read(page)
    assert capsys.readouterr().err == ""
    progress.show = True
    progress.kept, progress.passages = 3, 40
    progress.read(next(iter(dump.pages())))
    line = capsys.readouterr().err
    assert "207 pages read, 3 kept (0 unchanged), 40 passages written" in line and "pages/s" in line
