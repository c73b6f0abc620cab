"""``artscope ask``: a question about a collection, answered from its records with citations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer
from rich.markup import escape

from artscope.cli.common import (
    CollectionOption,
    JsonOption,
    console,
    open_collection,
    print_json,
    reports_errors,
)

if TYPE_CHECKING:  # imported lazily at run time: `artscope --help` stays fast
    from artscope.llm import ChatClient
    from artscope.tasks.ask.types import Answer


def _client(url: str | None, model: str | None, key: str | None,
            model_free: bool) -> ChatClient | Literal["auto"] | None:
    """The language model the options choose: none, the one named, or the configured one ("auto")."""
    from artscope.config import get_settings
    from artscope.llm import ChatClient

    if model_free:
        return None
    if not url:
        return "auto"
    settings = get_settings()
    return ChatClient(url, model or settings.llm_model or "", api_key=key or settings.llm_api_key,
                      timeout_s=settings.llm_timeout_s)


def _print_answer(answer: Answer) -> None:
    console.print(answer.text, highlight=False, markup=False)  # answers hold [record:...] markers
    identified = answer.identified
    if identified is not None and identified.artwork_id:
        verdict = "" if identified.in_collection else " [yellow](probably not in the collection)[/]"
        console.print(f"[dim]image matched[/] {identified.artwork_id} “{escape(identified.title or '')}”: "
                      f"{identified.match}, similarity {identified.similarity:.3f}{verdict}", highlight=False)
    flags = f"  flags: {', '.join(answer.flags)}" if answer.flags else ""
    console.print(f"[dim]{answer.kind} question, {answer.answerer}, "
                  f"confidence {answer.confidence:.2f}{flags}[/]", highlight=False)
    if answer.citations:
        console.print("[bold]citations[/]")
        for citation in answer.citations:
            extra = f" p={citation.probability:.2f}" if citation.probability is not None else ""
            console.print(f"  {escape(citation.marker)}{extra}  [dim]{escape(citation.source or '')}[/]",
                          highlight=False)
            if citation.quote:
                console.print(f"      “{citation.quote}”", highlight=False, markup=False)
    if answer.steps:
        console.print("[bold]steps[/]")
        for number, step in enumerate(answer.steps, start=1):
            outcome = f"[red]error:[/] {escape(step.error)}" if step.error else escape(step.result)
            console.print(f"  {number}. {step.tool} {escape(str(step.arguments or ''))} -> {outcome}",
                          highlight=False)
    for note in answer.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


def ask_command(
    question: str = typer.Argument(..., help="The question, in words."),
    collection: Path = CollectionOption,
    image: str = typer.Option(None, "--image", "-i", help="An image the question is about (path or URL)."),
    artwork: str = typer.Option(None, "--artwork", "-a", help="The id of the artwork the question is about."),
    llm_url: str = typer.Option(None, "--llm-url", help="OpenAI-compatible endpoint (or ARTSCOPE_LLM_URL)."),
    llm_model: str = typer.Option(None, "--llm-model", help="Model to ask there (or ARTSCOPE_LLM_MODEL)."),
    llm_key: str = typer.Option(None, "--llm-key", help="The endpoint's API key (or ARTSCOPE_LLM_API_KEY)."),
    model_free: bool = typer.Option(False, "--model-free", help="Answer without a language model."),
    vlm: str = typer.Option(None, "--vlm", help="A vision-language model answers from the image, checked against "
                            "the records: adapter:DIR (from `artscope train vlm --task qa`) or hf:ID_OR_DIR."),
    max_steps: int = typer.Option(6, "--max-steps", min=1, max=20, help="Tool-calling rounds of the model."),
    json_out: bool = JsonOption,
) -> None:
    """Answer a question from the collection's records and passages, citing them."""
    client = _client(llm_url, llm_model, llm_key, model_free)
    try:
        with open_collection(collection) as col:
            answer = col.ask(question, image=image, artwork_id=artwork, llm=client, max_steps=max_steps, vlm=vlm)
    finally:
        if client is not None and client != "auto":
            client.close()
    if json_out:
        print_json(answer)
        return
    _print_answer(answer)


def register(app: typer.Typer, train_app: typer.Typer | None = None) -> None:
    """Add ``artscope ask`` to the command line (``train_app`` is unused: ask trains nothing)."""
    app.command(name="ask")(reports_errors(ask_command))
