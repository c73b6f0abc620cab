"""The SQLite catalog: migrations, idempotent upserts, dedupe keys, BM25, passages and jobs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from artscope.catalog import Catalog, UpsertStatus
from artscope.catalog import catalog as catalog_module
from artscope.catalog.catalog import fts_query
from artscope.catalog.schema import MIGRATIONS, SCHEMA_VERSION, migrate
from artscope.errors import CollectionError, NotFoundError
from artscope.types import ArtworkRecord, ImageView, Passage


def _record(**kw: object) -> ArtworkRecord:
    data = {"id": "nw-1", "title": "The Night Watch", "artists": ["Rembrandt van Rijn"], "date": "1642",
            "year_start": 1642, "year_end": 1642, "medium": "oil on canvas", "extra": {"school": "Dutch"}}
    return ArtworkRecord(**(data | kw))


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    return Catalog(tmp_path / "catalog.sqlite")


def test_migrations_upgrade_an_old_catalog_and_keep_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(f"BEGIN; {MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
    conn.execute("INSERT INTO artworks (id, title, record_hash) VALUES ('x', 'Kept', 'h')")
    conn.commit()
    conn.close()
    catalog = Catalog(path)
    assert catalog.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert catalog.get("x").title == "Kept"
    assert catalog.conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0] == 0  # migration 2 ran


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "new.sqlite")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(CollectionError, match="Upgrade artscope"):
        migrate(conn)


def test_upsert_is_idempotent_and_detects_changes(catalog: Catalog) -> None:
    rowid, status = catalog.upsert_artwork(_record())
    assert status == UpsertStatus.ADDED
    assert catalog.upsert_artwork(_record()) == (rowid, UpsertStatus.UNCHANGED)
    assert catalog.upsert_artwork(_record(title="De Nachtwacht")) == (rowid, UpsertStatus.UPDATED)
    stored = catalog.get("nw-1")
    assert stored.title == "De Nachtwacht" and stored.extra == {"school": "Dutch"}
    assert catalog.count() == 1
    assert catalog.user_fields() == {"school": "keyword"}
    # the FTS row follows the update: the old title is gone, the new one is found
    assert catalog.search_artworks_bm25("Nachtwacht")[0][0] == rowid
    assert catalog.search_artworks_bm25("Night Watch") == []


def test_views_dedupe_by_content_hash(catalog: Catalog) -> None:
    rowid, _ = catalog.upsert_artwork(_record())
    view_id, new = catalog.add_view(rowid, ImageView(uri="/a.jpg", content_hash="abc"))
    assert new
    assert catalog.add_view(rowid, ImageView(uri="/copy-of-a.jpg", content_hash="abc")) == (view_id, False)
    assert catalog.view_by_hash("abc") == (view_id, "nw-1")
    assert [v.uri for v in catalog.get("nw-1").views] == ["/a.jpg"]


def test_bm25_ranks_title_and_artist_matches_first(catalog: Catalog) -> None:
    catalog.upsert_artwork(_record())
    catalog.upsert_artwork(ArtworkRecord(id="other", title="Portrait of a man",
                                         description="Painted in the manner of Rembrandt's pupils."))
    ranked = catalog.search_artworks_bm25("Rembrandt")
    ids = catalog.ids_for_rowids([r for r, _ in ranked])
    assert [ids[r] for r, _ in ranked] == ["nw-1", "other"]
    assert catalog.search_artworks_bm25('") OR * NEAR(') == []  # operators are quoted, never injected


def test_fts_query_quotes_terms() -> None:
    assert fts_query("Stormy sea, at NIGHT!") == '"stormy" OR "sea" OR "night"'
    assert fts_query("The Who") == '"the" OR "who"'  # all stopwords: keep them
    assert fts_query("  ") is None


def test_passages_and_lookup_errors(catalog: Catalog) -> None:
    passage = Passage(id="p1", artwork_id="nw-1", text="A militia company steps out of the dark.", source="wall")
    assert catalog.upsert_passage(passage)[1] == UpsertStatus.ADDED
    assert catalog.upsert_passage(passage)[1] == UpsertStatus.UNCHANGED
    assert catalog.passages_for("nw-1") == [passage]
    assert catalog.search_passages_bm25("militia")[0][0] == catalog.upsert_passage(passage)[0]
    with pytest.raises(NotFoundError, match="No artwork with id 'nope'"):
        catalog.get("nope")
    with pytest.raises(NotFoundError):
        catalog.get_passage("nope")


def test_jobs_record_items_and_errors(catalog: Catalog) -> None:
    catalog.start_job("j1", "ingest", {"locations": ["x"]})
    catalog.record_item("j1", "a", "added", artwork_id="a")
    catalog.record_item("j1", "b", "failed", error="b.jpg is corrupt")
    assert catalog.done_items("j1") == {"a"}
    catalog.finish_job("j1", "done", {"added": 1, "failed": 1})
    job = catalog.job("j1")
    assert job["state"] == "done" and job["counts"] == {"added": 1, "failed": 1}
    assert job["errors"] == [{"item_key": "b", "error": "b.jpg is corrupt"}]


def test_jobs_started_in_the_same_second_are_listed_newest_first(catalog: Catalog) -> None:
    for job_id in ("zz-first", "aa-second", "mm-third"):  # started_at counts whole seconds
        catalog.start_job(job_id, "train", {})
    catalog.conn.execute("UPDATE jobs SET started_at = '2026-12-07 12:00:00'")
    assert [job["id"] for job in catalog.jobs()] == ["mm-third", "aa-second", "zz-first"]


def test_transaction_rolls_back_everything(catalog: Catalog) -> None:
    with pytest.raises(RuntimeError), catalog.transaction():
        catalog.upsert_artwork(_record())
        raise RuntimeError("killed mid-batch")
    assert catalog.count() == 0


def test_bm25_leaves_out_terms_common_to_most_of_a_large_catalog(catalog: Catalog) -> None:
    with catalog.transaction():
        for i in range(6000):
            extra = " harbour" if i % 1000 == 0 else ""
            catalog.upsert_artwork(ArtworkRecord(id=f"a{i}", title=f"Oil painting number {i}{extra}"))
    assert catalog._selective_queries("artworks_fts", "oil painting of a harbour") == ['"harbour"']
    ranked = catalog.search_artworks_bm25("oil painting of a harbour")
    assert len(ranked) == 6 and all("harbour" in r.title for r in catalog.get_by_rowids([x for x, _ in ranked]))


def test_bm25_over_only_common_terms_ranks_the_records_that_have_them_all(catalog: Catalog) -> None:
    # "oil" and "painting" each in 90 % of 6,000 records, both in 80 %: ranking by the rarest alone would put
    # the shortest titles first, those with "oil" but no "painting"
    with catalog.transaction():
        for i in range(6000):
            words = [w for w, left_out in (("oil", i % 10 == 0), ("painting", i % 10 == 1)) if not left_out]
            catalog.upsert_artwork(ArtworkRecord(id=f"a{i}", title=" ".join([*words, f"number {i}"])))
    ranked = catalog.search_artworks_bm25("oil painting", limit=200)
    titles = [r.title for r in catalog.get_by_rowids([x for x, _ in ranked])]
    assert len(titles) == 200 and all("oil" in t and "painting" in t for t in titles)


def test_bm25_over_common_terms_never_found_together_falls_back_to_the_rarest(
        catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "COMMON_MIN", 10)
    with catalog.transaction():
        for i in range(100):
            catalog.upsert_artwork(ArtworkRecord(id=f"a{i}", title=f"{'red' if i < 55 else 'blue'} study {i}"))
    ranked = catalog.search_artworks_bm25("red blue")
    titles = [r.title for r in catalog.get_by_rowids([x for x, _ in ranked])]
    assert len(titles) == 45 and all(t.startswith("blue") for t in titles)


