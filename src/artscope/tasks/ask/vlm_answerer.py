"""A vision-language model as the answerer of ``ask``, by spec: ``vlm="adapter:DIR"`` (a model fine-tuned
by ``artscope train vlm --task qa``, e.g. ``heads/vlm-qa`` of the collection) or ``vlm="hf:ID"`` (any
image-text-to-text model as it is).

The model reads the image (the one asked about, else the artwork's stored image) and the question, and
answers greedily. Its answer is then held against the catalogue: when the record of the artwork states
the asked field, an answer that agrees with it cites the record, and an answer that contradicts it is
set aside for the record's own answer (with a note saying so); when no record states it, the answer is
given as the model's prediction, cited as such, with the probability the model gave it. Questions about
the whole collection (counts, lists) and questions without any image go to the model-free answerer.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image

from artscope.media.images import load_image
from artscope.metrics.answers import museum_precision_recall
from artscope.tasks.ask.context import AskContext, field_text, record_citation
from artscope.tasks.ask.model_free import answer_model_free
from artscope.tasks.ask.types import Answer, Citation, Flag
from artscope.vlm.inference import answer
from artscope.vlm.loading import cached_vlm
from artscope.vlm.store import read_adapter

log = logging.getLogger(__name__)

AGREES_CONFIDENCE = 0.9
"""The model's answer agrees with the catalogue record, which it cites."""


def _image(ctx: AskContext) -> Image.Image | None:
    """The image asked about, else the artwork's first image on disk (its file, or its thumbnail)."""
    if ctx.image is not None or ctx.record is None:
        return ctx.image
    for view in ctx.record.views:
        for path in (Path(view.uri), ctx.collection.thumbnail_path(view.id) if view.id is not None else None):
            if path is not None and path.is_file():
                return load_image(path)
    return None


def _source(spec: str) -> str:
    """The model, and for a fine-tuned adapter what it was trained on, for the citation."""
    if not spec.startswith("adapter:"):
        return f"vision-language model {spec}"
    meta = read_adapter(Path(spec.partition(":")[2]).expanduser())
    return f"vision-language model {meta.base} fine-tuned on {meta.data.get('source', 'unknown data')}"


def _against_record(ctx: AskContext, text: str, spec: str) -> Answer | None:
    """The answer checked against the record's value of the asked field: cited when they agree, the
    record's own answer when they do not, None when the record does not state it."""
    record = ctx.record
    if record is None:
        return None
    for name in ctx.classification.fields:
        stated = field_text(record, name)
        if not stated:
            continue
        value = record.field(name)
        match = museum_precision_recall(text, value if isinstance(value, list) else stated)
        if match["precision_partial"] > 0:
            return ctx.answer(f"{text}.", [record_citation(ctx.collection, record, name)],
                              AGREES_CONFIDENCE * ctx.certainty, answerer=spec)
        ctx.notes.append(f"The vision-language model answered “{text}”, which the catalogue record contradicts "
                         f"({name}: {stated}); the record's answer is given.")
        return answer_model_free(ctx)
    return None


def answer_with_vlm(ctx: AskContext, spec: str) -> Answer:
    """The model's answer to a question about one image, checked against the catalogue (see the module
    docstring)."""
    if ctx.classification.collection_level:
        ctx.notes.append("The vision-language model answers about one image; this question is about the "
                         "collection, so the records answered it.")
        return answer_model_free(ctx)
    image = _image(ctx)
    if image is None:
        ctx.notes.append("The vision-language model needs an image: give one, or name an artwork that has one.")
        return answer_model_free(ctx)
    reply = answer(cached_vlm(spec), [image], [ctx.question])[0]
    ctx.step("vlm", {"model": spec}, f"“{reply.text}” (probability {reply.probability:.2f})")
    if not reply.text:
        ctx.notes.append("The vision-language model gave no answer.")
        return answer_model_free(ctx)
    checked = _against_record(ctx, reply.text, spec)
    if checked is not None:
        return checked
    citation = Citation(kind="prediction", artwork_id=ctx.record.id if ctx.record else None,
                        field=ctx.classification.kind.value, source=_source(spec), quote=reply.text,
                        probability=round(reply.probability, 4))
    ctx.notes.append("Answered by the vision-language model from the image; no catalogue record states it.")
    return ctx.answer(f"{reply.text}.", [citation], reply.probability * ctx.certainty, flags=[Flag.PREDICTION],
                      answerer=spec)
