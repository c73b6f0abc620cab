"""The held-out question set: the model-free answerer on the bundled sample collection.

``benchmarks/ask_questions.jsonl`` holds questions written for this benchmark, of five kinds:
answerable from the records (``record``), from the descriptions and passages (``passage``), not
answerable from anything the collection holds (``unanswerable``), lists and counts with content
conditions (``condition``), and questions about a picture (``image``: the collection's own file, or a
simulated photo of it: cropped, shrunk, re-encoded). Each answer is judged:

* right and cited: it states an accepted answer and cites a record or passage that holds it (lists:
  every work that must be listed is, none that must not be; counts: the number first);
* refused: "not in the collection's records" (right for ``unanswerable``, missed otherwise);
* wrong: anything else, counted again among answers given with confidence >= 0.5 (goal: none).

    python benchmarks/ask.py                     # builds the sample collection in a temporary folder
    python benchmarks/ask.py --collection DIR    # reuses one built from src/artscope/demo/sample-collection
    python benchmarks/ask.py --details           # every question, its outcome and the answer
"""

from __future__ import annotations

import argparse
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

from PIL import Image
from sample import sample_collection

import artscope
from artscope.demo import SAMPLE_COLLECTION
from artscope.tasks.ask import Answer
from artscope.tasks.ask.text import stem, words

QUESTIONS = Path(__file__).with_name("ask_questions.jsonl")
CONFIDENT = 0.5
KINDS = ("record", "passage", "unanswerable", "condition", "image")


def photo_of(path: Path) -> bytes:
    """A simulated visitor's photo of a stored image: 8 % cropped off each side, 60 % size, JPEG 80."""
    with Image.open(path) as image:
        picture = image.convert("RGB")
    dx, dy = int(picture.width * 0.08), int(picture.height * 0.08)
    picture = picture.crop((dx, dy, picture.width - dx, picture.height - dy))
    picture = picture.resize((int(picture.width * 0.6), int(picture.height * 0.6)), Image.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _folded(text: str) -> str:
    """Folded, stemmed words: "Makrana marbles" states "marble"."""
    return " " + " ".join(stem(w) for w in words(text)) + " "


def _states(answer: Answer, accepted: list[str]) -> bool:
    text = _folded(answer.text)
    return any(_folded(a) in text for a in accepted)


def _cited(answer: Answer) -> set[str]:
    return {x for c in answer.citations for x in (c.artwork_id, c.passage_id) if x}


def judge(item: dict[str, Any], answer: Answer) -> str:
    """``right``, ``refused-right`` (an unanswerable question refused), ``refused`` or ``wrong``."""
    kind = item["kind"]
    if not answer.answered:
        return "refused-right" if kind == "unanswerable" or (kind == "condition" and not item["must"]) \
            else "refused"
    if kind == "unanswerable":
        return "wrong"
    if kind == "condition":
        listed = {c.artwork_id for c in answer.citations if c.kind == "record-field"}
        counted = "count" not in item or answer.text.startswith(f"{item['count']}.")
        ok = set(item["must"]) <= listed and not listed & set(item["must_not"]) and counted
        return "right" if ok else "wrong"
    return "right" if _states(answer, item["answers"]) and _cited(answer) & set(item["cites"]) else "wrong"


def run(collection: artscope.Collection, items: list[dict[str, Any]], details: bool) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        options: dict[str, Any] = {}
        if "image" in item:
            path = SAMPLE_COLLECTION / "images" / f"{item['image']}.jpg"
            options["image"] = photo_of(path) if item.get("photo") else path
        answer = collection.ask(item["question"], llm=None, **options)
        outcome = judge(item, answer)
        rows.append({"id": item["id"], "kind": item["kind"], "question": item["question"], "outcome": outcome,
                     "confidence": answer.confidence, "text": answer.text,
                     "citations": [c.marker for c in answer.citations]})
        if details:
            print(f"{item['id']:4} {outcome:13} {answer.confidence:.2f}  {item['question']}\n"
                  f"      {answer.text[:240]}\n      {[c.marker for c in answer.citations][:6]}")
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for kind in (*KINDS, "all"):
        chosen = [r for r in rows if kind in ("all", r["kind"])]
        counts = Counter(r["outcome"] for r in chosen)
        table[kind] = {"questions": len(chosen), "right and cited": counts["right"],
                       "refused (right)": counts["refused-right"], "refused (missed)": counts["refused"],
                       "wrong": counts["wrong"],
                       f"wrong at confidence >= {CONFIDENT}": sum(
                           1 for r in chosen if r["outcome"] == "wrong" and r["confidence"] >= CONFIDENT)}
    return table


def print_table(table: dict[str, dict[str, int]]) -> None:
    columns = list(next(iter(table.values())))
    print("| kind | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for kind, counts in table.items():
        print(f"| {kind} | " + " | ".join(str(counts[c]) for c in columns) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", type=Path, help="a collection built from the sample collection")
    parser.add_argument("--details", action="store_true", help="print every question and answer")
    parser.add_argument("--json", type=Path, help="write every answer and the summary to this file")
    args = parser.parse_args()
    items = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    with sample_collection(args.collection) as collection:
        rows = run(collection, items, args.details)
    table = summary(rows)
    print_table(table)
    if args.json:
        args.json.write_text(json.dumps({"summary": table, "answers": rows}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
