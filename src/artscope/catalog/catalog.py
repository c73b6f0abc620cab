"""SQLite catalog. One connection per thread (WAL: readers never block the writer)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from artscope.catalog.schema import migrate
from artscope.errors import NotFoundError
from artscope.types import TEXT_FIELDS, ArtworkRecord, ImageView, Passage, PassageImage

_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "how",
                       "in", "into", "is", "it", "its", "of", "on", "or", "that", "the", "these", "this",
                       "those", "to", "was", "were", "what", "when", "where", "which", "who", "whom", "whose",
                       "why", "with"))


class UpsertStatus(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


COMMON_SHARE, COMMON_MIN = 0.2, 5000
"""A query term found in more than this share of the records, and in more than this many, is left
out of BM25: its weight is near zero, yet ranking its matches dominates the query's cost (157 ms
for a term in 95 % of 100k records, against 4 ms to count them first). A query of only such terms
ranks the records that have them all."""


def query_terms(text: str) -> list[str]:
    """A user's words as FTS terms: lower case, stopwords dropped (unless nothing else is left)."""
    words = _FTS_TOKEN.findall(text.lower())
    terms = [t for t in words if t not in STOPWORDS and (len(t) > 1 or t.isdigit())] or words
    return list(dict.fromkeys(terms))


def fts_query(text: str | list[str]) -> str | None:
    """An FTS5 OR-query of quoted terms (no operator injection)."""
    terms = query_terms(text) if isinstance(text, str) else text
    return " OR ".join(f'"{t}"' for t in terms) or None


def record_hash(record: ArtworkRecord) -> str:
    data = record.model_dump(exclude={"views"})
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class Catalog:
    """Artworks, views (images), sources, passages, FTS5, jobs and predictions."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._known_fields: set[str] = set()
        migrate(self.conn)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: an ingest batch stays in memory until its commit
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: commits on success, rolls back on any exception."""
        conn = self.conn
        if conn.in_transaction:  # nested: join the outer transaction
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[sqlite3.Connection]:
        """Inside a transaction, a part that an exception undoes on its own (one ingested item)."""
        conn = self.conn
        conn.execute("SAVEPOINT item")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO SAVEPOINT item")
            conn.execute("RELEASE SAVEPOINT item")
            raise
        conn.execute("RELEASE SAVEPOINT item")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- artworks ---------------------------------------------------------------------------
    def upsert_artwork(self, record: ArtworkRecord) -> tuple[int, UpsertStatus]:
        """Insert or update a record (metadata only; views are added with ``add_view``)."""
        digest = record_hash(record)
        row = self.conn.execute("SELECT rowid, record_hash FROM artworks WHERE id = ?", (record.id,)).fetchone()
        values = {name: getattr(record, name) for name in TEXT_FIELDS}
        values.update(artists=json.dumps(record.artists), subjects=json.dumps(record.subjects),
                      extra=json.dumps(record.extra, default=str), year_start=record.year_start,
                      year_end=record.year_end, record_hash=digest)
        with self.transaction() as conn:
            if row is None:
                cols = ", ".join(["id", *values])
                marks = ", ".join("?" * (len(values) + 1))
                rowid = conn.execute(f"INSERT INTO artworks ({cols}) VALUES ({marks})",
                                     [record.id, *values.values()]).lastrowid
                status = UpsertStatus.ADDED
            elif row["record_hash"] == digest:
                return int(row["rowid"]), UpsertStatus.UNCHANGED
            else:
                rowid = int(row["rowid"])
                sets = ", ".join(f"{k} = ?" for k in values)
                conn.execute(f"UPDATE artworks SET {sets}, state = 'pending', updated_at = datetime('now') "
                             "WHERE rowid = ?", [*values.values(), rowid])
                conn.execute("DELETE FROM artworks_fts WHERE rowid = ?", (rowid,))
                status = UpsertStatus.UPDATED
            conn.execute("INSERT INTO artworks_fts (rowid, title, artists, body) VALUES (?, ?, ?, ?)",
                         (rowid, record.title or "", " ".join(record.artists), record.text()))
            if not record.extra.keys() <= self._known_fields:
                # read again, not added to: a rolled-back item must not leave its fields out of the table
                self._known_fields = {r[0] for r in conn.execute("SELECT name FROM fields")}
                for key, value in record.extra.items():
                    if key not in self._known_fields:
                        kind = "number" if isinstance(value, int | float) and not isinstance(value, bool) \
                            else "keyword"
                        conn.execute("INSERT OR IGNORE INTO fields (name, kind) VALUES (?, ?)", (key, kind))
        return int(rowid), status

    def add_view(self, artwork_rowid: int, view: ImageView) -> tuple[int, bool]:
        """Attach an image; returns (view id, True if new). Same content hash = same view. An image
        that could not be read before (``add_failed_view``) is filled in where it was."""
        waiting = self.conn.execute("SELECT rowid FROM views WHERE artwork_rowid = ? AND uri = ? AND state = 'failed'",
                                    (artwork_rowid, view.uri)).fetchone()
        if view.content_hash:
            row = self.conn.execute("SELECT rowid FROM views WHERE content_hash = ?",
                                    (view.content_hash,)).fetchone()
            if row:
                if waiting:  # it was waiting for an image the collection has
                    self.conn.execute("DELETE FROM views WHERE rowid = ?", (waiting[0],))
                return int(row["rowid"]), False
        if waiting:
            self.conn.execute("UPDATE views SET content_hash = ?, dhash = ?, label = ?, width = ?, height = ?, "
                              "state = 'pending', error = NULL WHERE rowid = ?",
                              (view.content_hash, view.dhash, view.label, view.width, view.height, waiting[0]))
            return int(waiting[0]), True
        with self.transaction() as conn:
            position = conn.execute("SELECT COUNT(*) FROM views WHERE artwork_rowid = ?",
                                    (artwork_rowid,)).fetchone()[0]
            rowid = conn.execute(
                "INSERT INTO views (artwork_rowid, position, uri, content_hash, dhash, label, width, height) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (artwork_rowid, position, view.uri, view.content_hash, view.dhash, view.label, view.width,
                 view.height),
            ).lastrowid
        return int(rowid), True

    def add_failed_view(self, artwork_rowid: int, view: ImageView, error: str) -> None:
        """Remember an image that could not be read (a server down, a broken file): it stays out of the
        index, and ingesting its source again tries it again."""
        updated = self.conn.execute(
            "UPDATE views SET error = ? WHERE artwork_rowid = ? AND uri = ? AND state = 'failed'",
            (error, artwork_rowid, view.uri)).rowcount
        if not updated:
            position = self.conn.execute("SELECT COUNT(*) FROM views WHERE artwork_rowid = ?",
                                         (artwork_rowid,)).fetchone()[0]
            self.conn.execute("INSERT INTO views (artwork_rowid, position, uri, label, state, error) "
                              "VALUES (?, ?, ?, ?, 'failed', ?)",
                              (artwork_rowid, position, view.uri, view.label, error))

    def failed_views(self, artwork_id: str) -> list[tuple[str, str]]:
        """(address, error) of an artwork's images that could not be read yet."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT v.uri, v.error FROM views v JOIN artworks a ON a.rowid = v.artwork_rowid "
            "WHERE a.id = ? AND v.state = 'failed' ORDER BY v.position", (artwork_id,))]

    def view_by_hash(self, content_hash: str) -> tuple[int, str] | None:
        """(view id, artwork id) of an image already in the collection."""
        row = self.conn.execute(
            "SELECT v.rowid, a.id FROM views v JOIN artworks a ON a.rowid = v.artwork_rowid "
            "WHERE v.content_hash = ?", (content_hash,)).fetchone()
        return (int(row[0]), row[1]) if row else None

    def add_source(self, artwork_rowid: int, source: str, item_key: str, uri: str | None = None) -> None:
        self.conn.execute("INSERT OR IGNORE INTO sources (artwork_rowid, source, item_key, uri) "
                          "VALUES (?, ?, ?, ?)", (artwork_rowid, source, item_key, uri))

    def sources_of(self, artwork_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT s.source, s.item_key, s.uri, s.added_at FROM sources s "
            "JOIN artworks a ON a.rowid = s.artwork_rowid WHERE a.id = ? ORDER BY s.added_at", (artwork_id,))
        return [dict(r) for r in rows]

    def _record(self, row: sqlite3.Row, views: list[ImageView]) -> ArtworkRecord:
        data = {name: row[name] for name in TEXT_FIELDS}
        return ArtworkRecord(id=row["id"], artists=json.loads(row["artists"]),
                             subjects=json.loads(row["subjects"]), extra=json.loads(row["extra"]),
                             year_start=row["year_start"], year_end=row["year_end"], views=views, **data)

    def _views(self, rowids: Sequence[int]) -> dict[int, list[ImageView]]:
        out: dict[int, list[ImageView]] = {r: [] for r in rowids}
        for chunk in _chunks(list(rowids), 500):
            marks = ",".join("?" * len(chunk))
            for v in self.conn.execute(
                    f"SELECT * FROM views WHERE artwork_rowid IN ({marks}) AND state != 'failed' "
                    "ORDER BY artwork_rowid, position", chunk):
                out[v["artwork_rowid"]].append(ImageView(id=v["rowid"], uri=v["uri"], label=v["label"],
                                                         content_hash=v["content_hash"], dhash=v["dhash"],
                                                         width=v["width"], height=v["height"]))
        return out

    def get(self, artwork_id: str) -> ArtworkRecord:
        records = self.get_many([artwork_id])
        if not records:
            raise NotFoundError(f"No artwork with id {artwork_id!r} in this collection.")
        return records[0]

    def get_many(self, artwork_ids: Sequence[str]) -> list[ArtworkRecord]:
        """Records in the order asked (ids not found are left out)."""
        rows: dict[str, sqlite3.Row] = {}
        for chunk in _chunks(list(artwork_ids), 500):
            marks = ",".join("?" * len(chunk))
            rows.update({r["id"]: r for r in self.conn.execute(
                f"SELECT * FROM artworks WHERE id IN ({marks})", chunk)})
        views = self._views([r["rowid"] for r in rows.values()])
        return [self._record(rows[i], views[rows[i]["rowid"]]) for i in artwork_ids if i in rows]

    def _rows_in(self, sql: str, keys: Sequence[Any]) -> Iterator[sqlite3.Row]:
        """The rows of ``sql``, whose ``IN ({marks})`` takes ``keys`` (asked 500 at a time)."""
        for chunk in _chunks(list(keys), 500):
            yield from self.conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)

    def existing(self, artwork_ids: Sequence[str]) -> set[str]:
        """The ids among ``artwork_ids`` that name an artwork here (cheaper than ``get_many``)."""
        return {r[0] for r in self._rows_in("SELECT id FROM artworks WHERE id IN ({marks})", artwork_ids)}

    def unchanged_records(self, records: Sequence[ArtworkRecord]) -> set[str]:
        """The ids of ``records`` the catalog holds exactly as given (upserting them would change nothing)."""
        stored = dict(self._rows_in("SELECT id, record_hash FROM artworks WHERE id IN ({marks})",
                                    [r.id for r in records]))
        return {r.id for r in records if stored.get(r.id) == record_hash(r)}

    def get_by_rowids(self, rowids: Sequence[int]) -> list[ArtworkRecord]:
        ids = self.ids_for_rowids(rowids)
        return self.get_many([ids[r] for r in rowids if r in ids])

    def ids_for_rowids(self, rowids: Sequence[int]) -> dict[int, str]:
        return dict(self._rows_in("SELECT rowid, id FROM artworks WHERE rowid IN ({marks})", rowids))

    def rowid_of(self, artwork_id: str) -> int:
        row = self.conn.execute("SELECT rowid FROM artworks WHERE id = ?", (artwork_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No artwork with id {artwork_id!r} in this collection.")
        return int(row[0])

    def iter_records(self, batch: int = 500, where: str = "1", params: Sequence[Any] = ()) -> Iterator[ArtworkRecord]:
        last = 0
        while True:
            rows = self.conn.execute(f"SELECT * FROM artworks WHERE rowid > ? AND ({where}) ORDER BY rowid "
                                     f"LIMIT {int(batch)}", [last, *params]).fetchall()
            if not rows:
                return
            views = self._views([r["rowid"] for r in rows])
            for r in rows:
                yield self._record(r, views[r["rowid"]])
            last = rows[-1]["rowid"]

    def artworks_titled(self, title: str, limit: int = 2) -> list[tuple[str, list[str]]]:
        """(id, artists) of the records with this title, ignoring case (an index serves it)."""
        return [(r[0], json.loads(r[1])) for r in self.conn.execute(
            "SELECT id, artists FROM artworks WHERE title = ? COLLATE NOCASE LIMIT ?", (title, limit))]

    def artwork_texts_containing(self, fragment: str) -> Iterator[tuple[str, str]]:
        """(id, extra fields as JSON text) of the records whose extra fields contain ``fragment``."""
        for row in self.conn.execute("SELECT id, extra FROM artworks WHERE instr(extra, ?) > 0", (fragment,)):
            yield row[0], row[1]

    def page(self, offset: int, limit: int) -> list[ArtworkRecord]:
        """Records ``offset`` to ``offset + limit - 1`` in the order they were added."""
        rows = self.conn.execute("SELECT * FROM artworks ORDER BY rowid LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        views = self._views([r["rowid"] for r in rows])
        return [self._record(r, views[r["rowid"]]) for r in rows]

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM artworks").fetchone()[0])

    def counts(self) -> dict[str, int]:
        one = self.conn.execute
        return {
            "artworks": one("SELECT COUNT(*) FROM artworks").fetchone()[0],
            "images": one("SELECT COUNT(*) FROM views WHERE state = 'indexed'").fetchone()[0],
            "passages": one("SELECT COUNT(*) FROM passages").fetchone()[0],
            "pending": one("SELECT (SELECT COUNT(*) FROM artworks WHERE state = 'pending') + "
                           "(SELECT COUNT(*) FROM views WHERE state = 'pending') + "
                           "(SELECT COUNT(*) FROM passages WHERE state = 'pending') + "
                           "(SELECT COUNT(*) FROM passage_images WHERE state = 'pending')").fetchone()[0],
        }

    def pending_counts(self) -> dict[str, int]:
        """Rows not yet in the index, per table (``artworks``, ``views``, ``passages``)."""
        return {table: self.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE state = 'pending'").fetchone()[0]
                for table in ("artworks", "views", "passages")}

    def user_fields(self) -> dict[str, str]:
        """Fields beyond the well-known ones that records carry, with their kind."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT name, kind FROM fields ORDER BY name")}

    # -- index state ------------------------------------------------------------------------
    def pending_views(self, limit: int = 256) -> list[tuple[int, int, str]]:
        """(view id, artwork rowid, uri) of images not yet in the index."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT rowid, artwork_rowid, uri FROM views WHERE state = 'pending' ORDER BY rowid LIMIT ?",
            (limit,))]

    def pending_artworks(self, limit: int = 256) -> list[int]:
        return [r[0] for r in self.conn.execute(
            "SELECT rowid FROM artworks WHERE state = 'pending' ORDER BY rowid LIMIT ?", (limit,))]

    def pending_passages(self, limit: int = 256) -> list[int]:
        return [r[0] for r in self.conn.execute(
            "SELECT rowid FROM passages WHERE state = 'pending' ORDER BY rowid LIMIT ?", (limit,))]

    def views_after(self, rowid: int, limit: int) -> list[tuple[int, int, str]]:
        """(view id, artwork rowid, uri) of the readable views after ``rowid``, in rowid order."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT rowid, artwork_rowid, uri FROM views WHERE rowid > ? AND state != 'failed' ORDER BY rowid LIMIT ?",
            (rowid, limit))]

    def rowids_after(self, table: str, rowid: int, limit: int) -> list[int]:
        """The rowids of ``artworks`` or ``passages`` after ``rowid``, in order."""
        if table not in ("artworks", "passages"):
            raise ValueError(f"no such table: {table}")
        return [r[0] for r in self.conn.execute(
            f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?", (rowid, limit))]

    def mark_indexed(self, table: str, rowids: Sequence[int]) -> None:
        assert table in ("artworks", "views", "passages", "passage_images")
        with self.transaction() as conn:
            conn.executemany(f"UPDATE {table} SET state = 'indexed' WHERE rowid = ?", [(r,) for r in rowids])

    def mark_view_failed(self, view_id: int, error: str) -> None:
        self.conn.execute("UPDATE views SET state = 'failed', error = ? WHERE rowid = ?", (error, view_id))

    def view_rows(self, view_ids: Sequence[int]) -> dict[int, sqlite3.Row]:
        out: dict[int, sqlite3.Row] = {}
        for chunk in _chunks(list(view_ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update({r["rowid"]: r for r in self.conn.execute(
                f"SELECT v.*, a.id AS artwork_id FROM views v JOIN artworks a ON a.rowid = v.artwork_rowid "
                f"WHERE v.rowid IN ({marks})", chunk)})
        return out

    # -- passages ---------------------------------------------------------------------------
    def upsert_passage(self, passage: Passage) -> tuple[int, UpsertStatus]:
        """Insert or update a passage with the images it shows (one row a file, however many passages
        show it: it is embedded once)."""
        digest = _passage_hash(passage)
        row = self.conn.execute("SELECT rowid, text_hash FROM passages WHERE id = ?", (passage.id,)).fetchone()
        if row and row["text_hash"] == digest:
            return int(row["rowid"]), UpsertStatus.UNCHANGED
        values = (passage.artwork_id, passage.text, passage.source, passage.title, passage.section, passage.url,
                  json.dumps(passage.categories), passage.revision, digest)
        with self.transaction() as conn:
            if row is None:
                rowid = conn.execute(
                    "INSERT INTO passages (id, artwork_id, text, source, title, section, url, categories, revision, "
                    "text_hash) VALUES (?,?,?,?,?,?,?,?,?,?)", (passage.id, *values)).lastrowid
                status = UpsertStatus.ADDED
            else:
                rowid = int(row["rowid"])
                conn.execute("UPDATE passages SET artwork_id=?, text=?, source=?, title=?, section=?, url=?, "
                             "categories=?, revision=?, text_hash=?, state='pending' WHERE rowid=?", (*values, rowid))
                conn.execute("DELETE FROM passages_fts WHERE rowid = ?", (rowid,))
                conn.execute("DELETE FROM passage_image_links WHERE passage_rowid = ?", (rowid,))
                status = UpsertStatus.UPDATED
            searchable = [passage.title, passage.section, passage.text, *(i.caption for i in passage.images)]
            conn.execute("INSERT INTO passages_fts (rowid, text) VALUES (?, ?)",
                         (rowid, " ".join(part for part in searchable if part)))
            for position, image in enumerate(passage.images):
                conn.execute("INSERT INTO passage_image_links (passage_rowid, position, image_rowid, caption) "
                             "VALUES (?, ?, ?, ?)", (rowid, position, _image_rowid(conn, image), image.caption))
        return int(rowid), status

    def passages_by_rowids(self, rowids: Sequence[int]) -> dict[int, Passage]:
        out: dict[int, Passage] = {}
        for chunk in _chunks(list(rowids), 500):
            marks = ",".join("?" * len(chunk))
            images: dict[int, list[PassageImage]] = {}
            for r in self.conn.execute(
                    "SELECT l.passage_rowid, l.caption, i.file, i.url FROM passage_image_links l "
                    f"JOIN passage_images i ON i.rowid = l.image_rowid WHERE l.passage_rowid IN ({marks}) "
                    "ORDER BY l.passage_rowid, l.position", chunk):
                images.setdefault(r[0], []).append(PassageImage(file=r["file"], caption=r["caption"], url=r["url"]))
            for r in self.conn.execute(f"SELECT * FROM passages WHERE rowid IN ({marks})", chunk):
                out[r["rowid"]] = Passage(id=r["id"], text=r["text"], artwork_id=r["artwork_id"], source=r["source"],
                                          title=r["title"], section=r["section"], url=r["url"],
                                          categories=json.loads(r["categories"]), revision=r["revision"],
                                          images=images.get(r["rowid"], []))
        return out

    def unchanged_passages(self, passages: Sequence[Passage]) -> set[str]:
        """The ids of ``passages`` the catalog holds exactly as given (upserting them would change nothing)."""
        stored = dict(self._rows_in("SELECT id, text_hash FROM passages WHERE id IN ({marks})",
                                    [p.id for p in passages]))
        return {p.id for p in passages if stored.get(p.id) == _passage_hash(p)}

    def indexed_passage_images(self, files: Sequence[str]) -> set[str]:
        """The file names among ``files`` of passage images already embedded."""
        return {r[0] for r in self._rows_in(
            "SELECT file FROM passage_images WHERE state = 'indexed' AND file IN ({marks})", files)}

    def passage_owners(self, rowids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
        """(passage id, artwork id or None) per passage rowid: what a search needs, without the texts."""
        return {r[0]: (r[1], r[2]) for r in self._rows_in(
            "SELECT rowid, id, artwork_id FROM passages WHERE rowid IN ({marks})", rowids)}

    def passages_with_prefix(self, prefix: str) -> list[tuple[str, str | None, str | None]]:
        """(id, revision, artwork id) of the passages whose id starts with ``prefix`` (one page's paragraphs)."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return [(r[0], r[1], r[2]) for r in self.conn.execute(
            "SELECT id, revision, artwork_id FROM passages WHERE id >= ? AND id < ? ORDER BY rowid", (prefix, end))]

    def missing_images_shown(self, prefix: str) -> list[str]:
        """File names of the images that passages whose id starts with ``prefix`` show and that could
        not be read."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT i.file FROM passages p JOIN passage_image_links l ON l.passage_rowid = p.rowid "
            "JOIN passage_images i ON i.rowid = l.image_rowid WHERE p.id >= ? AND p.id < ? AND i.state = 'missing'",
            (prefix, end))]

    # -- images of passages -------------------------------------------------------------------
    def passage_images_after(self, rowid: int, limit: int) -> list[tuple[int, str, str, str | None]]:
        """The same for every passage image that is not missing, after ``rowid`` (re-embedding)."""
        return [(r[0], r[1], r[2], r[3]) for r in self.conn.execute(
            "SELECT rowid, file, read_from, url FROM passage_images WHERE rowid > ? AND state != 'missing' "
            "ORDER BY rowid LIMIT ?", (rowid, limit))]

    def pending_passage_images(self, limit: int = 256) -> list[tuple[int, str, str, str | None]]:
        """(image rowid, file name, where to read it, where it is published) of passage images not yet
        embedded."""
        return [(r[0], r[1], r[2], r[3]) for r in self.conn.execute(
            "SELECT rowid, file, read_from, url FROM passage_images WHERE state = 'pending' ORDER BY rowid LIMIT ?",
            (limit,))]

    def mark_passage_image_missing(self, image_rowid: int, error: str) -> None:
        """An image that could not be read: its passages keep its caption and link; a later ingest that
        finds it (a folder of files, the address back up) embeds it."""
        self.conn.execute("UPDATE passage_images SET state = 'missing', error = ? WHERE rowid = ?",
                          (error, image_rowid))

    def passages_showing(self, image_rowids: Sequence[int]) -> dict[int, list[int]]:
        """Passage rowids per passage image rowid."""
        out: dict[int, list[int]] = {}
        for chunk in _chunks(list(image_rowids), 500):
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute("SELECT image_rowid, passage_rowid FROM passage_image_links "
                                       f"WHERE image_rowid IN ({marks}) ORDER BY passage_rowid", chunk):
                out.setdefault(r[0], []).append(r[1])
        return out

    def get_passage(self, passage_id: str) -> Passage:
        row = self.conn.execute("SELECT rowid FROM passages WHERE id = ?", (passage_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No passage with id {passage_id!r} in this collection.")
        return self.passages_by_rowids([row[0]])[row[0]]

    def passage_rowids_for(self, artwork_id: str) -> list[int]:
        """Rowids of the passages tied to an artwork, in the order they were added."""
        return [r[0] for r in self.conn.execute(
            "SELECT rowid FROM passages WHERE artwork_id = ? ORDER BY rowid", (artwork_id,))]

    def passages_for(self, artwork_id: str) -> list[Passage]:
        rowids = self.passage_rowids_for(artwork_id)
        found = self.passages_by_rowids(rowids)
        return [found[r] for r in rowids]

    # -- text search (BM25) -----------------------------------------------------------------
    def _selective_queries(self, table: str, text: str) -> list[str]:
        """The FTS queries to try in turn (the first that matches ranks): the query's terms without those
        too common to matter (only large tables have any). When every term is that common: the records
        with all of them (ranking the matches of one common term alone costs several times more, and
        ignores the other words), else those with the rarest."""
        terms = query_terms(text)
        size = self.conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
        if size > COMMON_MIN and terms:
            counts = {t: self.conn.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?",
                                           (f'"{t}"',)).fetchone()[0] for t in terms}
            kept = [t for t in terms if counts[t] <= max(COMMON_SHARE * size, COMMON_MIN)]
            if not kept:
                rarest = f'"{min(terms, key=counts.__getitem__)}"'
                return [" AND ".join(f'"{t}"' for t in terms), rarest] if len(terms) > 1 else [rarest]
            terms = kept
        query = fts_query(terms)
        return [query] if query else []

    def _bm25(self, table: str, weights: str, text: str, limit: int) -> list[tuple[int, float]]:
        """(rowid, BM25 score: higher is better), best first, of the first selective query that matches."""
        for query in self._selective_queries(table, text):
            rows = self.conn.execute(
                f"SELECT rowid, -bm25({table}{weights}) FROM {table} WHERE {table} MATCH ? "
                f"ORDER BY bm25({table}{weights}) LIMIT ?", (query, limit)).fetchall()
            if rows:
                return [(int(r[0]), float(r[1])) for r in rows]
        return []

    def search_artworks_bm25(self, text: str, limit: int = 100) -> list[tuple[int, float]]:
        """(artwork rowid, BM25 score: higher is better), best first; titles weigh 4, artists 3."""
        return self._bm25("artworks_fts", ", 4.0, 3.0, 1.0", text, limit)

    def search_passages_bm25(self, text: str, limit: int = 100) -> list[tuple[int, float]]:
        return self._bm25("passages_fts", "", text, limit)

    # -- jobs -------------------------------------------------------------------------------
    def start_job(self, job_id: str, kind: str, params: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO jobs (id, kind, params, state) VALUES (?, ?, ?, 'running') "
            "ON CONFLICT(id) DO UPDATE SET state = 'running', finished_at = NULL",
            (job_id, kind, json.dumps(params)))

    def record_item(self, job_id: str, item_key: str, status: str, artwork_id: str | None = None,
                    error: str | None = None) -> None:
        # an upsert, not INSERT OR REPLACE: with foreign keys on, REPLACE costs three times as much
        self.conn.execute("INSERT INTO job_items (job_id, item_key, status, artwork_id, error) VALUES (?, ?, ?, ?, ?) "
                          "ON CONFLICT (job_id, item_key) DO UPDATE SET status = excluded.status, "
                          "artwork_id = excluded.artwork_id, error = excluded.error",
                          (job_id, item_key, status, artwork_id, error))

    def done_items(self, job_id: str) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT item_key FROM job_items WHERE job_id = ? AND status != 'failed'", (job_id,))}

    def finish_job(self, job_id: str, state: str, counts: dict[str, int], message: str | None = None) -> None:
        self.conn.execute("UPDATE jobs SET state = ?, counts = ?, message = ?, finished_at = datetime('now') "
                          "WHERE id = ?", (state, json.dumps(counts), message, job_id))

    def update_job_progress(self, job_id: str, counts: dict[str, int], total: int | None) -> None:
        self.conn.execute("UPDATE jobs SET counts = ?, total = ? WHERE id = ?",
                          (json.dumps(counts), total, job_id))

    def job(self, job_id: str) -> dict[str, Any]:
        row = self.conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No ingest job with id {job_id!r}.")
        out = dict(row)
        out["params"], out["counts"] = json.loads(out["params"]), json.loads(out["counts"])
        out["errors"] = [dict(r) for r in self.conn.execute(
            "SELECT item_key, error FROM job_items WHERE job_id = ? AND status = 'failed'", (job_id,))]
        out["warnings"] = [dict(r) for r in self.conn.execute(
            "SELECT item_key, error AS warning FROM job_items WHERE job_id = ? AND status != 'failed' "
            "AND error IS NOT NULL", (job_id,))]
        return out | self._job_item_counts(job_id)

    def _job_item_counts(self, job_id: str) -> dict[str, int]:
        """Items a job has done, and of the artworks it stored, those without any image and those that
        lost some of theirs."""
        stored = "j.status IN ('added', 'updated', 'unchanged')"
        imaged = ("EXISTS (SELECT 1 FROM artworks a JOIN views v ON v.artwork_rowid = a.rowid "
                  "WHERE a.id = j.artwork_id AND v.state != 'failed')")
        row = self.conn.execute(
            f"SELECT COUNT(*), COALESCE(SUM({stored} AND j.error IS NOT NULL AND {imaged}), 0), "
            f"COALESCE(SUM({stored} AND NOT {imaged}), 0) FROM job_items j WHERE j.job_id = ?",
            (job_id,)).fetchone()
        return {"items": row[0], "partial": row[1], "without_images": row[2]}

    def jobs(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT id FROM jobs ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,))
        return [self.job(r[0]) for r in rows.fetchall()]


def _passage_hash(passage: Passage) -> str:
    """Changes when anything stored about the passage changes, where its images are read from included."""
    data = passage.model_dump() | {"read_from": [i.read_from for i in passage.images]}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _image_rowid(conn: sqlite3.Connection, image: PassageImage) -> int:
    """The row of a passage image by its file name. A file missing until now becomes pending when this
    ingest knows where to read it; one already embedded stays as it is."""
    revive = "passage_images.state = 'missing' AND excluded.read_from IS NOT NULL"
    conn.execute(
        "INSERT INTO passage_images (file, url, read_from, state) VALUES (?, ?, ?, ?) ON CONFLICT(file) DO UPDATE "
        f"SET url = excluded.url, read_from = CASE WHEN {revive} THEN excluded.read_from ELSE read_from END, "
        f"error = CASE WHEN {revive} THEN NULL ELSE error END, "
        f"state = CASE WHEN {revive} THEN 'pending' ELSE state END",
        (image.file, image.url, image.read_from, "pending" if image.read_from else "missing"))
    return int(conn.execute("SELECT rowid FROM passage_images WHERE file = ?", (image.file,)).fetchone()[0])


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
