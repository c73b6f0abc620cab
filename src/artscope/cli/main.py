"""The ``artscope`` command: index, search, describe, score, ask, train, eval, serve, demo."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer
from rich.table import Table

from artscope.cli.common import (
    CollectionOption,
    JsonOption,
    console,
    open_collection,
    parse_filters,
    print_json,
    progress_bar,
    reports_errors,
    setup_logging,
)
from artscope.tasks.search.types import SearchHit

app = typer.Typer(name="artscope", no_args_is_help=True, add_completion=False,
                  help="Search, describe, score and ask about the artworks of a collection.")
train_app = typer.Typer(no_args_is_help=True, help="Train heads on the collection's own labels or scores.")
app.add_typer(train_app, name="train")

WorkersOption = typer.Option(None, min=0, help="Processes that read, decode and embed images (more than 2 embed "
                                               "texts too; default: ARTSCOPE_INGEST_WORKERS; 0: one per core beyond "
                                               "2 cores).")
RayOption = typer.Option(None, help="Read, decode and embed images, and embed the records' and passages' "
                                    "texts, on a Ray cluster: its address (host:6379, ray://host:10001), "
                                    "auto (the cluster this machine is in) or local (start Ray here). Needs "
                                    "artscope[ray].")

# Commands of the other tasks live in their own modules, each with register(app, train_app).
TASK_COMMAND_MODULES: tuple[str, ...] = ("eval", "attributes", "aesthetics", "ask", "serve", "vlm", "curate")


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details.")) -> None:
    setup_logging(verbose)


@app.command()
@reports_errors
def index(
    sources: list[str] = typer.Argument(None, help="Folders, catalogues, IIIF manifests, museum exports, passages."),
    collection: Path = CollectionOption,
    embedder: str = typer.Option("builtin", help="Embedder spec for a new collection (builtin, hf:ID, colpali:ID)."),
    kind: str = typer.Option(None, help="Source kind, when it cannot be told from the files."),
    sidecar: Path = typer.Option(None, help="A CSV/JSON/JSONL catalogue for a folder of images."),
    mapping: list[str] = typer.Option(None, "--map", help="Column mapping, SOURCE_COLUMN=field (repeatable)."),
    join_on: str = typer.Option(None, help="Sidecar column that holds the image file name or id."),
    limit: int = typer.Option(None, help="Ingest at most this many items per source."),
    category: str = typer.Option(None, help="Wikipedia dumps: keep the articles of this category (and below)."),
    depth: int = typer.Option(5, min=0, help="Wikipedia dumps: levels of subcategories --category takes in."),
    pages: Path = typer.Option(None, help="Wikipedia dumps: a file of page titles to keep, one a line."),
    images: Path = typer.Option(None, help="Wikipedia dumps: a folder of the Commons files passages show."),
    resume: str = typer.Option(None, help="Resume an interrupted ingest job by its id."),
    index_url: str = typer.Option(None, help="Use a Qdrant server or cluster at this URL (new collections)."),
    optimize: bool = typer.Option(True, help="Build the approximate index after ingest."),
    embed: bool = typer.Option(True, help="Compute vectors now; --no-embed stores records at catalogue speed "
                                          "and leaves the vectors to `artscope embed`."),
    workers: int = WorkersOption,
    ray: str = RayOption,
    json_out: bool = JsonOption,
) -> None:
    """Add sources to a collection (created on first use), embedding and indexing them."""
    import artscope
    from artscope.ingest.sources.base import SourceOptions

    mapping_dict = {}
    for item in mapping or []:
        column, sep, field = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--map takes SOURCE_COLUMN=field, not {item!r}")
        mapping_dict[column] = field
    with artscope.create(collection, embedder=embedder, index_url=index_url, exist_ok=True) as col:
        if resume:
            job = col.catalog.job(resume)
            sources = sources or job["params"]["locations"]
            kind = kind or job["params"].get("kind")
        if not sources:
            raise typer.BadParameter("Name at least one source (or --resume JOB).")
        options = SourceOptions(sidecar=sidecar, mapping=mapping_dict, join_on=join_on, limit=limit,
                                category=category, depth=depth, pages=pages, image_dir=images)
        with progress_bar("indexing") as bar:
            task = bar.add_task("indexing", total=None)
            summary = col.ingest(sources, options=options, kind=kind, job_id=resume, embed=embed, workers=workers,
                                 ray=ray, progress=lambda done, total: bar.update(task, completed=done, total=total))
        if optimize and embed:
            col.optimize()
    if json_out:
        print_json(summary)
        return
    console.print(f"job [bold]{summary.job_id}[/]: {summary.added} added, {summary.updated} updated, "
                  f"{summary.unchanged} unchanged, {summary.duplicates} duplicates, {summary.failed} failed, "
                  f"{len(summary.warnings)} with warnings, {summary.passages} passages, "
                  f"{summary.images_indexed} images indexed in {summary.seconds:.1f} s")
    for label, items in (("[red]failed[/]", summary.errors), ("[yellow]warning[/]", summary.warnings)):
        for item in items[:20]:
            console.print(f"  {label} {item.key}: {item.error}", highlight=False)
        if len(items) > 20:
            console.print(f"  ... and {len(items) - 20} more (artscope jobs -c DIR --job {summary.job_id})")


@app.command()
@reports_errors
def embed(
    collection: Path = CollectionOption,
    embedder: str = typer.Option(None, help="Re-embed everything with this embedder spec (a new index replaces "
                                            "the old one when complete; run again to finish a stopped one)."),
    optimize: bool = typer.Option(True, help="Build the approximate index afterwards."),
    workers: int = WorkersOption,
    ray: str = RayOption,
    json_out: bool = JsonOption,
) -> None:
    """Compute the vectors still pending (after `index --no-embed`), or re-embed with another embedder."""
    with open_collection(collection) as col:
        with progress_bar("embedding") as bar:
            task = bar.add_task("embedding", total=None)
            summary = col.embed(embedder, workers=workers, ray=ray,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
        if optimize:
            col.optimize()
    if json_out:
        print_json(summary)
        return
    console.print(f"embedder [bold]{summary.embedder}[/]: {summary.images} images, {summary.records} records, "
                  f"{summary.passages} passages embedded" + (" (a stopped re-embedding finished)" if summary.resumed
                                                           else ""))


@app.command()
@reports_errors
def search(
    query: str = typer.Argument(None, help="What to look for, in words."),
    collection: Path = CollectionOption,
    image: str = typer.Option(None, "--image", "-i", help="A query image (path or URL)."),
    like: str = typer.Option(None, help="More like this: an artwork id of the collection."),
    filters: list[str] = typer.Option(None, "--filter", "-f", help="field=value, field=a|b, year=1850..1900."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=500, help="How many results to show."),
    offset: int = typer.Option(0, min=0, help="Skip this many results (pagination)."),
    min_score: float = typer.Option(None, help="Relevance cutoff on similarity (0..1)."),
    facets: list[str] = typer.Option(None, "--facet", help="Count the candidates by this field (repeatable)."),
    identify: bool = typer.Option(False, help="Photo of a work: verify matches geometrically (ORB + RANSAC)."),
    reason: bool = typer.Option(False, help="Image + words: let the configured language model reason (ImageScope)."),
    json_out: bool = JsonOption,
) -> None:
    """Search artworks by text, by image, or both (composed: the image changed as the words say)."""
    with open_collection(collection) as col:
        result = col.search(query, image=image, artwork_id=like, filters=parse_filters(filters), limit=limit,
                            offset=offset, min_score=min_score, facets=facets or [], verify=identify,
                            reason=reason)
    if json_out:
        print_json(result)
        return
    if result.no_good_match:
        console.print("[yellow]Not in the collection: no good match.[/]" if identify
                      else "[yellow]No good match in the collection.[/]")
    for note in result.notes:
        console.print(f"[dim]{note}[/]", highlight=False)
    _print_hits(result.hits, f"{result.total} candidates, {result.took_ms:.0f} ms", offset, result.score_label)
    for field, counts in result.facets.items():
        console.print(f"[bold]{field}[/]: " + ", ".join(f"{k} ({v})" for k, v in counts.items()))


def _print_hits(hits: list[SearchHit], title: str, offset: int = 0, score_label: str = "fused rank") -> None:
    """The hits in their order, with the number that orders them (named by ``score_label``)."""
    table = Table(title=title)
    for column in ("#", "id", "title", "artist", "date", score_label, "signals"):
        table.add_column(column)
    for rank, hit in enumerate(hits, start=offset + 1):
        art = hit.artwork
        signals = " ".join(f"{s.name}#{s.rank}" for s in hit.signals)
        table.add_row(str(rank), art.id, art.title or "", ", ".join(art.artists), art.date or "",
                      f"{hit.score:.3f}", signals + (f" ({hit.match})" if hit.match else ""))
    console.print(table)


@app.command()
@reports_errors
def dialogue(
    query: str = typer.Argument(None, help="The first query (words); omit with --session."),
    collection: Path = CollectionOption,
    image: str = typer.Option(None, "--image", "-i", help="Start from an image."),
    session: str = typer.Option(None, help="Continue (or show) a stored session by id."),
    answer: str = typer.Option(None, help="Answer the session's last question (a quick answer or words)."),
    filters: list[str] = typer.Option(None, "--filter", "-f", help="Filters for a new session."),
    limit: int = typer.Option(5, "--limit", "-n", min=1, max=100, help="How many results to show per turn."),
    llm: bool = typer.Option(False, "--llm", help="Let the configured language model ask (ChatIR-style)."),
    json_out: bool = JsonOption,
) -> None:
    """A search that narrows down by clarifying questions; interactive on a terminal."""
    import sys

    from artscope.tasks.search.dialogue import answer_dialogue, resume_dialogue, start_dialogue

    with open_collection(collection) as col:
        if session and answer is not None:
            turn = answer_dialogue(col, session, answer, limit=limit)
        elif session:
            turn = resume_dialogue(col, session, limit=limit)
        else:
            turn = start_dialogue(col, text=query, image=image, filters=parse_filters(filters), limit=limit,
                                  use_llm=llm)
        while True:
            if json_out:
                print_json(turn)
                return
            _print_hits(turn.hits, f"round {turn.round} (session {turn.session_id})")
            if turn.question is None or not sys.stdin.isatty():
                if turn.question:
                    console.print(f"[bold]{turn.question.text}[/]  answer with: artscope dialogue -c "
                                  f"{collection} --session {turn.session_id} --answer ...")
                return
            reply = typer.prompt(f"{turn.question.text} [{' / '.join(turn.question.options)} / skip / done]",
                                 default="done")
            if reply.strip().lower() == "done":
                return
            turn = answer_dialogue(col, turn.session_id, reply, limit=limit)


@app.command()
@reports_errors
def passages(
    query: str = typer.Argument(None, help="Words to find passages for."),
    collection: Path = CollectionOption,
    image: str = typer.Option(None, "--image", "-i", help="Passages about the work in this image."),
    artwork: str = typer.Option(None, help="Only passages tied to this artwork id."),
    limit: int = typer.Option(5, "--limit", "-n", min=1, max=200, help="How many passages to show."),
    json_out: bool = JsonOption,
) -> None:
    """Text fragments (wall texts, encyclopedia paragraphs) for words, an image, or an artwork."""
    from artscope.tasks.search.passages import PassageSearchRequest, search_passages

    with open_collection(collection) as col:
        result = search_passages(col, PassageSearchRequest(text=query, image=image, artwork_id=artwork,
                                                           limit=limit))
    if json_out:
        print_json(result)
        return
    if result.no_good_match:
        console.print("[yellow]No passage matches.[/]")
    for hit in result.hits:
        p = hit.passage
        console.print(f"[bold]{p.id}[/] ({hit.similarity:.3f}) {hit.artwork_title or ''} [dim]{p.source or ''}[/]")
        console.print(f"   {p.text}", highlight=False)
        for shown in p.images:
            console.print(f"   [dim]image: {shown.file}{': ' + shown.caption if shown.caption else ''}[/]",
                          highlight=False)
        if p.url:
            console.print(f"   [dim]{p.url}[/]", highlight=False)


@app.command()
@reports_errors
def info(collection: Path = CollectionOption, json_out: bool = JsonOption) -> None:
    """What a collection holds and which models built it."""
    with open_collection(collection) as col:
        data = {"path": str(col.path), "manifest": col.manifest.model_dump(), "counts": col.catalog.counts(),
                "fields": col.catalog.user_fields()}
    if json_out:
        print_json(data)
        return
    console.print(f"[bold]{data['path']}[/]  embedder {col.info.spec}  index {col.manifest.index.kind}")
    console.print(", ".join(f"{k}: {v}" for k, v in data["counts"].items()))
    if data["fields"]:
        console.print("user fields: " + ", ".join(data["fields"]))


@app.command()
@reports_errors
def fields(
    collection: Path = CollectionOption,
    facets: str = typer.Option(None, help="Name the facet fields, comma-separated ('' for the automatic choice)."),
    filter_fields: str = typer.Option(None, "--filters", help="Name the filter fields, comma-separated ('' for all)."),
    json_out: bool = JsonOption,
) -> None:
    """The keyword fields a collection holds (values, distinct values, mean length), which are facets
    and dialogue questions, and which filters may name; --facets / --filters set them."""
    from artscope.tasks.search.facets import facet_fields, keyword_fields, profile, question_fields

    def names(text: str | None) -> list[str] | None:
        return None if text is None else [n.strip() for n in text.split(",") if n.strip()]

    with open_collection(collection) as col:
        if filter_fields is not None:
            col.set_filters(names(filter_fields) or None, actor="cli")
        if facets is not None:
            col.set_facets(names(facets) or None, actor="cli")
        profiles = [profile(col, name) for name in keyword_fields(col)]
        data = {"facets": facet_fields(col), "questions": question_fields(col), "filters": sorted(col.filter_fields()),
                "facets_set": col.manifest.facets is not None, "filters_set": col.manifest.filters is not None,
                "fields": [vars(p) | {"facet_like": p.facet_like} for p in profiles]}
    if json_out:
        print_json(data)
        return
    table = Table(title="keyword fields")
    for column in ("field", "records with a value", "distinct", "mean length", "facet"):
        table.add_column(column)
    for item in data["fields"]:
        table.add_row(item["name"], str(item["with_value"]), str(item["distinct"]), f"{item['mean_length']:.0f}",
                      "yes" if item["name"] in data["facets"] else "")
    console.print(table)
    console.print(f"facets ({'set' if data['facets_set'] else 'automatic'}): {', '.join(data['facets'])}")
    console.print(f"dialogue questions: {', '.join(data['questions'])}")
    console.print(f"filters ({'set' if data['filters_set'] else 'every field'}): {', '.join(data['filters'])}")


@app.command()
@reports_errors
def jobs(collection: Path = CollectionOption, job: str = typer.Option(None, help="One job, with its errors."),
         json_out: bool = JsonOption) -> None:
    """Ingest jobs and their per-item errors."""
    with open_collection(collection) as col:
        data = [col.catalog.job(job)] if job else col.catalog.jobs()
    if json_out:
        print_json(data)
        return
    for item in data:
        console.print(f"[bold]{item['id']}[/] {item['state']} {item['started_at']} {item['counts']}")
        for error in item["errors"]:
            console.print(f"  [red]{error['item_key']}[/]: {error['error']}", highlight=False)


@app.command()
@reports_errors
def optimize(collection: Path = CollectionOption) -> None:
    """Build the approximate index (HNSW, quantization); searches are exact until then."""
    with open_collection(collection) as col:
        col.optimize()
    console.print("index optimized")


@app.command()
@reports_errors
def demo(collection: Path = typer.Argument(Path("demo-collection"), help="Where to build the demo collection."),
         ) -> None:
    """Index the bundled sample collection and run a few searches."""
    import artscope
    from artscope.demo import DEMO_QUERIES, SAMPLE_COLLECTION

    with artscope.create(collection, exist_ok=True) as col:
        with progress_bar("indexing the sample collection") as bar:
            task = bar.add_task("indexing", total=None)
            summary = col.ingest([str(SAMPLE_COLLECTION)],
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
        col.optimize()
        console.print(f"{summary.added} artworks, {summary.passages} passages, "
                      f"{summary.images_indexed} images indexed in {summary.seconds:.1f} s\n")
        for query in DEMO_QUERIES:
            result = col.search(query, limit=3)
            console.print(f"[bold]search[/] {query!r}")
            for hit in result.hits:
                console.print(f"   {hit.similarity:.3f}  {hit.artwork.title}  [dim]({hit.artwork.id})[/]")
        first = SAMPLE_COLLECTION / "images" / "van-gogh-cafe-terrace-at-night.jpg"
        result = col.search(image=str(first), limit=3)
        console.print(f"[bold]search by image[/] {first.name}")
        for hit in result.hits:
            console.print(f"   {hit.similarity:.3f}  {hit.artwork.title}  [dim]({hit.match})[/]")
    console.print(f"\nNext: [bold]artscope search \"...\" -c {collection}[/], or serve it with "
                  f"[bold]artscope serve {collection}[/] and open http://127.0.0.1:8000")


for _module in TASK_COMMAND_MODULES:
    importlib.import_module(f"artscope.cli.{_module}").register(app, train_app)
