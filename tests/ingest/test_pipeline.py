"""Ingest end to end: counts, idempotency, dedupe, per-item errors, metadata updates (kills: test_crash)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

import artscope
from artscope.crashtest import write_sources
from artscope.index import IMAGES, PASSAGES, RECORDS
from artscope.ingest.indexer import ahead_of, embedded_texts, record_text
from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.base import SourceItem
from artscope.ingest.sources.wikidump import commons_url
from artscope.types import Passage


def test_ingest_counts_and_is_idempotent(synthetic_folder: Path, tmp_path: Path) -> None:
    with artscope.create(tmp_path / "c") as collection:
        first = collection.ingest([str(synthetic_folder)])
        assert (first.added, first.failed, first.images_indexed) == (48, 0, 48)
        assert first.passages == 8
        again = collection.ingest([str(synthetic_folder)])
        assert (again.added, again.updated, again.unchanged, again.images_indexed) == (0, 0, 48, 0)
        counts = collection.catalog.counts()
        assert counts == {"artworks": 48, "images": 48, "passages": 8, "pending": 0}
        assert collection.index.count(IMAGES) == 48 and collection.index.count(RECORDS) == 48
        assert collection.index.count(PASSAGES) == 8
        assert len(list((tmp_path / "c" / "thumbs").glob("*.jpg"))) == 48
        record = collection.catalog.get("art-0005")
        assert record.artists == ["Ben Blau"] and record.extra["style"] == "dots"


def test_same_image_from_a_second_source_is_a_duplicate_not_an_artwork(synthetic_folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(synthetic_folder / "images" / "art-0003.png", other / "renamed-copy.png")
    Image.new("RGB", (40, 30), (1, 2, 3)).save(other / "new.png")
    with artscope.create(tmp_path / "c") as collection:
        collection.ingest([str(synthetic_folder)])
        summary = collection.ingest([str(other)])
        assert (summary.added, summary.duplicates) == (1, 1)
        assert collection.catalog.count() == 49
        sources = collection.catalog.sources_of("art-0003")
        assert len(sources) == 2 and any("renamed-copy" in s["item_key"] for s in sources)


def test_corrupt_and_non_image_files_are_recorded_errors(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.new("RGB", (50, 40), (200, 10, 10)).save(folder / "good.jpg")
    (folder / "text-pretending.jpg").write_text("hello")
    data = (folder / "good.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(data[: len(data) // 3])
    with artscope.create(tmp_path / "c") as collection:
        summary = collection.ingest([str(folder)])
        assert summary.added == 1 and summary.failed == 2
        reasons = {e.key.rsplit("#", 1)[-1]: e.error for e in summary.errors}
        assert "not an image" in reasons["text-pretending.jpg"]
        assert "truncated" in reasons["truncated.jpg"] or "corrupt" in reasons["truncated.jpg"]
        assert len(collection.catalog.job(summary.job_id)["errors"]) == 2


def test_metadata_edits_reach_the_index_without_re_embedding(synthetic_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    shutil.copytree(synthetic_folder, folder)
    with artscope.create(tmp_path / "c") as collection:
        collection.ingest([str(folder)])
        rows = list(csv.DictReader((folder / "catalog.csv").open()))
        rows[0]["artist"] = "Renamed Painter"
        with (folder / "catalog.csv").open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        summary = collection.ingest([str(folder)])
        assert (summary.updated, summary.images_indexed) == (1, 0)
        assert collection.index.count(IMAGES, {"artist": "Renamed Painter"}) == 1
        assert collection.index.count(RECORDS, {"artist": "Renamed Painter"}) == 1


def test_files_outside_the_ingest_root_are_not_read(tmp_path: Path) -> None:
    from artscope.ingest.sources.base import SourceOptions

    root, outside = tmp_path / "root", tmp_path / "secret"
    root.mkdir()
    outside.mkdir()
    Image.new("RGB", (30, 30), (9, 9, 9)).save(outside / "private.png")
    Image.new("RGB", (30, 30), (200, 9, 9)).save(root / "public.png")
    (root / "catalog.csv").write_text(f"id,file,title\na,public.png,Public\nb,{outside / 'private.png'},Private\n"
                                      "c,../secret/private.png,Sneaky\n")
    with artscope.create(tmp_path / "c") as collection:
        summary = collection.ingest([str(root / "catalog.csv")], options=SourceOptions(root=root), kind="csv")
        assert summary.added == 1 and summary.failed == 2
        assert all("outside the ingest root" in e.error for e in summary.errors)
        assert [v.uri for r in collection.catalog.iter_records() for v in r.views] == [str(root / "public.png")]


def test_texts_a_stage_embedded_ahead_are_used_and_the_others_embedded_here(synthetic_collection) -> None:
    """A Ray stage sends back its texts' vectors; a text the writer finds changed (a record merged with one
    already there) is not among them and is embedded here, in its place."""
    ahead = np.full(synthetic_collection.info.text_dim, 0.5, dtype=np.float32)
    vectors = embedded_texts(synthetic_collection, ["a red harbour", "sent ahead", "a blue sky"], {"sent ahead": ahead})
    here = synthetic_collection.embedder.embed_texts(["a red harbour", "a blue sky"])
    assert np.array_equal(vectors[1], ahead)
    np.testing.assert_allclose(np.stack([vectors[0], vectors[2]]), here, atol=1e-6)


def test_a_source_run_again_gives_no_text_to_embed_again_but_a_changed_one(tmp_path: Path) -> None:
    """What a stage that embeds texts (Ray) is sent: the records and passages the catalog does not hold
    as they are; unchanged ones would be embedded for nothing."""
    sources = write_sources(tmp_path / "sources", images=2)
    with artscope.create(tmp_path / "c", embedder="builtin:nostyle") as collection:
        collection.ingest(sources[1:])
        records, passages = (list(open_source(location, SourceOptions())) for location in sources[1:])
        assert ahead_of(collection.catalog, records + passages).texts == []
        changed = Passage(id="t2", text="A wall text, rewritten.")
        assert ahead_of(collection.catalog, [*records, SourceItem(key="t2", passages=[changed])]).texts == [
            changed.text]
        records[3].record.title = "Record 3, retitled"
        assert ahead_of(collection.catalog, records).texts == [record_text(records[3].record)]


def test_the_images_passages_show_are_sent_ahead_until_they_are_embedded(
        tmp_path: Path, astronomer: tuple[str, SourceOptions]) -> None:
    """What a stage that embeds ahead (Ray) is sent of the images passages show: each once, those with
    somewhere to read them, until they are embedded (one that could not be read is tried again)."""
    dump, options = astronomer
    items = list(open_source(dump, options))
    assert options.image_dir is not None
    commons = "https://upload.wikimedia.org/wikipedia/commons"
    vermeer, galileo = ((file, str(options.image_dir / "a" / "ab" / file), commons_url(file, commons))
                        for file in ("JohannesVermeer-TheAstronomer(1668).jpg", "Galileo.arp.300pix.jpg"))
    with artscope.create(tmp_path / "c", embedder="builtin:nostyle") as collection:
        assert ahead_of(collection.catalog, items + items).pictures == [vermeer, galileo]
        collection.ingest([dump], options=options)
        assert ahead_of(collection.catalog, items).pictures == [galileo]
