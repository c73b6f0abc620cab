"""Wikipedia (or any MediaWiki) XML dumps: one passage per paragraph of the pages a category crawl or
a list of titles selects, as ArtSeek builds WikiFragments.

``artscope index enwiki-…-pages-articles.xml.bz2 -c DIR --category "Visual arts" --depth 5`` reads
the dump twice as a stream: first its category pages (which category lies below which), then its
articles, keeping those in the category or one of its subcategories down to ``depth`` levels (or
named by ``--pages``, redirects followed; with neither, every article). Each kept page becomes
passages (``page_passages``, a pure function of one page: the step a cluster can spread) with the
page title, section path, address, the page's categories, the revision, and the images nearest
before each paragraph (Commons file name, caption, the address it has on Commons). Passage ids are
``{dbname}:{page id}:{paragraph index}``: a re-run updates in place, skips pages whose revision
it already has, and deletes paragraphs a page no longer has.

Ingested into a collection, pages link to the artwork they are about: the record that names the
page's Wikipedia address in one of its fields, or else the only record with the page's title (a
trailing "(painting)" or "(Van Gogh)" aside) whose artist, if it names one, the page mentions.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from artscope.config import get_settings
from artscope.errors import InvalidInputError
from artscope.ingest.sources.base import SourceItem, SourceOptions, register_source
from artscope.ingest.sources.records import BaseSource
from artscope.ingest.sources.wikidump import (
    ARTICLE_NAMESPACE,
    THUMB_WIDTH,
    Dump,
    DumpPage,
    Progress,
    WikiSite,
    commons_url,
    crawl,
    normalise_title,
    page_categories,
    page_url,
    read_titles,
    sniff,
)
from artscope.media.images import IMAGE_SUFFIXES
from artscope.types import Passage, PassageImage

if TYPE_CHECKING:
    from artscope.catalog import Catalog
    from artscope.collection import Collection
    from artscope.ingest.sources.wikitext import LinkedImage, ParsedPage

log = logging.getLogger(__name__)

ARTICLES_PER_MB = 330
"""About how many articles a megabyte of a compressed English dump holds (for the progress estimate)."""
QUALIFIER = re.compile(r"\s+\([^()]*\)$")
WIKIPEDIA_URL = re.compile(r"https?://[^\s/]+\.wikipedia\.org/wiki/[^\s#?|\"]+")
IMAGE_FILE_SUFFIXES = IMAGE_SUFFIXES | {".svg"}


def page_passages(page: DumpPage, site: WikiSite, categories: list[str], artwork_id: str | None = None,
                  local_images: Mapping[str, str] | None = None) -> list[Passage]:
    """The passages of one page (none for a disambiguation page). Images are read from
    ``local_images`` (file name -> path) when given, else fetched from Commons."""
    parsed = _parse(page.text, site)
    if parsed.disambiguation:
        return []
    passages = []
    for index, paragraph in enumerate(parsed.paragraphs):
        section = " > ".join(paragraph.section) or None
        passages.append(Passage(
            id=f"{site.dbname}:{page.id}:{index}", text=paragraph.text, artwork_id=artwork_id,
            source=f"{site.sitename}: {page.title}" + (f" § {section}" if section else ""), title=page.title,
            section=section, url=page_url(site, page.title, paragraph.section[-1] if paragraph.section else None),
            categories=categories, revision=page.revision,
            images=[_image(image, site, local_images) for image in paragraph.images]))
    return passages


def _parse(text: str, site: WikiSite) -> ParsedPage:
    from artscope.ingest.sources.wikitext import parse_wikitext

    return parse_wikitext(text, site.names)


def require_parsers() -> None:
    """Fail with the install command unless the dump and wikitext parsers are installed (an extra)."""
    try:
        import mwparserfromhell  # noqa: F401
        import mwxml  # noqa: F401
    except ImportError as exc:
        raise InvalidInputError(f"Reading Wikipedia dumps needs mwxml and mwparserfromhell ({exc}): "
                                "pip install 'artscope[wikipedia]'.") from exc


def _image(image: LinkedImage, site: WikiSite, local_images: Mapping[str, str] | None) -> PassageImage:
    published = commons_url(image.file, site.commons_url)
    if local_images is not None:
        read_from = local_images.get(image.file)
    else:
        read_from = commons_url(image.file, site.commons_url, THUMB_WIDTH)
    return PassageImage(file=image.file, caption=image.caption, url=published, read_from=read_from)


def image_folder(folder: Path, root: Path | None = None) -> dict[str, str]:
    """The image files under a folder (its subfolders too) by the file name a wiki gives them."""
    if root is not None and not folder.resolve().is_relative_to(root.resolve()):
        raise InvalidInputError(f"The image folder {folder} is outside the ingest root.")
    if not folder.is_dir():
        raise InvalidInputError(f"Image folder not found: {folder}. Give the folder that holds the Commons files.")
    found: dict[str, str] = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            if Path(name).suffix.lower() in IMAGE_FILE_SUFFIXES:
                found.setdefault(normalise_title(unicodedata.normalize("NFC", name)), str(Path(directory) / name))
    return found


class ArtworkLinks:
    """Which artwork of the collection a page is about, if any."""

    def __init__(self, catalog: Catalog, site: WikiSite) -> None:
        self.catalog = catalog
        self.by_page: dict[str, str] = {}
        host = urlsplit(site.page_url or "").netloc
        for artwork_id, value in catalog.artwork_texts_containing("wikipedia.org/wiki/"):
            for url in WIKIPEDIA_URL.findall(value):
                parts = urlsplit(url)
                if parts.netloc == host:
                    self.by_page.setdefault(normalise_title(unquote(parts.path.removeprefix("/wiki/"))), artwork_id)

    def artwork_for(self, page: DumpPage) -> str | None:
        named = self.by_page.get(page.title)
        if named:
            return named
        for title in dict.fromkeys((page.title, QUALIFIER.sub("", page.title))):
            found = self.catalog.artworks_titled(title, limit=2)
            if len(found) == 1:
                artwork_id, artists = found[0]
                if not artists or any(_names_artist(page.text, artist) for artist in artists):
                    return artwork_id
        return None


def _names_artist(text: str, artist: str) -> bool:
    """Whether a page's text names the artist: the surname as a capitalised word ("Gogh" for "Vincent
    van Gogh" or "Gogh, Vincent van")."""
    name = artist.split(",")[0] if "," in artist else artist
    words = name.split()
    return bool(words) and re.search(rf"\b{re.escape(words[-1])}\b", text) is not None


def _looks_like_dump(location: str) -> bool:
    return sniff(Path(location))


@register_source("wikipedia", _looks_like_dump)
class WikipediaSource(BaseSource):
    """A MediaWiki XML dump (``…-pages-articles.xml.bz2``)."""

    kind = "wikipedia"

    def __init__(self, location: str, options: SourceOptions) -> None:
        super().__init__(location, options)
        path = Path(location)
        if not path.is_file():
            raise InvalidInputError(f"Wikipedia dump not found: {path}")
        require_parsers()
        self.dump = Dump(path, get_settings().commons_url)
        self.site = self.dump.site()  # reads the <siteinfo>: a file that is not a dump stops here
        self.titles = read_titles(options.pages) if options.pages else set()
        self.category = normalise_title(options.category) if options.category else None
        self.local_images = image_folder(options.image_dir, options.root) if options.image_dir else None
        self.progress = Progress(self.dump)
        self.collection: Collection | None = None
        self.links: ArtworkLinks | None = None
        self.redirects: dict[str, str] = {}
        self.wanted: set[str] = set()
        self.categories: set[str] = set()

    def attach(self, collection: Collection) -> None:
        """Ingest into ``collection``: link pages to its artworks, skip pages it has at their revision,
        delete paragraphs that pages no longer have."""
        self.collection = collection
        self.links = ArtworkLinks(collection.catalog, self.site)

    def count(self) -> int:
        if self.titles and not self.category:
            return len(self.titles)
        return max(1, int(self.dump.size / 1e6 * ARTICLES_PER_MB))

    def items(self) -> Iterator[SourceItem]:
        selected = self._selection()
        found: set[str] = set()
        self.progress.begin("pages")
        for page in self.dump.pages((ARTICLE_NAMESPACE,)):
            self.progress.read(page)
            if page.redirect:
                continue
            categories = page_categories(page.text, self.site.names)
            if not selected(page.title, categories):
                continue
            found.add(page.title)
            self.progress.kept += 1
            item = self._item(page, categories)
            if item is not None:
                yield item
        log.info("%s", self.progress.line())
        yield from self._not_found(found)

    def _selection(self) -> Callable[[str, list[str]], bool]:
        """Which pages to keep: those of the category tree, those listed, or (neither given) all."""
        if not self.category and not self.titles:
            return lambda title, categories: True
        self.progress.begin("categories and redirects")
        tree, redirects = crawl(self.dump, self.site, self.titles, self.progress)
        self.redirects = redirects
        self.wanted = self.titles | set(redirects.values())
        self.categories = tree.below(self.category, self.options.depth) if self.category else set()
        log.info("%s: %d category pages read; %d categories selected", self.dump.path.name, tree.pages,
                 len(self.categories))
        return lambda title, categories: title in self.wanted or any(c in self.categories for c in categories)

    def _item(self, page: DumpPage, categories: list[str]) -> SourceItem | None:
        artwork_id = self.links.artwork_for(page) if self.links else None
        prefix = f"{self.site.dbname}:{page.id}:"
        stored = self.collection.catalog.passages_with_prefix(prefix) if self.collection else []
        if stored and all(revision == page.revision and linked == artwork_id for _, revision, linked in stored) \
                and not self._newly_found_images(prefix):
            self.progress.unchanged += 1
            return None
        passages = page_passages(page, self.site, categories, artwork_id, self.local_images)
        lost = [passage_id for passage_id, _, _ in stored if int(passage_id.rsplit(":", 1)[1]) >= len(passages)]
        for passage_id in lost:  # paragraphs the page no longer has (stored is empty without a collection)
            self.collection.delete_passage(passage_id, actor="ingest")  # type: ignore[union-attr]
        if not passages:
            return None
        self.progress.passages += len(passages)
        return SourceItem(key=f"{page.id} {page.title}", passages=passages)

    def _newly_found_images(self, prefix: str) -> bool:
        """Whether the folder of images holds one that this page's passages show and that was missing."""
        if self.local_images is None or self.collection is None:
            return False
        return any(file in self.local_images for file in self.collection.catalog.missing_images_shown(prefix))

    def _not_found(self, found: set[str]) -> Iterator[SourceItem]:
        """One error naming what was asked for and not found (a category no page is in, unknown titles)."""
        missing = sorted(t for t in self.titles if t not in found and self.redirects.get(t) not in found)
        if missing:
            names = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            yield SourceItem(key="pages not found", error=f"{len(missing)} listed pages are not articles of "
                             f"{self.dump.path.name}: {names}.")
        if self.category and not found:
            yield SourceItem(key=f"category {self.category}", error=(
                f"No article of {self.dump.path.name} is in the category {self.category!r} or its subcategories "
                f"(to depth {self.options.depth}). Check the name as the wiki spells it, without 'Category:'."))
