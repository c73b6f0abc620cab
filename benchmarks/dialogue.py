"""Dialogue search: how many turns a simulated visitor needs to bring the work they have in mind to
the top, with the engine's questions against questions about a random field.

Every one of the sample collection's 70 works is the target once. The visitor opens with the kind of
object only ("a painting", "a building"), then answers each question truthfully from the target's
record: the option that names its value (for a place, the option may name one part of it, such as
the country), "before"/"after" a year, "none of these" when the record has a value none of the options
names and the question offers that answer, and "skip" when the record has no value. A target counts
as found at the first turn where it is the top result (and, separately, in the top 3); a session ends
after ``--turns`` answers or when no question is left.

    python benchmarks/dialogue.py                     # builds the sample collection in a temporary folder
    python benchmarks/dialogue.py --collection DIR    # reuses one built from src/artscope/demo/sample-collection
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sample import sample_collection

import artscope
from artscope.tasks.ask.text import fold
from artscope.tasks.search import dialogue
from artscope.tasks.search.dialogue import answer_dialogue, start_dialogue
from artscope.tasks.search.questions import GROUPED, MAX_OPTIONS, NONE_OF_THESE, Question, hit_values
from artscope.types import ArtworkRecord

NONE_ANSWERS = ("none of these", "none of the above", "other", "something else")


def _values(record: ArtworkRecord, field: str) -> list[str]:
    value = record.payload().get(field)
    if value in (None, [], ""):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _names(option: str, value: str) -> bool:
    """True when an option names the value, or one comma-separated part of it ("France")."""
    parts = [value, *(p.strip() for p in value.split(","))]
    return fold(option).strip() in {fold(p) for p in parts if p}


def visitor_answer(target: ArtworkRecord, question: Any) -> str:
    """What a visitor who knows the target's record answers."""
    options = list(question.options)
    if question.field == "year":
        year = target.year_start
        if year is None:
            return "skip"
        for option in options:
            number = re.search(r"\d{3,4}", option)
            earlier = option.startswith(("before", "until")) or "earlier" in option
            if number and earlier == (year < int(number.group(0))):
                return option
        return "skip"
    values = _values(target, question.field)
    if not values:
        return "skip"
    for option in options:
        if any(_names(option, v) for v in values):
            return option
    return next((o for o in options if fold(o) in NONE_ANSWERS), "skip")


def opening(target: ArtworkRecord) -> str:
    return f"a {target.type}" if target.type else "an artwork"


def session(collection: artscope.Collection, target: ArtworkRecord, turns: int) -> tuple[int | None, int | None]:
    """(answers given until the target is first, ... until it is in the top 3); None when never."""
    turn = start_dialogue(collection, text=opening(target), limit=10)
    first = top3 = None
    for answered in range(turns + 1):
        ids = [h.artwork.id for h in turn.hits]
        if top3 is None and target.id in ids[:3]:
            top3 = answered
        if ids[:1] == [target.id]:
            first = answered
            break
        if turn.question is None or answered == turns:
            break
        turn = answer_dialogue(collection, turn.session_id, visitor_answer(target, turn.question), limit=10)
    return first, top3


def random_question(rng: random.Random, hits: list[Any], field: str) -> Question | None:
    """A question about the field with options drawn at random among the candidates' values."""
    if field == "year":
        years = sorted({h.artwork.year_start for h in hits if h.artwork.year_start is not None})
        if len(years) < 2:
            return None
        pivot = rng.choice(years[1:])
        return Question(field="year", text="When?", options=[f"before {pivot}", f"{pivot} or later"], gain=0.0)
    values = sorted({v for h in hits for v in hit_values(h, field, GROUPED.get(field))})
    if len(values) < 2:
        return None
    options = rng.sample(values, min(MAX_OPTIONS, len(values)))
    return Question(field=field, text="Which?", options=[*options, NONE_OF_THESE], gain=0.0)


@contextmanager
def random_questions(seed: int, options: bool) -> Iterator[None]:
    """Baselines: a field drawn at random among those the engine could ask, with the engine's options
    for it (``options`` False) or with options drawn at random too."""
    chooser: Callable[..., Any] = dialogue.choose_question
    rng = random.Random(seed)

    def choose(hits: list[Any], asked: set[str], known_fields: Any, *rest: Any, **kw: Any) -> Any:
        fields = sorted(set(known_fields) - asked)
        rng.shuffle(fields)
        for field in fields:
            question = random_question(rng, hits, field) if options else chooser(hits, asked, [field], *rest, **kw)
            if question is not None:
                return question
        return None

    dialogue.choose_question = choose
    try:
        yield
    finally:
        dialogue.choose_question = chooser


def report(name: str, results: list[tuple[int | None, int | None]], turns: int) -> dict[str, Any]:
    firsts = [f for f, _ in results]
    found = [f for f in firsts if f is not None]
    capped = [f if f is not None else turns + 1 for f in firsts]
    top3 = [t for _, t in results if t is not None]
    row = {"questions": name, "targets": len(results), "found first": len(found),
           "found in top 3": len(top3), "mean answers to first (not found = turns + 1)": statistics.mean(capped),
           "median answers to first": statistics.median(capped)}
    print(" | ".join(f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}" for k, v in row.items()))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, help="a collection built from the sample collection")
    parser.add_argument("--turns", type=int, default=8, help="answers a visitor gives at most")
    parser.add_argument("--seeds", type=int, default=3, help="runs of the random baseline")
    args = parser.parse_args()
    with sample_collection(args.collection) as collection:
        targets = list(collection.catalog.iter_records())
        report("engine", [session(collection, t, args.turns) for t in targets], args.turns)
        for options, name in ((False, "random field, engine's options"), (True, "random questions")):
            for seed in range(args.seeds):
                with random_questions(seed, options):
                    report(f"{name} (seed {seed})", [session(collection, t, args.turns) for t in targets],
                           args.turns)


if __name__ == "__main__":
    main()
