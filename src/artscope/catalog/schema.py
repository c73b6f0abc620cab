"""The catalog's schema as an ordered list of migrations; ``PRAGMA user_version`` is the number
applied. Never edit a released migration: append a new one."""

from __future__ import annotations

import sqlite3

from artscope.errors import CollectionError

MIGRATIONS: list[str] = [
    # 1: artworks, their images, where they came from, passages, text search, ingest jobs.
    """
    CREATE TABLE artworks (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT, artists TEXT NOT NULL DEFAULT '[]', date TEXT, year_start INTEGER, year_end INTEGER,
        type TEXT, medium TEXT, dimensions TEXT, place TEXT, institution TEXT, description TEXT,
        subjects TEXT NOT NULL DEFAULT '[]', license TEXT, credit TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        record_hash TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'indexed')),
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        updated_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE INDEX artworks_state ON artworks(state);
    CREATE INDEX artworks_year ON artworks(year_start);
    CREATE TABLE views (
        rowid INTEGER PRIMARY KEY,
        artwork_rowid INTEGER NOT NULL REFERENCES artworks(rowid) ON DELETE CASCADE,
        position INTEGER NOT NULL DEFAULT 0,
        uri TEXT NOT NULL,
        content_hash TEXT UNIQUE,
        label TEXT, width INTEGER, height INTEGER,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'indexed', 'failed')),
        error TEXT
    );
    CREATE INDEX views_artwork ON views(artwork_rowid);
    CREATE INDEX views_state ON views(state);
    CREATE TABLE sources (
        artwork_rowid INTEGER NOT NULL REFERENCES artworks(rowid) ON DELETE CASCADE,
        source TEXT NOT NULL,
        item_key TEXT NOT NULL,
        uri TEXT,
        added_at TEXT NOT NULL DEFAULT (datetime('now')),
        PRIMARY KEY (source, item_key, artwork_rowid)
    );
    CREATE TABLE fields (name TEXT PRIMARY KEY, kind TEXT NOT NULL);
    CREATE TABLE passages (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        artwork_id TEXT,
        text TEXT NOT NULL, source TEXT, title TEXT,
        text_hash TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'indexed'))
    );
    CREATE INDEX passages_artwork ON passages(artwork_id);
    CREATE INDEX passages_state ON passages(state);
    CREATE VIRTUAL TABLE artworks_fts USING fts5(title, artists, body,
                                                 tokenize = 'porter unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE passages_fts USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
        counts TEXT NOT NULL DEFAULT '{}',
        total INTEGER,
        message TEXT,
        started_at TEXT NOT NULL DEFAULT (datetime('now')),
        finished_at TEXT
    );
    CREATE TABLE job_items (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        item_key TEXT NOT NULL,
        status TEXT NOT NULL,
        artwork_id TEXT,
        error TEXT,
        PRIMARY KEY (job_id, item_key)
    );
    """,
    # 2: predictions written by tasks (attributes, aesthetics), never over curated metadata.
    """
    CREATE TABLE predictions (
        artwork_id TEXT NOT NULL,
        task TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        probability REAL,
        model TEXT NOT NULL,
        version TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        PRIMARY KEY (artwork_id, task, field, value)
    );
    """,
    # 3: dialogue search sessions, resumable by id.
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        updated_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    """,
    # 4: a perceptual hash per image, for near-duplicate detection.
    """
    ALTER TABLE views ADD COLUMN dhash TEXT;
    """,
    # 5: curators' writes (who, when, what) and deletions under way (finished on the next open if a
    # process died between the index and the catalog).
    """
    CREATE TABLE audit (
        rowid INTEGER PRIMARY KEY,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_target ON audit(target);
    CREATE TABLE deletions (
        kind TEXT NOT NULL CHECK (kind IN ('artwork', 'passage')),
        item_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (kind, item_id)
    );
    """,
    # 6: passages with their section, address, categories and source revision (encyclopedia paragraphs),
    # the images they show (one row a file, embedded once however many passages show it) and a title
    # index for linking pages to the artworks they are about.
    """
    ALTER TABLE passages ADD COLUMN section TEXT;
    ALTER TABLE passages ADD COLUMN url TEXT;
    ALTER TABLE passages ADD COLUMN categories TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE passages ADD COLUMN revision TEXT;
    CREATE TABLE passage_images (
        rowid INTEGER PRIMARY KEY,
        file TEXT NOT NULL UNIQUE,
        url TEXT,
        read_from TEXT,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'indexed', 'missing')),
        error TEXT
    );
    CREATE INDEX passage_images_state ON passage_images(state);
    CREATE TABLE passage_image_links (
        passage_rowid INTEGER NOT NULL REFERENCES passages(rowid) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        image_rowid INTEGER NOT NULL REFERENCES passage_images(rowid),
        caption TEXT,
        PRIMARY KEY (passage_rowid, position)
    );
    CREATE INDEX passage_image_links_image ON passage_image_links(image_rowid);
    CREATE INDEX artworks_title ON artworks(title COLLATE NOCASE);
    """,
    # 7: the sources of an artwork found without a scan (ingest checks who owns an id), and images
    # waiting for a fetch found per artwork.
    """
    CREATE INDEX sources_artwork ON sources(artwork_rowid);
    CREATE INDEX views_artwork_uri ON views(artwork_rowid, uri);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations a database lacks, each in its own transaction. Returns the version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise CollectionError(
            f"The catalog has schema version {version}, newer than this artscope's {SCHEMA_VERSION}. "
            "Upgrade artscope (pip install -U artscope) to open it."
        )
    for number in range(version, SCHEMA_VERSION):
        with conn:
            conn.executescript(f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;")
    return SCHEMA_VERSION
