"""What every CLI command shares: the collection option, JSON output, filters, error reporting."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from artscope.errors import ArtscopeError, InvalidInputError
from artscope.types import Filters, Range

# The libraries' own progress bars (Hugging Face's "Loading weights" as a model loads, downloads) stay off
# the command's stderr: its progress is its own bar, on a terminal only. Read when huggingface_hub is
# imported, which the commands do later, when they load a model.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

console = Console(stderr=False)
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

CollectionOption = typer.Option(..., "--collection", "-c", help="The collection directory.")
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON instead of tables.")


def reports_errors(func: F) -> F:
    """Turn artscope errors into a one-line message and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ArtscopeError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        text = data.model_dump_json(indent=2)
    else:
        text = json.dumps(data, indent=2, default=lambda o: o.model_dump() if isinstance(o, BaseModel) else str(o))
    sys.stdout.write(text + "\n")


def parse_filters(items: list[str] | None) -> Filters:
    """``field=value``, ``field=a|b`` (any of), ``year=1850..1900`` (inclusive range, open ends allowed)."""
    filters: Filters = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(f"A filter looks like field=value, not {item!r}.")
        key, value = key.strip(), value.strip()
        if ".." in value:
            low, _, high = value.partition("..")
            try:
                filters[key] = Range(gte=float(low) if low else None, lte=float(high) if high else None)
            except ValueError as exc:
                raise InvalidInputError(f"A range filter looks like {key}=1850..1900, not {item!r}.") from exc
        elif "|" in value:
            filters[key] = [v.strip() for v in value.split("|") if v.strip()]
        else:
            filters[key] = int(value) if value.lstrip("-").isdigit() and key in ("year", "year_end") else value
    return filters


def open_collection(path: Path, embedder: str | None = None):
    import artscope

    return artscope.open(path, embedder=embedder)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


class RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task) -> Text:
        return Text(f"{task.speed:.1f}/s" if task.speed else "", style="cyan")


def progress_bar(description: str) -> Progress:
    """The progress bar of every long command: count, rate, elapsed time and ETA; on stderr and only on a
    terminal, so that ``--json`` output stays valid JSON."""
    return Progress(TextColumn(f"[bold]{description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=err_console,
                    disable=not err_console.is_terminal)
