"""``artscope eval``: run a standard benchmark from its own on-disk layout, or list the benchmarks."""

from __future__ import annotations

from pathlib import Path

import typer

from artscope.cli.common import JsonOption, console, print_json, progress_bar, reports_errors


def benchmark_rows() -> list[dict[str, object]]:
    """Every registered benchmark with its task, metrics, layout and where to get the data."""
    from artscope.tasks.eval import benchmarks

    rows = []
    for name in benchmarks.names():
        spec = benchmarks.get(name)
        rows.append({"name": name, "task": spec.task, "metrics": spec.metrics or ["(server-scored)"],
                     "layout": spec.layout, "source": spec.source, "not_implemented": spec.not_implemented,
                     "options": spec.options, "submission": spec.submission})
    return rows


def _print_list(json_out: bool) -> None:
    rows = benchmark_rows()
    if json_out:
        print_json(rows)
        return
    # one block per benchmark: layouts and sources are too long for table cells
    for row in rows:
        console.print(f"[bold]{row['name']}[/]  ({row['task']})", highlight=False)
        for label, value in (("reports", ", ".join(row["metrics"])), ("reads", row["layout"]),
                             ("get it", row["source"]), ("not done", row["not_implemented"] or "—")):
            console.print(f"  {label:8} {value}", markup=False, highlight=False, soft_wrap=True)


def eval_command(
    benchmark: str = typer.Argument(None, help="Benchmark name (see --list)."),
    data: Path = typer.Option(None, "--data", "-d", help="The benchmark's folder, in its published layout."),
    model: str = typer.Option("builtin", "--model", "-m", help="Embedder spec (builtin, hf:ID, colpali:ID)."),
    out: Path = typer.Option(None, "--out", "-o", help="Metrics JSON; predictions go to <out>.predictions.jsonl."),
    limit: int = typer.Option(None, "--limit", min=1, help="Evaluate only the first N items."),
    scale: str = typer.Option(None, "--scale", help="LOW,HIGH: the score range of an aesthetics test list "
                              "(artimuse-10k; e.g. 0,1 for ArtiMuse's FLICKR-AES list)."),
    list_: bool = typer.Option(False, "--list", help="List every benchmark: what it reads, reports and does not do."),
    json_out: bool = JsonOption,
) -> None:
    """Evaluate a model on a standard benchmark (resumable: rerun the same command to continue)."""
    from artscope.tasks.eval import run_benchmark

    if list_:
        _print_list(json_out)
        return
    if not benchmark or data is None:
        raise typer.BadParameter("Give a BENCHMARK and --data DIR (artscope eval --list shows them).")
    with progress_bar(benchmark) as bar:
        tasks: dict[str, object] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        result = run_benchmark(benchmark, data, model=model, out=out, limit=limit, progress=progress,
                               options=_options(scale))
    if json_out:
        print_json(result)
        return
    console.print(result.table_file.read_text(encoding="utf-8"), markup=False, highlight=False)
    console.print(f"metrics: {result.metrics_file}  predictions: {result.predictions}  ({result.seconds:.1f} s)")


def _options(scale: str | None) -> dict[str, object]:
    if scale is None:
        return {}
    try:
        low, high = (float(part) for part in scale.split(","))
    except ValueError:
        raise typer.BadParameter(f"--scale takes LOW,HIGH (e.g. 0,100), not {scale!r}.") from None
    return {"scale": (low, high)}


def register(app: typer.Typer, train_app: typer.Typer | None = None) -> None:
    """Add ``artscope eval`` to the command line (``train_app`` is unused: eval trains nothing)."""
    app.command(name="eval")(reports_errors(eval_command))
