"""What an answerer knows while it works: the question, the artwork it is about (given by id,
identified from an image by image search, or named by its title in the question), the steps so far;
and the one way to turn a record field or a passage into a citation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from artscope.languages import Language
from artscope.media.images import load_image, read_bytes
from artscope.tasks.ask.classify import Classification
from artscope.tasks.ask.text import content_terms
from artscope.tasks.ask.types import Answer, Citation, Flag, Identified, Step
from artscope.types import ArtworkRecord, Passage

if TYPE_CHECKING:
    from artscope.collection import Collection

QUOTE_CHARS = 300
"""Quotes in citations and step results are cut to this length."""
DISTINCT_MATCH_RATIO = 2.0
"""The best verified work needs this many times the runner-up's keypoint matches before the answer
states it is the pictured work: a pattern that matches several works matches none. (Image search
itself verifies a match from ``verify.MIN_INLIERS``: 30.)"""
TITLE_COVERAGE_MIN = 0.6
"""Share of a title's words a question must contain to be taken as naming that artwork."""
TITLE_CANDIDATES = 50


@dataclass
class AskContext:
    """One question being answered."""

    collection: Collection
    question: str
    classification: Classification
    record: ArtworkRecord | None = None
    """The artwork the question is about: given by id, identified from the image, or named in the question."""
    image: Image.Image | None = None
    identified: Identified | None = None
    certainty: float = 1.0
    """How sure the answerer is that ``record`` is the artwork meant (1 when given by id)."""
    language: Language | None = None
    """The question's language, when it can be told."""
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    obtained: dict[tuple[str, str], Citation] = field(default_factory=dict)
    """Predictions and measurements the tools returned, by (artwork id or "image", field): the only
    ones a ``[prediction:...]`` marker may cite."""
    measured: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """What those tools said in full (the measured statements), the evidence a sentence citing them
    is checked against."""

    @property
    def foreign(self) -> bool:
        """Whether the question is in another language than English (the catalogue's, as a rule): its
        words cannot be matched with the texts', only its meaning can."""
        return self.language is not None and self.language.code != "en"

    def step(self, tool: str, arguments: dict[str, Any] | None = None, result: str = "",
             error: str | None = None) -> Step:
        """Record a step (and return it, for streaming)."""
        made = Step(tool=tool, arguments=arguments or {}, result=shorten(result), error=error)
        self.steps.append(made)
        return made

    def answer(self, text: str, citations: list[Citation], confidence: float,
               flags: list[Flag] | None = None, answerer: str = "model-free") -> Answer:
        """The answer, with what the context knows (steps, identified artwork, notes) filled in."""
        flags = [*(flags or []), *([Flag.NOT_IN_COLLECTION] if self.identified is not None
                                   and not self.identified.in_collection else [])]
        return Answer(question=self.question, text=text, kind=self.classification.kind, citations=citations,
                      confidence=round(min(max(confidence, 0.0), 1.0), 4), steps=list(self.steps),
                      identified=self.identified, artwork_id=self.record.id if self.record else None,
                      answerer=answerer, flags=list(dict.fromkeys(flags)), notes=list(self.notes),
                      language=self.language.code if self.language else None)


def recognised_first(ctx: AskContext, answer: Answer) -> Answer:
    """An answer about a pictured work that image search recognised opens by saying so ("This is
    “Colosseum”, in the collection."), whatever follows, even "not in the collection's records"."""
    identified = ctx.identified
    if identified is None or not identified.in_collection or ctx.record is None:
        return answer
    title = f"“{ctx.record.title}”" if ctx.record.title else ctx.record.id
    return answer.model_copy(update={"text": f"This is {title}, in the collection. {answer.text}"})


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut at a word boundary to about ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def field_text(record: ArtworkRecord, name: str) -> str | None:
    """A record field as display text (lists joined), or None when empty or absent."""
    value = record.field(name)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if str(v).strip())
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()


def record_source(collection: Collection, artwork_id: str) -> str:
    """Where a record came from (its first ingest source), for citations: the source kind and the
    file's name or the URL, never a server's local directory layout."""
    sources = collection.catalog.sources_of(artwork_id)
    if not sources:
        return "catalogue record"
    kind, _, location = sources[0]["source"].partition(":")
    shown = location if location.startswith(("http://", "https://")) else Path(location).name
    return f"catalogue record ({kind}: {shown})"


def record_citation(collection: Collection, record: ArtworkRecord, name: str,
                    quote: str | None = None) -> Citation:
    """A citation of one field of a record; the quote defaults to the field's value."""
    return Citation(kind="record-field", artwork_id=record.id, field=name,
                    source=record_source(collection, record.id),
                    quote=shorten(quote if quote is not None else field_text(record, name) or ""))


def passage_citation(passage: Passage, quote: str | None = None) -> Citation:
    """A citation of a passage; the quote is the supporting sentence, or the passage's start."""
    return Citation(kind="passage", artwork_id=passage.artwork_id, passage_id=passage.id,
                    source=passage.source or passage.title, quote=shorten(quote or passage.text))


# -- which artwork the question is about ----------------------------------------------------


def load_query_image(image: Any) -> tuple[Image.Image, bytes | None]:
    """A query image as a safe RGB image, plus its bytes when it came as a file, URL or bytes (the bytes
    let image search recognise the very same file as an ``exact`` match). ``ImageLoadError`` if unreadable."""
    data: bytes | None = None
    if isinstance(image, bytes | bytearray):
        data = bytes(image)
    elif isinstance(image, str | Path):
        data = read_bytes(image)
    return load_image(data if data is not None else image), data


def identify(collection: Collection, image: Image.Image, data: bytes | None
             ) -> tuple[Identified, ArtworkRecord | None, Step]:
    """The artwork an image shows: image search in identify mode (the top matches verified
    geometrically), the best hit with its similarity and match kind, and whether it is the pictured work.

    The work counts as found when the file is the collection's own (``exact``) or the search verified
    the match (keypoints consistent with one homography) clearly: ``DISTINCT_MATCH_RATIO`` times the
    runner-up's. Similarity alone cannot decide: on the sample
    collection, photos of monuments that are not in it reached cosine 0.985 with the builtin embedder,
    above the 0.958 of the weakest true match, while verification separated the two completely
    (docs/ask.md gives the numbers).
    """
    result = collection.search(image=data if data is not None else image, limit=3, verify=True)
    if not result.hits:
        return Identified(), None, Step(tool="search", arguments={"image": "query image", "verify": True},
                                        result="no artwork of the collection resembles the image")
    hit = result.hits[0]
    inliers = [h.inliers or 0 for h in result.hits]
    verified = not result.no_good_match and inliers[0] >= DISTINCT_MATCH_RATIO * max(inliers[1:], default=0)
    in_collection = hit.match == "exact" or verified
    identified = Identified(artwork_id=hit.artwork.id, title=hit.artwork.title, similarity=hit.similarity,
                            match=hit.match, in_collection=in_collection)
    verdict = "the pictured work" if in_collection else "not verified: probably not in the collection"
    step = Step(tool="search", arguments={"image": "query image", "limit": 3, "verify": True},
                result=f"best match {hit.artwork.id} ({hit.artwork.title}), {hit.match or 'similar'}, "
                       f"similarity {hit.similarity:.3f}, {hit.inliers or 0} verified keypoints: {verdict}")
    return identified, (hit.artwork if in_collection else None), step


def find_mentioned(collection: Collection, question: str) -> list[ArtworkRecord]:
    """The artworks whose title the question names ("Who painted the Cafe Terrace at Night?").

    Candidates come from BM25 over the catalogue; a title counts when the question holds most of its
    words. The titles with the most matched words win (so "Eiffel Tower" beats "Tower"); several records
    may share a title (two photos of one building), so all tied records come back, best BM25 rank first.
    """
    asked = content_terms(question)
    if not asked:
        return []
    rowids = [rowid for rowid, _ in collection.catalog.search_artworks_bm25(question, TITLE_CANDIDATES)]
    scored: list[tuple[tuple[int, float], ArtworkRecord]] = []
    for record in collection.catalog.get_by_rowids(rowids):
        title = content_terms(record.title or "")
        matched = len(title & asked)
        if title and matched / len(title) >= TITLE_COVERAGE_MIN:
            scored.append(((matched, matched / len(title)), record))
    if not scored:
        return []
    top = max(key for key, _ in scored)
    return [record for key, record in scored if key == top]
