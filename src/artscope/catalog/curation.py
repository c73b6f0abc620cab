"""Curators' writes in the catalog: the rows an artwork or a passage owns (deleted together), the audit
log of every write (who, when, what), and the journal of deletions under way.

A deletion is journaled first (committed), then the index points, thumbnails and rows go in one
catalog transaction that also clears the journal entry; a process that dies in between leaves the
entry, and the next open finishes the deletion (``Collection`` does this).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from artscope.errors import NotFoundError

DeletionKind = Literal["artwork", "passage"]


class AuditEntry(BaseModel):
    """One write to the collection: who made it (the token's name), when (UTC), what and to which item."""

    id: int
    at: str
    actor: str
    action: str
    """``artwork.edit``, ``artwork.delete``, ``passage.delete``, ``job.ingest``, ``job.describe``..."""
    target: str
    """The artwork, passage or job the write was about."""
    details: dict[str, Any]


@dataclass
class OwnedRows:
    """Everything one artwork or passage owns: its catalog row ids, which are also its point ids."""

    artwork_rowid: int | None = None
    view_ids: list[int] = field(default_factory=list)
    passage_rowids: list[int] = field(default_factory=list)
    predictions: int = 0
    title: str | None = None


def owned_rows(conn: sqlite3.Connection, kind: DeletionKind, item_id: str) -> OwnedRows | None:
    """The rows an artwork (with its views, passages and predictions) or a passage owns; None if it is gone."""
    if kind == "passage":
        row = conn.execute("SELECT rowid FROM passages WHERE id = ?", (item_id,)).fetchone()
        return OwnedRows(passage_rowids=[row[0]]) if row else None
    row = conn.execute("SELECT rowid, title FROM artworks WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        return None
    views = [r[0] for r in conn.execute("SELECT rowid FROM views WHERE artwork_rowid = ?", (row[0],))]
    passages = [r[0] for r in conn.execute("SELECT rowid FROM passages WHERE artwork_id = ?", (item_id,))]
    predictions = conn.execute("SELECT COUNT(*) FROM predictions WHERE artwork_id = ?", (item_id,)).fetchone()[0]
    return OwnedRows(row[0], views, passages, predictions, row[1])


def require_rows(conn: sqlite3.Connection, kind: DeletionKind, item_id: str) -> OwnedRows:
    owned = owned_rows(conn, kind, item_id)
    if owned is None:
        raise NotFoundError(f"No {kind} with id {item_id!r} in this collection.")
    return owned


def delete_rows(conn: sqlite3.Connection, kind: DeletionKind, item_id: str, owned: OwnedRows) -> None:
    """Delete the catalog rows (views and sources go with their artwork), their text-search entries and,
    for an artwork, its stored predictions."""
    for rowid in owned.passage_rowids:
        conn.execute("DELETE FROM passages_fts WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM passages WHERE rowid = ?", (rowid,))
    if kind == "artwork" and owned.artwork_rowid is not None:
        conn.execute("DELETE FROM artworks_fts WHERE rowid = ?", (owned.artwork_rowid,))
        conn.execute("DELETE FROM artworks WHERE rowid = ?", (owned.artwork_rowid,))
        conn.execute("DELETE FROM predictions WHERE artwork_id = ?", (item_id,))


def mark_pending(conn: sqlite3.Connection, owned: OwnedRows) -> None:
    """Have the next ingest embed these rows again (after a deletion that failed half-way in the index)."""
    if owned.artwork_rowid is not None:
        conn.execute("UPDATE artworks SET state = 'pending' WHERE rowid = ?", (owned.artwork_rowid,))
    conn.executemany("UPDATE views SET state = 'pending' WHERE rowid = ? AND state = 'indexed'",
                     [(v,) for v in owned.view_ids])
    conn.executemany("UPDATE passages SET state = 'pending' WHERE rowid = ?", [(p,) for p in owned.passage_rowids])


def journal_deletion(conn: sqlite3.Connection, kind: DeletionKind, item_id: str, actor: str) -> None:
    conn.execute("INSERT OR REPLACE INTO deletions (kind, item_id, actor) VALUES (?, ?, ?)", (kind, item_id, actor))


def clear_deletion(conn: sqlite3.Connection, kind: DeletionKind, item_id: str) -> None:
    conn.execute("DELETE FROM deletions WHERE kind = ? AND item_id = ?", (kind, item_id))


def unfinished_deletions(conn: sqlite3.Connection) -> list[tuple[DeletionKind, str, str]]:
    """(kind, item id, actor) of deletions a process began and did not finish."""
    return [(r[0], r[1], r[2]) for r in conn.execute("SELECT kind, item_id, actor FROM deletions")]


def log_write(conn: sqlite3.Connection, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
    """Record a write in the audit log (inside the write's own transaction, so both or neither stay)."""
    conn.execute("INSERT INTO audit (actor, action, target, details) VALUES (?, ?, ?, ?)",
                 (actor, action, target, json.dumps(details, default=str)))


def audit_entries(conn: sqlite3.Connection, limit: int = 50, offset: int = 0,
                  target: str | None = None) -> list[AuditEntry]:
    """The latest writes first (of one artwork, passage or job when ``target`` is given)."""
    where, params = ("WHERE target = ?", [target]) if target else ("", [])
    rows = conn.execute(f"SELECT rowid, at, actor, action, target, details FROM audit {where} "
                        "ORDER BY rowid DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return [AuditEntry(id=r[0], at=r[1], actor=r[2], action=r[3], target=r[4], details=json.loads(r[5]))
            for r in rows]
