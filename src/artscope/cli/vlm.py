"""``artscope train vlm``: LoRA fine-tuning of a vision-language model on a collection, for scoring
(``--task aesthetics``) or for answering questions (``--task qa``). Thin caller of the tasks' entry
functions (``artscope.tasks.aesthetics.vlm_training``, ``artscope.tasks.ask.vlm_training``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from artscope.cli.aesthetics import parse_fields, parse_scale
from artscope.cli.common import JsonOption, console, open_collection, print_json, progress_bar, reports_errors

if TYPE_CHECKING:
    from artscope.collection import Collection
    from artscope.vlm.training import Progress, TrainOptions, VlmTrainReport

TASKS = ("aesthetics", "qa")


def _aesthetics(collection: Collection, base: str, data: Path | None, format_name: str | None, score_field: str,
                scale: str | None, dimension_field: list[str] | None, options: TrainOptions,
                progress: Progress) -> VlmTrainReport:
    from artscope.tasks.aesthetics.training import from_collection, from_dataset
    from artscope.tasks.aesthetics.vlm_training import description_examples, train_aesthetics_vlm

    if (data is None) != (format_name is None):
        raise typer.BadParameter("For --task aesthetics, --data and --format go together.")
    if data is None:
        source = from_collection(collection, score_field, parse_scale(scale), parse_fields(dimension_field))
        return train_aesthetics_vlm(collection, base, source, options, progress)
    return train_aesthetics_vlm(collection, base, from_dataset(data, format_name), options, progress,
                                description_examples(data))


def _print(report: VlmTrainReport) -> None:
    console.print(f"adapter saved to [bold]{report.adapter_dir}[/] ({report.task}, base {report.base}): "
                  f"{report.train_examples} training and {report.test_examples} held-out examples, "
                  f"{report.training['steps']} steps in {report.training['seconds']:.1f} s on "
                  f"{report.training['device']} ({report.training['precision']})", highlight=False)
    console.print(f"  loss by epoch: {', '.join(f'{v:.3f}' for v in report.epoch_losses)}", highlight=False)
    for name, value in report.metrics.items():
        console.print(f"  {name:<28} {value:.4f}", highlight=False)
    console.print(f"use it: --vlm adapter:{report.adapter_dir}", highlight=False)


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    """Add ``vlm`` to ``train``."""

    @train_app.command("vlm")
    @reports_errors
    def train_vlm(
        collection: Path = typer.Option(..., "--collection", "-c", help="The collection (the adapter is saved in "
                                        "its heads/)."),
        base: str = typer.Option(..., "--base", help="The model to fine-tune: hf:ID_OR_FOLDER (or a folder)."),
        task: str = typer.Option(..., "--task", help="aesthetics (scores) or qa (questions about works)."),
        data: Path = typer.Option(None, "--data", help="aesthetics: a scored dataset's folder (with --format); "
                                  "qa: a MUSEUM-style qa.jsonl (or its folder). Default: the collection."),
        format_name: str = typer.Option(None, "--format", help="aesthetics with --data: ava, tad66k, para, "
                                        "flickr-aes, apddv2 (also ArtQuant's layout), artimuse10k."),
        score_field: str = typer.Option("aesthetic_score", help="aesthetics without --data: the score field."),
        scale: str = typer.Option(None, help="aesthetics without --data: the score range LOW,HIGH."),
        dimension_field: list[str] = typer.Option(None, help="aesthetics without --data: DIMENSION=FIELD."),
        kinds: str = typer.Option(None, help="qa without --data: question kinds, comma-separated (default all)."),
        epochs: int = typer.Option(3, min=1),
        max_steps: int = typer.Option(None, min=1, help="Stop after this many optimizer steps."),
        batch_size: int = typer.Option(4, min=1),
        gradient_accumulation: int = typer.Option(1, min=1, help="Micro-batches per optimizer step."),
        learning_rate: float = typer.Option(2e-4),
        lora_rank: int = typer.Option(16, min=1),
        lora_alpha: int = typer.Option(32, min=1),
        lora_dropout: float = typer.Option(0.05),
        target_modules: str = typer.Option("all-linear", help="LoRA targets: all-linear or q_proj,v_proj,..."),
        precision: str = typer.Option("auto", help="auto (bf16 on a GPU that has it, else fp32), fp32, bf16, fp16."),
        gradient_checkpointing: bool = typer.Option(False, help="Trade compute for memory."),
        seed: int = typer.Option(0),
        device: str = typer.Option(None, help="cpu, cuda, cuda:N (default: the best available)."),
        max_new_tokens: int = typer.Option(32, min=1, help="qa: the longest answer generated when evaluating."),
        json_out: bool = JsonOption,
    ) -> None:
        """Fine-tune a vision-language model with LoRA; prints the held-out metrics."""
        from artscope.tasks.ask.vlm_training import train_qa_vlm
        from artscope.vlm.training import options_from

        if task not in TASKS:
            raise typer.BadParameter(f"--task is aesthetics or qa, not {task!r}.")
        if task == "qa" and format_name:
            raise typer.BadParameter("--format is for --task aesthetics; a qa file's layout is fixed.")
        options = options_from(
            epochs=epochs, max_steps=max_steps, batch_size=batch_size, gradient_accumulation=gradient_accumulation,
            learning_rate=learning_rate, lora_rank=lora_rank, lora_alpha=lora_alpha, lora_dropout=lora_dropout,
            target_modules=target_modules, precision=precision, gradient_checkpointing=gradient_checkpointing,
            seed=seed, device=device)
        spec = base if ":" in base else f"hf:{base}"
        with open_collection(collection) as col, progress_bar("fine-tuning") as bar:
            job = bar.add_task("steps", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(job, completed=done, total=total)

            if task == "aesthetics":
                report = _aesthetics(col, spec, data, format_name, score_field, scale, dimension_field, options,
                                     progress)
            else:
                wanted = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None
                report = train_qa_vlm(col, spec, data, options, wanted, max_new_tokens, progress)
        if json_out:
            print_json(report)
        else:
            _print(report)
