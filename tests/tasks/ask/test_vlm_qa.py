"""Fine-tuning a vision-language model on the collection's own questions (``artscope train vlm --task qa``)
and answering ``ask`` with it, on CPU with the suite's tiny random-init Llava.

The synthetic collection plants the answer in the pixels: each artist paints in one hue family. After a
few steps on "Who made this artwork?" about the training works, the model names the right artist for
held-out works, and as an answerer of ``ask`` its answer is cited to the record when the record agrees,
given as a labelled prediction for a work the collection does not hold, and set aside when the record
says otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artscope.collection import Collection
from artscope.errors import InvalidInputError
from artscope.tasks.ask.vlm_training import collection_examples, file_examples
from artscope.testing import SyntheticArtwork, copy_collection, draw_artwork
from artscope.vlm.store import read_adapter
from artscope.vlm.training import TrainOptions, VlmTrainReport

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FAST = TrainOptions(epochs=12, batch_size=8, learning_rate=2e-2, lora_rank=8, lora_alpha=16, lora_dropout=0.0)


def test_questions_come_from_records_and_passages(synthetic_collection: Collection) -> None:
    examples = collection_examples(synthetic_collection)
    first = {e.kind: e for e in examples if e.key.startswith("art-0000:")}
    record = synthetic_collection.catalog.get("art-0000")
    assert first["creator"].answer == "Ada Rossi" and first["title"].answer == record.title
    assert first["date"].answer == record.date and first["type"].answer == "painting"
    assert first["style"].answer == "stripes"  # the record's extra field, a museum-specific question
    assert first["description"].question == "Describe this artwork."
    assert first["description"].answer == record.description
    assert {e.split for e in examples} == {"train", "test"}
    assert all(e.split == first["creator"].split for e in examples if e.key.startswith("art-0000:"))
    only = collection_examples(synthetic_collection, ["creator"])
    assert {e.kind for e in only} == {"creator"} and len(only) == 48
    with pytest.raises(InvalidInputError, match="Unknown question kind"):
        collection_examples(synthetic_collection, ["colour"])


def test_a_museum_style_file_keeps_every_gold_answer(tmp_path: Path) -> None:
    lines = [{"id": "q1", "image": "a.png", "question": "Who made this?", "answers": ["Ada Rossi", "A. Rossi"],
              "category": "creator"},
             {"id": "q2", "question": "How many works?", "answer": "48"}]
    (tmp_path / "qa.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    examples, golds = file_examples(tmp_path / "qa.jsonl")
    assert [(e.key, e.answer, e.kind, Path(e.image).name) for e in examples] == [
        ("q1", "Ada Rossi", "creator", "a.png")]
    assert golds["q1"] == ("Ada Rossi", "A. Rossi")


@pytest.fixture(scope="module")
def trained(_built_synthetic: Path, tmp_path_factory: pytest.TempPathFactory, tiny_llava_dir: Path):
    import torch
    from typer.testing import CliRunner

    import artscope
    from artscope.cli.main import app

    torch.set_num_threads(1)
    path = copy_collection(_built_synthetic, tmp_path_factory.mktemp("qa") / "collection")
    options = [f"--{name.replace('_', '-')}={value}" for name, value in FAST.model_dump(exclude_defaults=True).items()]
    result = CliRunner().invoke(app, ["train", "vlm", "-c", str(path), "--base", f"hf:{tiny_llava_dir}", "--task", "qa",
                                      "--kinds", "creator", "--max-new-tokens", "4", *options, "--json"])
    assert result.exit_code == 0, result.output
    with artscope.open(path) as collection:
        yield collection, VlmTrainReport.model_validate_json(result.stdout)


def test_the_model_learns_the_artists_from_the_pixels(trained) -> None:
    _, report = trained
    assert report.epoch_losses[-1] < 0.6 * report.epoch_losses[0]
    assert report.metrics["exact_match.creator"] >= 0.8 and report.metrics["token_f1"] >= 0.8
    meta = read_adapter(Path(report.adapter_dir))
    assert meta.task == "qa" and meta.data["kinds"] == ["creator"] and meta.metrics == report.metrics


def test_the_adapter_answers_ask_checked_against_the_records(trained, tmp_path: Path) -> None:
    collection, report = trained
    spec = f"adapter:{report.adapter_dir}"

    # a work the collection does not hold: the answer is the model's labelled prediction
    stranger = SyntheticArtwork(id="new-0001", artist="Cai Verde", style="dots", genre="portrait", year=1900,
                                file="x.png")
    path = tmp_path / "stranger.png"
    draw_artwork(stranger, size=96, seed=4242).save(path)
    answer = collection.ask("Who made this artwork?", image=str(path), vlm=spec)
    assert answer.text.startswith("Cai Verde") and answer.answerer == spec
    assert answer.citations[0].kind == "prediction" and "fine-tuned" in answer.citations[0].source
    assert "uses-predictions" in answer.flags and 0 < answer.confidence <= answer.citations[0].probability

    # a work of the collection: the record agrees and is cited
    record = collection.catalog.get("art-0002")
    answer = collection.ask("Who made this artwork?", artwork_id=record.id, vlm=spec)
    assert answer.text.startswith(record.artists[0]) and answer.answerer == spec
    assert answer.citations[0].marker == "[record:art-0002.artists]" and answer.confidence == 0.9

    # a record that says otherwise wins over the model, with a note
    other = "Dora Gold" if record.artists != ["Dora Gold"] else "Ada Rossi"
    collection.edit_artwork(record.id, {"artists": [other]}, actor="test")
    answer = collection.ask("Who made this artwork?", artwork_id=record.id, vlm=spec)
    assert answer.text.startswith(other) and answer.answerer == "model-free"
    assert any("contradicts" in note for note in answer.notes)
