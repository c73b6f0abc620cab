"""Predicted attributes and measurements as answers: always labelled, with their probability."""

from __future__ import annotations

from artscope.collection import Collection
from artscope.tasks.ask import Flag, ask
from artscope.tasks.attributes import AttributesConfig, train
from artscope.testing import SyntheticArtwork, draw_artwork


def test_an_image_outside_the_collection_gets_labelled_predictions(synthetic_collection: Collection) -> None:
    train(synthetic_collection, AttributesConfig(fields=["artist", "style", "genre"]))
    new = SyntheticArtwork(id="new-0001", artist="Ben Blau", style="dots", genre="portrait", year=1850,
                           file="")
    image = draw_artwork(new, seed=999)  # like the collection's works, but none of them

    answer = ask(synthetic_collection, "What genre is this painting?", image=image, llm=None)
    assert answer.identified is not None and not answer.identified.in_collection
    assert answer.text.startswith("portrait. Predicted genre, probability ")
    assert "not a statement of the collection's records" in answer.text
    assert {Flag.PREDICTION, Flag.NOT_IN_COLLECTION} <= set(answer.flags)
    citation = answer.citations[0]
    assert citation.kind == "prediction" and citation.field == "genre" and citation.quote == "portrait"
    assert citation.probability is not None and answer.confidence == citation.probability > 0.5
    assert "attributes model" in citation.source

    described = ask(synthetic_collection, "Describe this painting.", image=image, llm=None)
    assert described.text.startswith("Predicted and measured from the image, not from the collection's")
    assert "artist Ben Blau (probability" in described.text and "Dominant colours" in described.text
    assert all(c.kind == "prediction" for c in described.citations)
    assert {"artist", "style", "genre"} <= {c.field for c in described.citations}


def test_without_a_trained_head_a_prediction_is_simply_not_offered(synthetic_collection: Collection) -> None:
    image = draw_artwork(SyntheticArtwork(id="new-2", artist="Ada Rossi", style="checks", genre="landscape",
                                          year=1820, file=""), seed=5)
    answer = ask(synthetic_collection, "Who painted this?", image=image, llm=None)
    assert not answer.answered and "probably not in the collection" in answer.text
    attributes = next(s for s in answer.steps if s.tool == "attributes")
    assert attributes.error and "no attributes head" in attributes.error
