"""Reading a MediaWiki XML dump as a stream (``mwxml``), crawling its category pages, and the
addresses a page and a Commons file have.

Categories are read from a page's raw text (``[[Category:...]]``): what templates add is not in
a dump. A dump is read from its compressed file (``.xml.bz2``, multistream or not, ``.xml.gz`` or plain
``.xml``) one page at a time: it is never held in memory, whatever its size. Categories are
crawled from the dump's own category pages (namespace 14): a category page that names
``[[Category:Visual arts]]`` is a subcategory of it.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import logging
import re
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

from artscope.errors import InvalidInputError, SourceFormatError

log = logging.getLogger(__name__)

CATEGORY_NAMESPACE, FILE_NAMESPACE, ARTICLE_NAMESPACE = 14, 6, 0
DUMP_SUFFIXES = (".bz2", ".gz", ".xml")
"""Wikimedia names its dumps ``…-pages-articles.xml.bz2`` and the parts of split ones
``…-pages-articles1.xml-p1p41242.bz2``: the content, not the name, tells."""
THUMB_WIDTH = 500
"""Width of the Commons thumbnails fetched for embedding (one of Wikimedia's standard thumbnail sizes)."""
THUMB_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"})


@dataclass(frozen=True)
class WikiSite:
    """What a dump says about its wiki (its ``<siteinfo>``), with the Commons address images have."""

    dbname: str
    """``enwiki``: the prefix of every passage id."""
    sitename: str
    """``Wikipedia``: how citations name the source."""
    page_url: str | None
    """``https://en.wikipedia.org/wiki/``: a page's address is this plus its title."""
    names: WikiNames
    commons_url: str


@dataclass(frozen=True)
class DumpPage:
    """One page of a dump (its last revision)."""

    id: int
    title: str
    namespace: int
    revision: str
    text: str
    redirect: str | None = None


@dataclass(frozen=True)
class WikiNames:
    """The namespace names a wiki uses for files and categories (casefolded; localised plus canonical)."""

    files: frozenset[str] = frozenset({"file", "image"})
    categories: frozenset[str] = frozenset({"category"})

    @classmethod
    def of(cls, files: Iterable[str], categories: Iterable[str]) -> WikiNames:
        return cls(frozenset({"file", "image", *(n.casefold() for n in files if n)}),
                   frozenset({"category", *(n.casefold() for n in categories if n)}))


class CountingReader(io.RawIOBase):
    """A file read through, counting the compressed bytes consumed (for progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        self.consumed += len(data)
        return len(data)


def normalise_title(title: str) -> str:
    """A page or file title as MediaWiki stores it: underscores as spaces, one space, first letter upper."""
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


def page_categories(text: str, names: WikiNames = WikiNames()) -> list[str]:
    """The categories a page names itself (``[[Category:Visual arts|sort key]]``), in order, once each."""
    return list(dict.fromkeys(normalise_title(m) for m in _category_pattern(names).findall(text)
                              if m.strip()))


_CATEGORY_PATTERNS: dict[frozenset[str], re.Pattern[str]] = {}


def _category_pattern(names: WikiNames) -> re.Pattern[str]:
    pattern = _CATEGORY_PATTERNS.get(names.categories)
    if pattern is None:
        alternatives = "|".join(re.escape(n) for n in sorted(names.categories))
        pattern = re.compile(rf"\[\[\s*(?:{alternatives})\s*:\s*([^\]|\n]+)", re.I)
        _CATEGORY_PATTERNS[names.categories] = pattern
    return pattern


def is_dump_name(path: Path) -> bool:
    return path.name.lower().endswith(DUMP_SUFFIXES)


def open_text(path: Path) -> tuple[IO[bytes], CountingReader]:
    """The dump's decompressed bytes as a stream, and the counter of compressed bytes read."""
    counter = CountingReader(path.open("rb"))
    name = path.name.lower()
    if name.endswith(".bz2"):
        return bz2.BZ2File(counter), counter
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=counter), counter
    return io.BufferedReader(counter), counter


def sniff(path: Path) -> bool:
    """True for a MediaWiki XML export (its first kilobytes hold a ``<mediawiki`` root element)."""
    if not path.is_file() or not is_dump_name(path):
        return False
    try:
        stream, counter = open_text(path)
        with stream, counter.raw:
            head = stream.read(4096)
    except (OSError, EOFError, ValueError):
        return False
    return b"<mediawiki" in head and b"mediawiki.org/xml/export-" in head


def commons_url(file: str, base: str, width: int | None = None) -> str:
    """Where Wikimedia serves a file (``{base}/a/ab/Name.jpg``, the first hex digits of the MD5 of
    its name), or a thumbnail of it ``width`` pixels wide (SVG thumbnails are PNG)."""
    name = file.replace(" ", "_")
    digest = hashlib.md5(name.encode("utf-8")).hexdigest()  # the upload layout's hash, not for security
    quoted = quote(name, safe="()!,'*-._~")
    suffix = Path(name).suffix.lower()
    if width is None or suffix not in THUMB_SUFFIXES:
        return f"{base.rstrip('/')}/{digest[0]}/{digest[:2]}/{quoted}"
    thumb = f"{width}px-{quoted}" + (".png" if suffix == ".svg" else "")
    return f"{base.rstrip('/')}/thumb/{digest[0]}/{digest[:2]}/{quoted}/{thumb}"


def page_url(site: WikiSite, title: str, section: str | None = None) -> str | None:
    """A page's address, at one of its sections if given."""
    if site.page_url is None:
        return None
    url = site.page_url + quote(title.replace(" ", "_"), safe="()!,'*-._~:/")
    return url + "#" + quote(section.replace(" ", "_"), safe="()!,'*-._~:/") if section else url


class Dump:
    """A dump file, read as a stream of pages (each read starts from the beginning of the file)."""

    def __init__(self, path: Path, commons_url_base: str) -> None:
        self.path = path
        self.commons_url_base = commons_url_base
        self.counter: CountingReader | None = None
        self.size = path.stat().st_size

    def site(self) -> WikiSite:
        with self._opened() as dump:
            return self._site(dump)

    def pages(self, namespaces: Iterable[int] | None = None) -> Iterator[DumpPage]:
        """Every page (of the given namespaces), in the dump's order."""
        wanted = set(namespaces) if namespaces is not None else None
        with self._opened() as dump:
            for page in dump:
                if wanted is not None and page.namespace not in wanted:
                    continue
                revisions = list(page)  # pages-articles dumps hold the last revision only
                if not revisions:
                    continue
                revision = revisions[-1]
                yield DumpPage(id=int(page.id), title=normalise_title(page.title), namespace=int(page.namespace),
                               revision=str(revision.id), text=revision.text or "",
                               redirect=normalise_title(page.redirect) if page.redirect else None)

    def fraction_read(self) -> float:
        return self.counter.consumed / self.size if self.counter and self.size else 0.0

    def _opened(self) -> _OpenedDump:
        return _OpenedDump(self)

    def _site(self, dump: object) -> WikiSite:
        info = dump.site_info  # type: ignore[attr-defined]
        spaces = {ns.id: ns for ns in info.namespaces or []}
        names = WikiNames.of(_names(spaces.get(FILE_NAMESPACE)), _names(spaces.get(CATEGORY_NAMESPACE)))
        base = info.base
        page_base = base[:base.rindex("/") + 1] if base and "/" in base else None
        dbname = info.dbname or _dbname_from(self.path)
        return WikiSite(dbname=dbname, sitename=info.name or "Wikipedia", page_url=page_base, names=names,
                        commons_url=self.commons_url_base)


class _OpenedDump:
    """The open file behind one read of a dump; closes it however the read ends."""

    def __init__(self, dump: Dump) -> None:
        self.dump = dump

    def __enter__(self) -> object:
        import mwxml
        from mwxml.errors import MalformedXML

        self.stream, counter = open_text(self.dump.path)
        self.dump.counter = counter
        try:
            return mwxml.Dump.from_file(self.stream)
        except (MalformedXML, OSError, EOFError, SyntaxError) as exc:
            self.stream.close()
            raise SourceFormatError(
                f"{self.dump.path} is not a MediaWiki XML dump that can be read ({exc}). Give a dump as "
                "Wikimedia publishes it (…-pages-articles.xml.bz2, with its <siteinfo>) or Special:Export's "
                "output.") from exc

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


def _names(namespace: object | None) -> list[str]:
    if namespace is None:
        return []
    return [namespace.name or "", *(getattr(namespace, "aliases", None) or [])]  # type: ignore[attr-defined]


def _dbname_from(path: Path) -> str:
    match = re.match(r"([a-z_]+wiki[a-z]*)\b", path.name)
    return match.group(1) if match else "wiki"


class CategoryTree:
    """Subcategory links read from a dump's category pages."""

    def __init__(self) -> None:
        self.children: dict[str, list[str]] = {}
        self.pages = 0

    def add(self, category: str, parents: Iterable[str]) -> None:
        category = sys.intern(category)
        self.pages += 1
        for parent in parents:
            self.children.setdefault(sys.intern(parent), []).append(category)

    def below(self, root: str, depth: int) -> set[str]:
        """``root`` and its subcategories down to ``depth`` levels (cycles are followed once)."""
        root = normalise_title(root)
        found = {root}
        queue = deque([(root, 0)])
        while queue:
            category, level = queue.popleft()
            if level >= depth:
                continue
            for child in self.children.get(category, ()):
                if child not in found:
                    found.add(child)
                    queue.append((child, level + 1))
        return found


def category_title(page: DumpPage) -> str:
    """A category page's name without its namespace ("Category:Visual arts" -> "Visual arts")."""
    return page.title.split(":", 1)[1].strip() if ":" in page.title else page.title


def read_titles(path: Path) -> set[str]:
    """Page titles, one a line (blank lines and ``#`` comments skipped: titles cannot hold ``#``)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Cannot read the page list {path}: {exc}") from exc
    titles = {normalise_title(line) for line in lines if line.strip() and not line.lstrip().startswith("#")}
    if not titles:
        raise InvalidInputError(f"The page list {path} names no page (one title a line).")
    return titles


def crawl(dump: Dump, site: WikiSite, titles: set[str], progress: Progress | None = None
          ) -> tuple[CategoryTree, dict[str, str]]:
    """The first pass: subcategory links from every category page, and where the redirects among
    ``titles`` lead."""
    tree = CategoryTree()
    redirects: dict[str, str] = {}
    for page in dump.pages((CATEGORY_NAMESPACE, ARTICLE_NAMESPACE)):
        if progress:
            progress.read(page)
        if page.namespace == CATEGORY_NAMESPACE:
            tree.add(category_title(page), page_categories(page.text, site.names))
        elif page.redirect and page.title in titles:
            redirects[page.title] = page.redirect
    return tree, redirects


class Progress:
    """Pages read, kept, passages written and the rate, on stderr every few seconds, only on a terminal."""

    def __init__(self, dump: Dump, every_s: float = 2.0) -> None:
        self.clock = time.monotonic
        self.dump = dump
        self.every_s = every_s
        self.show = sys.stderr.isatty()
        self.stage = "reading"
        self.pages = self.kept = self.unchanged = self.passages = 0
        self.started = self.last = self.clock()

    def begin(self, stage: str) -> None:
        self.stage, self.pages, self.started = stage, 0, self.clock()

    def read(self, page: DumpPage) -> None:
        self.pages += 1
        if self.show and self.clock() - self.last >= self.every_s:
            self.last = self.clock()
            sys.stderr.write(self.line() + "\n")
            sys.stderr.flush()

    def line(self) -> str:
        rate = self.pages / max(self.clock() - self.started, 1e-9)
        return (f"{self.dump.path.name}: {self.stage}: {self.dump.fraction_read():.1%} of the file, "
                f"{self.pages:,} pages read, {self.kept:,} kept ({self.unchanged:,} unchanged), "
                f"{self.passages:,} passages written, {rate:,.0f} pages/s")
