"""Curators' writes through the Python API: record edits that reach the index, deletions of an artwork
with everything it owns (all or nothing, finished after a crash), passage deletions, the audit log."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import artscope
from artscope.collection import Collection
from artscope.errors import InvalidInputError, NotFoundError
from artscope.heads.store import StoredPrediction, read_predictions, write_predictions
from artscope.index import IMAGES, PASSAGES, RECORDS
from artscope.ingest.indexer import index_pending


def points(collection: Collection, artwork_id: str) -> dict[str, list[int]]:
    """The index points an artwork has in each space (by its catalog row ids)."""
    conn = collection.catalog.conn
    rowid = collection.catalog.rowid_of(artwork_id)
    views = [r[0] for r in conn.execute("SELECT rowid FROM views WHERE artwork_rowid = ?", (rowid,))]
    passages = collection.catalog.passage_rowids_for(artwork_id)
    index = collection.index
    return {"images": [h.id for h in index.retrieve(IMAGES, views)],
            "records": [h.id for h in index.retrieve(RECORDS, [rowid])],
            "passages": [h.id for h in index.retrieve(PASSAGES, passages)]}


def predict(collection: Collection, artwork_id: str) -> None:
    write_predictions(collection.catalog, [StoredPrediction(artwork_id=artwork_id, task="attributes",
                                                            field="style", value="dots", model="m", version="1")])


def test_an_edit_reaches_the_catalog_the_text_search_and_the_index(synthetic_collection: Collection) -> None:
    collection = synthetic_collection
    record = collection.edit_artwork("art-0001", {"title": "Zanzibar harbour", "artists": ["Cleo Weiss"],
                                                  "date": "c. 1650", "extra": {"room": "12"}}, actor="alice")
    assert (record.title, record.artists, record.year_start, record.extra["room"]) == \
        ("Zanzibar harbour", ["Cleo Weiss"], 1650, "12")
    assert collection.catalog.get("art-0001").title == "Zanzibar harbour"
    assert collection.catalog.search_artworks_bm25("zanzibar")[0][0] == collection.catalog.rowid_of("art-0001")
    image_ids = [v.id for v in record.views]
    payloads = [h.payload for h in collection.index.retrieve(IMAGES, image_ids)]
    assert payloads and all(p["artist"] == ["Cleo Weiss"] and p["year"] == 1650 for p in payloads)
    [entry] = collection.audit()
    assert (entry.actor, entry.action, entry.target) == ("alice", "artwork.edit", "art-0001")
    assert entry.details["changes"]["title"]["to"] == "Zanzibar harbour"
    assert set(entry.details["changes"]) == {"title", "artists", "date", "year_start", "year_end", "extra"}
    assert collection.catalog.counts()["pending"] == 0


def test_an_extra_key_set_to_none_is_removed_and_no_change_is_not_logged(synthetic_collection: Collection) -> None:
    collection = synthetic_collection
    collection.edit_artwork("art-0002", {"extra": {"room": "3"}}, actor="alice")
    assert "room" not in collection.edit_artwork("art-0002", {"extra": {"room": None}}, actor="bob").extra
    collection.edit_artwork("art-0002", {"title": collection.catalog.get("art-0002").title}, actor="carol")
    assert [e.actor for e in collection.audit(target="art-0002")] == ["bob", "alice"]


@pytest.mark.parametrize(("changes", "error"), [
    ({"id": "other"}, InvalidInputError), ({"views": []}, InvalidInputError),
    ({"artists": "not a list"}, InvalidInputError), ({"year_start": "soon"}, InvalidInputError),
    # what an ingest refuses: an edit stored it (inf and NaN then failed in the index, the catalog changed)
    ({"extra": {"room": float("inf")}}, InvalidInputError), ({"extra": {"room": float("nan")}}, InvalidInputError),
    ({"extra": {"room": 2**64}}, InvalidInputError), ({"title": "a\ud800b"}, InvalidInputError),
    ({"year_start": 10_000}, InvalidInputError)])
def test_bad_edits_change_nothing(synthetic_collection: Collection, changes: dict, error: type) -> None:
    before = synthetic_collection.catalog.get("art-0003")
    with pytest.raises(error):
        synthetic_collection.edit_artwork("art-0003", changes, actor="alice")
    assert synthetic_collection.catalog.get("art-0003") == before and synthetic_collection.audit() == []


def test_an_edited_year_range_written_backwards_is_turned_round_as_an_ingest_does(
        synthetic_collection: Collection) -> None:
    edited = synthetic_collection.edit_artwork("art-0003", {"year_start": 1900, "year_end": 1850}, actor="alice")
    assert (edited.year_start, edited.year_end) == (1850, 1900)


def test_an_unknown_artwork_cannot_be_edited_or_deleted(synthetic_collection: Collection) -> None:
    with pytest.raises(NotFoundError):
        synthetic_collection.edit_artwork("nope", {"title": "x"}, actor="alice")
    with pytest.raises(NotFoundError):
        synthetic_collection.delete_artwork("nope", actor="alice")
    with pytest.raises(NotFoundError):
        synthetic_collection.delete_passage("nope", actor="alice")


def test_a_deleted_artwork_leaves_nothing_behind(synthetic_collection: Collection) -> None:
    collection = synthetic_collection
    predict(collection, "art-0000")
    owned = points(collection, "art-0000")
    assert owned["images"] and owned["records"] and owned["passages"]
    thumbs = [collection.thumbnail_path(i) for i in owned["images"]]
    assert all(t.is_file() for t in thumbs)
    before = collection.catalog.counts()
    collection.delete_artwork("art-0000", actor="alice")
    with pytest.raises(NotFoundError):
        collection.catalog.get("art-0000")
    assert collection.catalog.passages_for("art-0000") == [] and read_predictions(collection.catalog, "art-0000") == []
    index = collection.index
    assert index.retrieve(IMAGES, owned["images"]) == [] and index.retrieve(RECORDS, owned["records"]) == []
    assert index.retrieve(PASSAGES, owned["passages"]) == []
    assert not any(t.exists() for t in thumbs)
    after = collection.catalog.counts()
    assert (before["artworks"] - after["artworks"], before["passages"] - after["passages"]) == (1, 1)
    assert "art-0000" not in {h.artwork.id for h in collection.search("Landscape in red no. 0000", limit=48).hits}
    [entry] = collection.audit()
    assert (entry.action, entry.details["images"], entry.details["passages"], entry.details["predictions"]) == \
        ("artwork.delete", len(owned["images"]), 1, 1)


def test_a_deletion_that_fails_in_the_index_deletes_nothing(synthetic_collection: Collection,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    collection = synthetic_collection
    owned = points(collection, "art-0000")
    store = collection.index
    real_delete = store.delete

    def failing_delete(space: str, ids: list[int]) -> None:
        if space == RECORDS:  # the images and passages are already gone from the index by now
            raise OSError("disk full")
        real_delete(space, ids)

    monkeypatch.setattr(store, "delete", failing_delete)
    with pytest.raises(OSError, match="disk full"):
        collection.delete_artwork("art-0000", actor="alice")
    monkeypatch.undo()
    assert collection.catalog.get("art-0000").views and collection.catalog.passages_for("art-0000")
    assert collection.audit() == []
    assert collection.catalog.counts()["pending"] > 0  # to be embedded again
    index_pending(collection, {})
    assert points(collection, "art-0000") == owned


def test_a_deletion_killed_half_way_is_finished_on_the_next_open(synthetic_collection: Collection) -> None:
    path = synthetic_collection.path
    owned = points(synthetic_collection, "art-0004")
    synthetic_collection.close()
    # the process dies after the index points are gone, before the catalog rows are
    script = textwrap.dedent(f"""
        import os
        import artscope
        from artscope.catalog import curation
        curation.delete_rows = lambda *args: os._exit(9)
        artscope.open({str(path)!r}).delete_artwork("art-0004", actor="alice")
    """)
    assert subprocess.run([sys.executable, "-c", script], timeout=300).returncode == 9
    with artscope.open(path) as collection:
        assert collection.catalog.get("art-0004")  # the rows survived the kill ...
        collection.index  # noqa: B018  (... and opening the index finishes the deletion)
        with pytest.raises(NotFoundError):
            collection.catalog.get("art-0004")
        assert collection.index.retrieve(IMAGES, owned["images"]) == []
        assert [e.action for e in collection.audit()] == ["artwork.delete"]


def test_a_passage_is_deleted_with_its_vector(synthetic_collection: Collection) -> None:
    collection = synthetic_collection
    [passage] = collection.catalog.passages_for("art-0000")
    rowid = collection.catalog.passage_rowids_for("art-0000")[0]
    collection.delete_passage(passage.id, actor="bob")
    with pytest.raises(NotFoundError):
        collection.catalog.get_passage(passage.id)
    assert collection.index.retrieve(PASSAGES, [rowid]) == []
    assert rowid not in {r for r, _ in collection.catalog.search_passages_bm25(passage.text)}
    assert collection.catalog.get("art-0000")  # the artwork stays
    assert [(e.actor, e.action, e.target) for e in collection.audit()] == [("bob", "passage.delete", passage.id)]


def test_the_audit_log_pages_latest_first(synthetic_collection: Collection) -> None:
    collection = synthetic_collection
    for i in range(5):
        collection.log_write("alice", "job.ingest", f"job-{i}", {"sources": i})
    assert [e.target for e in collection.audit(limit=2)] == ["job-4", "job-3"]
    assert [e.target for e in collection.audit(limit=2, offset=3)] == ["job-1", "job-0"]
    assert collection.audit()[0].at.endswith("Z")
