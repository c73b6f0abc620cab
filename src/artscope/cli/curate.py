"""``artscope curate``: edit a record, delete an artwork or a passage, read the audit log — the curators'
operations of the HTTP service, on a collection no service holds. Writes are logged as the user running
the command (``cli:<login>``)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer
from rich.table import Table

from artscope.cli.common import CollectionOption, JsonOption, console, open_collection, print_json, reports_errors

curate_app = typer.Typer(no_args_is_help=True, help="Edit records, delete artworks or passages, read the audit log.")


def register(app: typer.Typer, train_app: typer.Typer | None = None) -> None:
    """Add ``artscope curate`` (``train_app`` is unused)."""
    app.add_typer(curate_app, name="curate")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli"


def _value(text: str) -> object:
    """A ``--set`` value: JSON when it parses (lists, numbers, null), else the text itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@curate_app.command("edit")
@reports_errors
def edit(artwork_id: str = typer.Argument(..., help="The artwork to edit."), collection: Path = CollectionOption,
         assignments: list[str] = typer.Option(..., "--set", help="FIELD=VALUE (repeatable); VALUE as JSON "
                                                                 "when it parses ('[\"A\", \"B\"]', null), "
                                                                 "extra.KEY=VALUE for an extra field."),
         json_out: bool = JsonOption) -> None:
    """Change fields of an artwork's record; the index follows (its text is embedded again)."""
    changes: dict[str, object] = {}
    for item in assignments:
        field, sep, value = item.partition("=")
        if not sep or not field:
            raise typer.BadParameter(f"--set takes FIELD=VALUE, not {item!r}")
        if field.startswith("extra."):
            changes.setdefault("extra", {})[field.removeprefix("extra.")] = _value(value)  # type: ignore[index]
        else:
            changes[field] = _value(value)
    with open_collection(collection) as col:
        record = col.edit_artwork(artwork_id, changes, actor=_actor())
    if json_out:
        print_json(record)
    else:
        console.print(f"edited {record.id}: {', '.join(sorted(changes))}", highlight=False)


@curate_app.command("delete")
@reports_errors
def delete(artwork_id: str = typer.Argument(..., help="The artwork to delete."), collection: Path = CollectionOption,
           json_out: bool = JsonOption) -> None:
    """Delete an artwork with its images' vectors and thumbnails, its passages and predictions."""
    with open_collection(collection) as col:
        entry = col.delete_artwork(artwork_id, actor=_actor())
    if json_out:
        print_json(entry)
    else:
        console.print(f"deleted {artwork_id}: {entry.details}", highlight=False)


@curate_app.command("delete-passage")
@reports_errors
def delete_passage(passage_id: str = typer.Argument(..., help="The passage to delete."),
                   collection: Path = CollectionOption, json_out: bool = JsonOption) -> None:
    """Delete a passage (its text, search entry and vector)."""
    with open_collection(collection) as col:
        entry = col.delete_passage(passage_id, actor=_actor())
    if json_out:
        print_json(entry)
    else:
        console.print(f"deleted passage {passage_id}", highlight=False)


@curate_app.command("audit")
@reports_errors
def audit(collection: Path = CollectionOption, limit: int = typer.Option(50, min=1, max=10_000),
          target: str = typer.Option(None, help="Only the writes to this artwork, passage or job."),
          json_out: bool = JsonOption) -> None:
    """The audit log: who changed what, and when (latest first)."""
    with open_collection(collection) as col:
        entries = col.audit(limit=limit, target=target)
    if json_out:
        print_json([e.model_dump() for e in entries])
        return
    table = Table("at", "actor", "action", "target", "details")
    for entry in entries:
        table.add_row(entry.at, entry.actor, entry.action, entry.target, json.dumps(entry.details)[:80])
    console.print(table)
