"""Wikitext -> paragraphs, each with its section path and the images placed nearest before it.

``mwparserfromhell`` parses the page; one walk over its top-level nodes keeps the text of
paragraphs, link texts and a few text-bearing templates, and drops everything else: tables,
references, comments, templates (navigation boxes, hatnotes, citations, maintenance tags) and
reference-like sections ("See also", "References", "External links"...). Images come from file
links (``[[File:...|thumb|caption]]``), ``<gallery>`` tags and the image templates that carry a
file name (infoboxes, ``{{multiple image}}``, ``{{wide image}}``); as in ArtSeek's WikiFragments, a
paragraph is linked to the images placed since the paragraph before it, or, if none were, to the
images of the paragraph before it in the same section. Images left over where no paragraph follows
(a gallery at the end of a page) become a paragraph of their captions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, HTMLEntity, Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from artscope.ingest.sources.wikidump import WikiNames, normalise_title


@dataclass(frozen=True)
class LinkedImage:
    file: str
    """The file name without its namespace, as the wiki normalises it ("Mona Lisa.jpg")."""
    caption: str | None = None


@dataclass
class Paragraph:
    section: tuple[str, ...]
    """Heading titles from the top level down; empty for the lead."""
    text: str
    images: tuple[LinkedImage, ...] = ()


@dataclass
class ParsedPage:
    paragraphs: list[Paragraph] = field(default_factory=list)
    disambiguation: bool = False


MIN_WORDS = 3
"""Shorter leftovers ("thumb", a lone date) are not paragraphs."""
SKIPPED_SECTIONS = frozenset({
    "see also", "references", "notes", "external links", "further reading", "bibliography", "sources",
    "footnotes", "citations", "notes and references", "references and notes", "works cited", "general references",
    "cited sources", "explanatory notes", "related articles", "literature", "general and cited references",
})
"""English section titles whose content is lists of links and references, not prose."""
INLINE_TAGS = frozenset({
    "b", "i", "u", "s", "em", "strong", "small", "big", "sub", "sup", "span", "font", "center", "div", "p",
    "blockquote", "poem", "q", "cite", "abbr", "mark", "ins", "var", "kbd", "tt", "code", "nowiki", "bdi",
    "onlyinclude", "noinclude", "li", "dd", "dt", "ol", "ul", "dl",
})
"""Tags whose content is shown as text; every other tag (tables, ref, math, score, timeline...) is dropped."""
LIST_MARKUP = frozenset({"*", "#", ":", ";"})
DISAMBIGUATION = re.compile(
    r"\{\{\s*(?:[^{}|]*\s)?(?:disambiguation|disambig|dab|disamb|hndis|geodis|numberdis|mil-unit-dis|"
    r"letter-numbercombdisambig|set index article)\s*(?:\||\}\})", re.I)
"""The templates that mark a disambiguation page ({{disambiguation}}, {{hndis}}, {{Place name disambiguation}})."""
IMAGE_PARAMS = ("image", "image_file", "image file", "imagefile", "image_name", "img", "photo", "picture",
                "image1", "cover")
CAPTION_PARAMS = ("caption", "image_caption", "image caption", "imagecaption", "caption1", "alt")
TEXT_TEMPLATES = {"nowrap": 1, "nobr": 1, "small": 1, "smaller": 1, "big": 1, "em": 1, "strong": 1, "sic": 1,
                  "not a typo": 1, "var": 1, "abbr": 1, "tooltip": 1, "nihongo": 1, "ill": 1, "lang": 2,
                  "keypress": 1, "ship": 2, "bibleverse": 1}
"""Templates that show one of their arguments as running text ({{lang|fr|...}}): that argument is kept."""
QUOTE_TEMPLATES = frozenset({"quote", "blockquote", "cquote", "quotation", "quote box", "centered pull quote"})
"""Quotations set apart: their text (``text``, ``quote`` or the first argument) is kept, the attribution not."""
IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|svg|tiff?|webp|bmp)$", re.I)
"""Pictures; sound, video and document files linked the same way are left out."""
IMAGE_OPTION = re.compile(
    r"^\s*(thumb|thumbnail|frame|framed|frameless|border|left|right|center|centre|none|baseline|middle|sub|"
    r"super|top|text-top|bottom|text-bottom|upright(\s*=?\s*[\d.]+)?|\d*x?\d+\s*px|"
    r"(alt|link|page|class|lang|thumb|thumbnail|upright|loop|start|end|muted)\s*=.*)\s*$", re.I)
COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
SELF_CLOSED_REF = re.compile(r"<ref\b[^>]*/\s*>", re.I)
REF = re.compile(r"<ref\b[^>/]*(?:/(?!\s*>)[^>/]*)*>.*?</ref\s*>", re.I | re.S)
APPENDIX = re.compile(r"^==[ \t]*(?:" + "|".join(re.escape(t) for t in sorted(SKIPPED_SECTIONS)) + r")[ \t]*==[ \t]*$",
                      re.I | re.M)
BLANK_LINE = re.compile(r"\n[ \t]*\n")
STYLE = re.compile(r"'{2,}")
SPACE_BEFORE = re.compile(r"\s+([,.;:!?)\]])")
EMPTY_BRACKETS = re.compile(r"\(\s*[,;:]?\s*\)|\[\s*\]")
LEADING_PUNCTUATION = re.compile(r"\(\s*[,;:]\s*")
"""What a dropped template leaves at the start of brackets: "(; born 1947)" -> "(born 1947)"."""
LIST_ITEM = "\x00"


def parse_wikitext(text: str, names: WikiNames = WikiNames()) -> ParsedPage:
    """The paragraphs of a page's wikitext with their sections and images (a pure function)."""
    text = REF.sub("", SELF_CLOSED_REF.sub("", COMMENT.sub("", text)))
    walker = _Walker(names)
    walker.page.disambiguation = DISAMBIGUATION.search(text) is not None  # the mark is often at the very end
    walker.walk(mwparserfromhell.parse(_without_tables(_before_appendix(text)), skip_style_tags=True))
    return walker.page


def _before_appendix(text: str) -> str:
    """The text before the first top-level appendix heading ("== See also =="): appendices are lists of
    links and references, and come last; not parsing them saves a third of the time on long pages."""
    match = APPENDIX.search(text)
    return text[:match.start()] if match else text


def _without_tables(text: str) -> str:
    """The text without its wiki tables (``{| ... |}``, nested ones included): they are dropped anyway,
    and building their nodes is the costliest part of parsing."""
    if "{|" not in text:
        return text
    kept, depth = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith("{|"):
            depth += 1
        elif depth and stripped.startswith("|}"):
            depth -= 1
            if not depth:  # a table ends a paragraph
                kept.append("\n" + stripped[2:])
        elif not depth:
            kept.append(line)
    return "".join(kept)


class _Walker:
    def __init__(self, names: WikiNames) -> None:
        self.names = names
        self.page = ParsedPage()
        self.section: tuple[str, ...] = ()
        self.skipping = False
        self.buffer: list[str] = []
        self.pending: list[LinkedImage] = []
        self.last: tuple[tuple[str, ...], tuple[LinkedImage, ...]] = ((), ())

    def walk(self, code: Wikicode) -> None:
        for node in code.nodes:
            if isinstance(node, Text):
                self.text(node.value)
            elif isinstance(node, Heading):
                self.heading(node)
            elif isinstance(node, Tag) and node.wiki_markup in LIST_MARKUP:
                self.buffer.append("\n" + LIST_ITEM)
            elif isinstance(node, Tag) and node.wiki_markup == "----":
                self.flush()
            else:
                self.buffer.append(self.inline_node(node))
        self.flush()
        self.orphans()

    def text(self, value: str) -> None:
        parts = BLANK_LINE.split(value)
        if value.lstrip(" \t").startswith("\n") and self.ends_line():
            self.flush()
        for i, part in enumerate(parts):
            if i:
                self.flush()
            self.buffer.append(part)

    def ends_line(self) -> bool:
        """Whether the text so far ends with a line break (dropped nodes in between do not count)."""
        for piece in reversed(self.buffer):
            stripped = piece.rstrip(" \t")
            if stripped:
                return stripped.endswith("\n")
        return False

    def heading(self, node: Heading) -> None:
        self.flush()
        title = _clean(self.inline(node.title, collect=False))
        level = max(node.level - 2, 0)
        self.section = (*self.section[:level], title)
        skipping = any(t.casefold() in SKIPPED_SECTIONS for t in self.section)
        if skipping and not self.skipping:
            self.orphans()
        self.skipping = skipping

    def flush(self) -> None:
        text = _clean("".join(self.buffer))
        self.buffer.clear()
        if self.skipping:
            self.pending.clear()
            return
        if len(text.split()) < MIN_WORDS:
            return
        last_section, last_images = self.last
        images = tuple(self.pending) or (last_images if last_section == self.section else ())
        self.page.paragraphs.append(Paragraph(self.section, text, images))
        self.last = (self.section, images)
        self.pending = []

    def orphans(self) -> None:
        """Images no paragraph followed: a paragraph of their captions (a gallery at the end of a page)."""
        captions = "; ".join(i.caption for i in self.pending if i.caption)
        if self.pending and len(captions.split()) >= MIN_WORDS:
            self.page.paragraphs.append(Paragraph(self.section, _clean(captions), tuple(self.pending)))
        self.pending = []

    # -- inline content ---------------------------------------------------------------------
    def inline(self, code: Wikicode | None, collect: bool = True) -> str:
        if code is None:
            return ""
        return "".join(self.inline_node(node, collect) for node in code.nodes)

    def inline_node(self, node: object, collect: bool = True) -> str:
        if isinstance(node, Text):
            return node.value
        if isinstance(node, Wikilink):
            return self.wikilink(node, collect)
        if isinstance(node, Template):
            return self.template(node, collect)
        if isinstance(node, Tag):
            return self.tag(node, collect)
        if isinstance(node, ExternalLink):
            return self.inline(node.title, collect) if node.title else ""
        if isinstance(node, HTMLEntity):
            return node.normalize()
        if isinstance(node, Comment):
            return ""
        return ""  # arguments, unparsed leftovers

    def wikilink(self, node: Wikilink, collect: bool) -> str:
        target = str(node.title).strip()
        if target.startswith(":"):  # [[:File:X]], [[:Category:X]]: a plain link
            return self.inline(node.text, collect) if node.text else target[1:]
        prefix, colon, rest = target.partition(":")
        namespace = prefix.strip().casefold()
        if colon and namespace in self.names.files:
            if collect:
                self.add_image(rest, self.image_caption(node.text))
            return ""
        if colon and (namespace in self.names.categories or (node.text is None and _looks_interwiki(namespace))):
            return ""
        return self.inline(node.text, collect) if node.text else target

    def image_caption(self, text: Wikicode | None) -> str | None:
        """The caption of a file link: its last argument that is not a display option."""
        if text is None:
            return None
        segments: list[list[object]] = [[]]
        for node in text.nodes:
            if isinstance(node, Text) and "|" in node.value:
                first, *others = node.value.split("|")
                segments[-1].append(Text(first))
                segments.extend([Text(piece)] for piece in others)
            else:
                segments[-1].append(node)
        for segment in reversed(segments):
            caption = _clean("".join(self.inline_node(n, collect=False) for n in segment))
            if caption and not IMAGE_OPTION.match(caption):
                return caption
        return None

    def add_image(self, name: str, caption: str | None) -> None:
        name = name.split("|", 1)[0].strip()
        if name.casefold().split(":", 1)[0] in self.names.files and ":" in name:
            name = name.split(":", 1)[1]
        name = normalise_title(name)
        if IMAGE_FILE.search(name) and all(i.file != name for i in self.pending):
            self.pending.append(LinkedImage(name, caption or None))

    def template(self, node: Template, collect: bool) -> str:
        name = _template_name(node)
        if collect:
            for file, caption in _template_images(name, node):
                self.add_image(_file_name(file), _clean(self.inline(caption, collect=False)))
        if name.startswith("lang-"):
            return self.inline(_argument(node, "1"), collect)
        if name in QUOTE_TEMPLATES:
            quoted = next((_argument(node, key) for key in ("text", "quote", "1") if node.has(key)), None)
            return self.inline(quoted, collect)
        if name in TEXT_TEMPLATES:
            return self.inline(_argument(node, str(TEXT_TEMPLATES[name])), collect)
        if name == "transl":
            positional = [p for p in node.params if not p.showkey]
            return self.inline(positional[-1].value, collect) if positional else ""
        if name in ("circa", "c.", "ca."):
            return "c. " + self.inline(_argument(node, "1"), collect)
        if name == "convert":
            return _convert(node)
        return ""

    def tag(self, node: Tag, collect: bool) -> str:
        name = str(node.tag).strip().casefold()
        if name == "gallery":
            if collect:
                for line in str(node.contents or "").splitlines():
                    file, _, caption = line.partition("|")
                    if file.strip():
                        self.add_image(file, _clean(self.inline(mwparserfromhell.parse(caption), collect=False)))
            return ""
        if name == "imagemap" and collect:  # its first line is the image
            first = next((line for line in str(node.contents or "").splitlines() if line.strip()), "")
            file, _, caption = first.partition("|")
            self.add_image(file, _clean(self.inline(mwparserfromhell.parse(caption), collect=False)))
            return ""
        if name == "br":
            return " "
        if name in INLINE_TAGS and node.wiki_markup is None:
            return self.inline(node.contents, collect)
        return ""


def _template_name(node: Template) -> str:
    name = " ".join(str(node.name).replace("_", " ").split()).casefold()
    return name.removeprefix("template:").removeprefix("subst:").strip()


def _argument(node: Template, name: str) -> Wikicode | None:
    return node.get(name).value if node.has(name) else None


def _file_name(value: Wikicode) -> str:
    """A template's image argument: a file name, ``File:`` name or a whole ``[[File:...]]`` link."""
    links = value.filter_wikilinks(recursive=False)
    return str(links[0].title) if links else str(value)


def _template_images(name: str, node: Template) -> list[tuple[Wikicode, Wikicode | None]]:
    """(file, caption) pairs an image-carrying template names."""
    if name.startswith("infobox"):
        image = next((_argument(node, p) for p in IMAGE_PARAMS if node.has(p)), None)
        caption = next((_argument(node, p) for p in CAPTION_PARAMS if node.has(p)), None)
        return [(image, caption)] if image is not None and str(image).strip() else []
    if name in ("wide image", "panorama", "tall image", "wide image left"):
        image = _argument(node, "1")
        return [(image, _argument(node, "3"))] if image is not None else []
    if name in ("multiple image", "multiple images", "gallery"):
        if name == "gallery":  # {{Gallery|File:A.jpg|caption A|File:B.jpg|caption B}}
            values = [p.value for p in node.params if not p.showkey]
            return list(zip(values[::2], values[1::2], strict=False))
        return [(_argument(node, f"image{i}"), _argument(node, f"caption{i}"))
                for i in range(1, 11) if node.has(f"image{i}")]
    if name == "css image crop" and node.has("image"):
        return [(_argument(node, "image"), _argument(node, "description"))]
    return []


def _convert(node: Template) -> str:
    """{{convert|10|km|mi}} -> "10 km"; {{convert|1|to|2|m}} -> "1 to 2 m"."""
    values = [str(p.value).strip() for p in node.params if not p.showkey]
    if len(values) >= 4 and values[1] in ("-", "to", "and", "or", "by", "x", "+", "–"):
        return " ".join(values[:4])
    return " ".join(values[:2])


def _looks_interwiki(prefix: str) -> bool:
    """A language or sister-project prefix ([[fr:Art]], [[zh-yue:...]]): a link to another wiki."""
    return bool(re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*|simple|wikt|commons|wikisource|wikiquote", prefix))


def _clean(raw: str) -> str:
    """Running text: style quotes gone, one space between words, list items on their own lines."""
    entries: list[str] = []
    item = False
    for line in raw.replace("\xa0", " ").split("\n"):
        starts_item = line.startswith(LIST_ITEM)
        line = line.lstrip(LIST_ITEM)
        if entries and not starts_item and not item and line.strip():
            entries[-1] += " " + line
        else:
            entries.append(line)
        item = starts_item
    out = []
    for entry in entries:
        entry = " ".join(STYLE.sub("", entry).split())
        entry = EMPTY_BRACKETS.sub("", SPACE_BEFORE.sub(r"\1", entry.replace("( ", "(")))
        entry = LEADING_PUNCTUATION.sub("(", entry)
        entry = " ".join(entry.split())
        if entry:
            out.append(entry)
    return "\n".join(out)
