"""``artscope describe`` and ``artscope train attributes``: thin callers of ``artscope.tasks.attributes``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from artscope.cli.common import (
    CollectionOption,
    JsonOption,
    console,
    open_collection,
    print_json,
    progress_bar,
    reports_errors,
)
from artscope.errors import InvalidInputError

METHODS = ("head", "knn", "majority")


def _split_list(text: str | None, what: str) -> list[str]:
    items = [part.strip() for part in (text or "").split(",") if part.strip()]
    if text is not None and not items:
        raise InvalidInputError(f"{what} takes a comma-separated list, not {text!r}.")
    return items


def _years(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(part) for part in _split_list(text, "--periods")]
    except ValueError:
        raise InvalidInputError(f"--periods takes years separated by commas (e.g. 1400,1600,1800,1900), "
                                f"not {text!r}.") from None


def print_report(report) -> None:
    """The per-field table: accuracy, macro-F1, top-5 and ECE of the head against both baselines."""
    table = Table(title=f"attributes head {report.version}: {report.images} images, {report.epochs} epochs, "
                        f"{report.seconds:.1f} s (held-out test split)")
    for column in ("field", "method", "accuracy", "macro-F1", "top-5", "ECE"):
        table.add_column(column, justify="left" if column in ("field", "method") else "right")
    for field in report.fields:
        # the field's name, class count and train/val/test images fill the first column's three rows
        about = [field.field, f"{field.classes} classes", f"{field.train}/{field.val}/{field.test}"]
        for method, label in zip(METHODS, about, strict=True):
            metrics = getattr(field, method)
            cells = [f"{getattr(metrics, k):.3f}" for k in ("accuracy", "macro_f1", "top5", "ece")] \
                if metrics else ["n/a"] * 4
            table.add_row(label, method, *cells, end_section=method == METHODS[-1])
    console.print(table)
    for skipped in report.skipped:
        console.print(f"[yellow]skipped[/] {skipped.field}: {skipped.reason}", highlight=False)
    console.print(f"head saved in [bold]{report.head_path}[/]")


def print_description(description) -> None:
    """One line per field: the label (or unknown), its probability, the runners-up, the curated value."""
    where = f" (artwork {description.artwork_id})" if description.artwork_id else ""
    console.print(f"[bold]predicted attributes{where}[/], model {description.model} {description.version}")
    for field in description.fields:
        others = ", ".join(f"{p.label} {p.probability:.2f}" for p in field.top_k[1:])
        curated = f"  [dim]catalogue: {field.curated}[/]" if field.curated else ""
        style = "yellow" if field.unknown else "bold"
        console.print(f"  {field.field:<10} [{style}]{field.label}[/] {field.probability:.2f}"
                      f"{'  [dim](' + others + ')[/]' if others else ''}{curated}", highlight=False)


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    """Add ``describe`` to the main app and ``attributes`` to ``train``."""

    @app.command()
    @reports_errors
    def describe(
        image: str = typer.Argument(None, help="The image (path or URL); leave out with --artwork or --all."),
        collection: Path = CollectionOption,
        artwork: str = typer.Option(None, "--artwork", help="Describe an artwork of the collection by id."),
        all_artworks: bool = typer.Option(False, "--all", help="Store predictions for every artwork."),
        top_k: int = typer.Option(5, "--top-k", min=1, help="Labels listed (stored, with --all) per field."),
        threshold: float = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                        help="Say 'unknown' below this probability (default 0.25)."),
        fields: str = typer.Option(None, "--fields", help="Only these fields, comma-separated."),
        json_out: bool = JsonOption,
    ) -> None:
        """Predicted artist, style, genre, medium and period of an image, with calibrated probabilities."""
        from artscope.tasks.attributes import describe_all

        if all_artworks:
            if image or artwork:
                raise typer.BadParameter("--all describes every artwork; leave out IMAGE and --artwork.")
            with open_collection(collection) as col:
                summary = describe_all(col, top_k=top_k)
            if json_out:
                print_json(summary)
            else:
                console.print(f"{summary.predictions} predictions for {summary.artworks} artworks "
                              f"({', '.join(summary.fields)}) stored as model {summary.model} "
                              f"{summary.version} in {summary.seconds:.1f} s")
            return
        with open_collection(collection) as col:
            result = col.describe(image, artwork_id=artwork, top_k=top_k, threshold=threshold,
                                  fields=_split_list(fields, "--fields") or None)
        if json_out:
            print_json(result)
        else:
            print_description(result)

    @train_app.command("attributes")
    @reports_errors
    def train_attributes(
        collection: Path = CollectionOption,
        fields: str = typer.Option(
            None, "--fields", help="Fields to learn (default artist,style,genre,medium,period)."),
        periods: str = typer.Option(
            None, "--periods",
            help="Period bucket edges in years (default 1400,1500,1600,1700,1800,1850,1900,1945)."),
        epochs: int = typer.Option(
            None, "--epochs", min=1, help="Most training epochs (default 30; early stopping ends sooner)."),
        data: Path = typer.Option(None, "--data", help="A labelled dataset to ingest and train on."),
        format_name: str = typer.Option(None, "--format", help="The dataset's layout: wikiart or artgraph."),
        seed: int = typer.Option(0, help="Seeds the train/val/test split."),
        json_out: bool = JsonOption,
    ) -> None:
        """Train the attribute heads on the catalogue's labels; prints held-out metrics against baselines."""
        from artscope.heads.attributes import HeadConfig
        from artscope.tasks.attributes import AttributesConfig

        if (data is None) != (format_name is None):
            raise typer.BadParameter("--data and --format go together.")
        options = {"fields": _split_list(fields, "--fields") or None, "period_edges": _years(periods)}
        config = AttributesConfig(seed=seed, head=HeadConfig(**({"epochs": epochs} if epochs else {})),
                                  **{k: v for k, v in options.items() if v})
        with open_collection(collection) as col:
            if json_out:  # no progress bar: stdout carries the JSON alone
                print_json(_train(col, config, data, format_name, None))
                return
            with progress_bar("training") as bar:
                task = bar.add_task("epochs", total=config.head.epochs)
                report = _train(col, config, data, format_name,
                                lambda epoch, _loss: bar.update(task, completed=epoch))
        print_report(report)


def _train(collection, config, data: Path | None, format_name: str | None, on_epoch):
    """Train on the catalogue, or on a dataset ingested first."""
    from artscope.datasets.attributes import load_attribute_dataset
    from artscope.tasks.attributes import train
    from artscope.tasks.attributes.train import train_from_dataset

    if data is None:
        return train(collection, config, on_epoch=on_epoch)
    dataset = load_attribute_dataset(data, format_name)
    return train_from_dataset(collection, dataset, config, on_epoch=on_epoch)
