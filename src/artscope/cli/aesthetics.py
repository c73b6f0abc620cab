"""``artscope score IMG`` and ``artscope train aesthetics``: thin callers of ``artscope.tasks.aesthetics``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from artscope.cli.common import JsonOption, console, open_collection, print_json, progress_bar, reports_errors
from artscope.errors import InvalidInputError

if TYPE_CHECKING:
    from artscope.tasks.aesthetics import AestheticResult

BAR_WIDTH = 20


def _bar(fraction: float) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * BAR_WIDTH)
    return "█" * filled + "·" * (BAR_WIDTH - filled)


def print_result(result: AestheticResult) -> None:
    """The pretty form: dimensions with bars, distribution, comments, description, notes."""
    from artscope.tasks.aesthetics import DIMENSIONS

    state = f"calibrated by {result.head.name}" if result.calibrated else "uncalibrated"
    console.print(f"[bold]Total {result.total:.1f}/100[/]  ({state}, backend {result.backend})")
    table = Table(show_header=True, header_style="bold")
    for column in ("dimension", "score", "", "from"):
        table.add_column(column)
    for key, name in DIMENSIONS.items():
        value = result.dimensions[key]
        table.add_row(
            name,
            "—" if value is None else f"{value:.1f}",
            "" if value is None else _bar(value / 100),
            result.dimension_sources.get(key, "not measured"),
        )
    console.print(table)
    peak = max(result.distribution) or 1.0
    console.print("[bold]Distribution over 1..10[/]")
    for score, p in enumerate(result.distribution, start=1):
        console.print(f"  {score:>2} {_bar(p / peak)} {p:.3f}", highlight=False)
    for key, name in DIMENSIONS.items():
        if result.comments.get(key):
            console.print(f"[bold]{name}[/]")
            for sentence in result.comments[key]:
                console.print(f"  • {sentence.text}", highlight=False)
    for level in ("perception", "cognition", "emotion"):
        sentences = getattr(result.description, level)
        if sentences:
            console.print(
                f"[bold]{level.title()}:[/] " + " ".join(s.text for s in sentences), highlight=False
            )
    for note in result.notes:
        console.print(f"[dim]{note}[/]", highlight=False)


def parse_scale(text: str | None) -> tuple[float, float] | None:
    """``--scale LOW,HIGH`` as a pair (None when not given)."""
    if not text:
        return None
    low, sep, high = text.partition(",")
    try:
        if sep:
            return float(low), float(high)
    except ValueError:
        pass
    raise InvalidInputError(f"--scale takes LOW,HIGH (e.g. 1,10), not {text!r}.")


def parse_fields(items: list[str] | None) -> dict[str, str]:
    """``--dimension-field DIMENSION=FIELD`` options as a mapping."""
    from artscope.tasks.aesthetics import DIMENSION_KEYS

    fields = {}
    for item in items or []:
        dimension, sep, field = item.partition("=")
        if not sep or dimension not in DIMENSION_KEYS:
            raise InvalidInputError(
                f"--dimension-field takes DIMENSION=FIELD with DIMENSION one of "
                f"{', '.join(DIMENSION_KEYS)}; got {item!r}."
            )
        fields[dimension] = field
    return fields


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    """Add ``score`` to the main app and ``aesthetics`` to ``train``."""

    @app.command()
    @reports_errors
    def score(
        image: str = typer.Argument(None, help="The image (path or URL); leave out with --artwork."),
        collection: Path = typer.Option(None, "--collection", "-c", help="Score against this collection."),
        artwork: str = typer.Option(
            None, "--artwork", help="Score a stored artwork's first image (needs -c)."
        ),
        vlm: str = typer.Option(
            None, "--vlm", help="Total from a vision-language model: hf:ID_OR_DIR, adapter:DIR (from `artscope "
            "train vlm --task aesthetics`), artimuse:DIR."
        ),
        head: Path = typer.Option(None, "--head", help="A trained head's folder, when scoring without -c."),
        json_out: bool = JsonOption,
    ) -> None:
        """Aesthetic total, seven dimensions, a 1–10 distribution and comments grounded in measurements."""
        from artscope.tasks.aesthetics import score_image

        if collection is None:
            if image is None:
                raise typer.BadParameter("Give an IMAGE (or -c DIR --artwork ID).")
            result = score_image(image, head_dir=head, vlm=vlm)
        else:
            with open_collection(collection) as col:
                result = col.score(image, artwork_id=artwork, vlm=vlm)
        if json_out:
            print_json(result)
        else:
            print_result(result)

    @train_app.command("aesthetics")
    @reports_errors
    def train_aesthetics(
        collection: Path = typer.Option(
            ...,
            "--collection",
            "-c",
            help="The collection (its embedder makes the features; the head is saved in it).",
        ),
        data: Path = typer.Option(None, "--data", help="A scored dataset's folder, in its published layout."),
        format_name: str = typer.Option(
            None, "--format", help="ava, tad66k, para, flickr-aes, apddv2, artimuse10k."
        ),
        score_field: str = typer.Option(
            "aesthetic_score", help="Without --data: the records' numeric score field."
        ),
        scale: str = typer.Option(None, help="Without --data: the score range LOW,HIGH (default: observed)."),
        dimension_field: list[str] = typer.Option(None, help="Without --data: DIMENSION=FIELD (repeatable)."),
        epochs: int = typer.Option(200, min=1, help="Most training epochs (early stopping ends sooner)."),
        json_out: bool = JsonOption,
    ) -> None:
        """Train the aesthetics head on scored data; prints held-out SRCC, PLCC, EMD and accuracy."""
        from artscope.tasks.aesthetics.training import from_collection, from_dataset, train

        if (data is None) != (format_name is None):
            raise typer.BadParameter("--data and --format go together.")
        with open_collection(collection) as col:
            source = (
                from_dataset(data, format_name)
                if data is not None
                else from_collection(col, score_field, parse_scale(scale), parse_fields(dimension_field))
            )
            with progress_bar("measuring and embedding") as bar:
                task = bar.add_task("features", total=None)
                report = train(
                    col,
                    source,
                    epochs=epochs,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        if json_out:
            print_json(report)
            return
        console.print(
            f"head saved to [bold]{report.head_dir}[/]: {report.train_items} training and "
            f"{report.test_items} test images ({report.skipped} unreadable), {report.seconds:.1f} s"
        )
        for name, value in report.metrics.items():
            console.print(f"  {name:<22} {value:.4f}", highlight=False)
