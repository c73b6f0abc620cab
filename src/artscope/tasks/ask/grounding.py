"""Grounding a language model: what it is told (the rules of grounded answering and worked examples
of good reasoning, which ArtSeek puts before the question, then the question with what is already
known about its artwork), and how its answer is checked: every ``[record:<artwork_id>.<field>]``,
``[passage:<id>]`` and ``[prediction:<artwork_id>.<field>]`` marker must point at something that
exists (a non-empty field of a real record, a real passage, a prediction the answerer actually
obtained). Markers that do not are removed from the text; the caller flags the answer, then checks
that what each sentence cites supports it (``support``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from artscope.errors import NotFoundError
from artscope.llm import Message, image_message
from artscope.tasks.ask.context import AskContext, field_text, passage_citation, record_citation
from artscope.tasks.ask.types import NOT_IN_RECORDS, Citation

RULES = f"""You answer questions about the artworks of one museum collection. You know nothing about the
collection except what your tools return: search (find artworks), passages (texts about artworks),
record (an artwork's catalogue record), attributes (predicted artist, style, genre, medium, period)
and aesthetics (measured visual qualities).

Rules:
1. Look things up before you answer. Use as few tool calls as you need.
2. Put a citation right after every claim: [record:<artwork_id>.<field>] for a field of a catalogue
   record, [passage:<passage_id>] for a passage, [prediction:<artwork_id>.<field>] for a prediction
   or a measurement (use "image" as the artwork_id for the user's own image). Cite only ids and
   fields that a tool returned to you. Every sentence is checked against what it cites: names,
   numbers and dates exactly as the source gives them, nothing the source does not say; a sentence
   that fails is removed.
3. Predictions and measurements are not facts: say "predicted" or "measured", with the probability.
4. No outside knowledge. If the tools do not give the answer, reply exactly: "{NOT_IN_RECORDS}" and
   say briefly what is missing.
5. Be brief. For a question about one field (title, artist, date, place, material...), start with the
   bare value, then one supporting sentence."""

EXAMPLES = """Examples of good answers.

Question: Who painted The Starry Night, and when?
Thought: Find the artwork, then read its record.
Call search {"query": "The Starry Night"} -> hits: starry-night "The Starry Night" ...
Call record {"artwork_id": "starry-night"} -> fields: artists ["Vincent van Gogh"], date "1889"
Answer: Vincent van Gogh [record:starry-night.artists], in 1889 [record:starry-night.date].

Question: Why is the harbour in "View of Delft" so calm?
Thought: The record will not say why; look for a passage about the painting.
Call passages {"query": "View of Delft harbour calm", "artwork_id": "view-of-delft"} -> passages: vd-p2
  "Vermeer painted the harbour on a windless morning, with the water as still as glass ..."
Answer: It shows a windless morning: the water lies still as glass [passage:vd-p2].

Question (with an image): What style is this?
Thought: The user's image matched no artwork, so only a prediction is possible.
Call attributes {} -> predictions: style "Impressionism" 0.71
Answer: Impressionism, predicted with probability 0.71 [prediction:image.style]. The work is probably
not in the collection."""


def _known(ctx: AskContext) -> list[str]:
    """What the answerer already knows about the question's artwork, as lines for the model."""
    lines = []
    identified = ctx.identified
    if identified is not None:
        if identified.in_collection:
            lines.append(f"The user's image shows artwork {identified.artwork_id} (“{identified.title}”): "
                         f"{identified.match} match, similarity {identified.similarity:.3f}.")
        else:
            lines.append("The user's image matched no artwork of the collection: the work is probably not in "
                         "it. Predictions about the image itself are still possible.")
    elif ctx.record is not None:
        lines.append(f"The question is about artwork {ctx.record.id} (“{ctx.record.title}”).")
    if ctx.foreign:
        lines.append(f"The question is in {ctx.language.name}: answer in {ctx.language.name}, search in any "
                     "language, and quote the tools' texts in their own language, untranslated.")
    return lines


def messages_for(ctx: AskContext, send_image: bool) -> list[Message]:
    """The system message (rules and examples) and the user's question, with the image if asked."""
    question = "\n".join([*_known(ctx), f"Question: {ctx.question}"])
    user: Message = image_message(question, ctx.image) if send_image and ctx.image is not None \
        else {"role": "user", "content": question}
    return [{"role": "system", "content": f"{RULES}\n\n{EXAMPLES}"}, user]


FINISH_NOW = ("You have used all your tool calls. Answer now from what the tools returned, citing it, or "
              f"reply \"{NOT_IN_RECORDS}\".")


# -- checking the answer's citations ---------------------------------------------------------
MARKER = re.compile(r"\s?\[(record|passage|prediction):\s*([^\]]+?)\s*\]")
_ORPHAN_SPACE = re.compile(r"\s+([.,;:!?])")


@dataclass
class CheckedText:
    text: str
    citations: list[Citation] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """The markers that pointed at nothing."""
    by_marker: dict[str, Citation] = field(default_factory=dict)
    """Each valid marker's citation."""


def _record(ctx: AskContext, target: str) -> Citation | None:
    artwork_id, _, name = target.rpartition(".")
    try:
        record = ctx.collection.catalog.get(artwork_id)
    except NotFoundError:
        return None
    if not name or not field_text(record, name):
        return None
    return record_citation(ctx.collection, record, name)


def _passage(ctx: AskContext, target: str) -> Citation | None:
    try:
        return passage_citation(ctx.collection.catalog.get_passage(target))
    except NotFoundError:
        return None


def _prediction(ctx: AskContext, target: str) -> Citation | None:
    """Valid when a tool returned that prediction or measurement during this answer."""
    artwork_id, _, name = target.rpartition(".")
    return ctx.obtained.get((artwork_id, name))


_CHECKS = {"record": _record, "passage": _passage, "prediction": _prediction}


def check_citations(ctx: AskContext, text: str) -> CheckedText:
    """The text without markers that point at nothing, and a citation for each valid marker."""
    checked = CheckedText(text=text)
    found: dict[str, Citation] = {}

    def keep_or_drop(match: re.Match[str]) -> str:
        kind, target = match.group(1), match.group(2)
        marker = f"[{kind}:{target}]"
        citation = found.get(marker) or _CHECKS[kind](ctx, target)
        if citation is None:
            checked.removed.append(marker)
            return ""
        found[marker] = citation
        return match.group(0)

    cleaned = MARKER.sub(keep_or_drop, text)
    checked.text = _ORPHAN_SPACE.sub(r"\1", cleaned).strip() if checked.removed else cleaned.strip()
    checked.citations = list(found.values())
    checked.by_marker = found
    return checked
