"""The content condition of a list or count question ("Which paintings show *a bridge*?", "Which
monuments in India are *built of marble*?"), checked work by work through search.

The works the catalogue constraints allow (type, place, artist, years) are searched for the
condition's words, restricted to exactly those works. A work meets the condition when a sentence of
its record or of its passages holds every word of it (stems and synonyms count), or, for what
pictures show, when its image meets it: the words image measurements decide with the builtin
embedder (``pixels``, "dark", "blue"...), or the text against the image with a cross-modal one
(``image_text``). A work with no description or passage, whose picture cannot be read for the
condition, could not be checked, and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from artscope.embedders.base import measured_words
from artscope.tasks.ask.context import AskContext, field_text, passage_citation, record_citation
from artscope.tasks.ask.text import content_terms, split_sentences
from artscope.tasks.ask.types import Citation
from artscope.types import ArtworkRecord

CHECK_LIMIT = 1000
"""Works checked one by one at most (a larger set is searched, and its best matches checked)."""
PIXEL_MATCH = 0.5
"""A measured word is met from this score (0..1) on (builtin embedder)."""
CROSS_MODAL_MATCH = 0.25
"""A cross-modal embedder's text-image cosine from which a picture is taken to show the condition
(the scale of CLIP and SigLIP models; a judgement from the picture, labelled as such)."""


@dataclass
class Checked:
    """Which of the works meet the condition, with the evidence; which could not be checked."""

    met: list[tuple[ArtworkRecord, Citation]] = field(default_factory=list)
    from_pictures: set[str] = field(default_factory=set)
    """Works that meet it by their picture (a measurement or a cross-modal judgement), not by text."""
    unchecked: list[ArtworkRecord] = field(default_factory=list)
    searched: int = 0
    pictures_read: bool = False
    """The pictures could be read for the condition (measured words, or a cross-modal embedder)."""


TEXT_FIELDS = ("title", "subjects", "medium", "type")
"""Record fields that can state what a work shows or is (with its description, sentence by sentence)."""


def _text_evidence(ctx: AskContext, record: ArtworkRecord, terms: set[str]) -> Citation | None:
    """A field, or a sentence of the description or the passages, that holds every condition word."""
    for name in TEXT_FIELDS:
        value = field_text(record, name)
        if value and terms <= content_terms(value):
            return record_citation(ctx.collection, record, name)
    for passage in ctx.collection.catalog.passages_for(record.id):
        for sentence in split_sentences(passage.text):
            if terms <= content_terms(sentence):
                return passage_citation(passage, sentence)
    for sentence in split_sentences(record.description or ""):
        if terms <= content_terms(sentence):
            return record_citation(ctx.collection, record, "description", sentence)
    return None


def _has_text(ctx: AskContext, record: ArtworkRecord) -> bool:
    """Whether the collection says anything about what the work shows or is beyond its title."""
    return bool(record.description or record.subjects) or bool(ctx.collection.catalog.passage_rowids_for(record.id))


def check_condition(ctx: AskContext, condition: str, records: list[ArtworkRecord]) -> Checked:
    """Which ``records`` meet ``condition``, searched among exactly those works."""
    terms = content_terms(condition)
    checked = Checked()
    if not records or not terms:
        return checked
    vocabulary = measured_words(ctx.collection.embedder)
    measured = vocabulary.find(condition) if vocabulary is not None else []
    cross_modal = ctx.collection.info.cross_modal
    by_id = {r.id: r for r in records[:CHECK_LIMIT]}
    result = ctx.collection.search(condition, filters={"artwork_id": list(by_id)}, limit=len(by_id))
    checked.searched = len(by_id)
    pictures: dict[str, float] = {}
    for hit in result.hits:
        for signal in hit.signals:
            if signal.name == "pixels" or (signal.name == "image_text" and cross_modal):
                pictures[hit.artwork.id] = max(pictures.get(hit.artwork.id, 0.0), signal.score)
    # the picture can tell: every word of the condition is one image measurements decide, or the
    # embedder reads text against pictures
    readable = cross_modal or (bool(measured) and terms <= content_terms(" ".join(f.written for f in measured)))
    checked.pictures_read = readable
    for record in by_id.values():
        citation = _text_evidence(ctx, record, terms)
        threshold = CROSS_MODAL_MATCH if cross_modal else PIXEL_MATCH
        if citation is not None:
            checked.met.append((record, citation))
        elif readable and pictures.get(record.id, 0.0) >= threshold and record.views:
            checked.met.append((record, Citation(kind="prediction", artwork_id=record.id, field="picture",
                                                 quote=f"{condition}: {pictures[record.id]:.2f}",
                                                 source="image search (measured)" if not cross_modal
                                                 else f"image search ({ctx.collection.info.spec})")))
            checked.from_pictures.add(record.id)
        elif not (_has_text(ctx, record) or (readable and record.views)):
            checked.unchecked.append(record)
    ctx.step("search", {"condition": condition, "works": len(by_id)},
             f"{len(checked.met)} meet it, {len(checked.unchecked)} could not be checked")
    return checked
