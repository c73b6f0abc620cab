"""``artscope serve COLLECTION``: the HTTP API and the web page, in one process that owns the collection."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from artscope.cli.common import console, open_collection, reports_errors
from artscope.errors import InvalidInputError


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    """Add the ``serve`` command."""
    app.command()(serve)


@reports_errors
def serve(
    collection: Path = typer.Argument(..., help="The collection directory to serve."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, min=1, max=65535),
    token_file: Path = typer.Option(None, help="A file holding the write token (else ARTSCOPE_TOKEN[_FILE]); "
                                               "without a token the service is read-only."),
    ingest_root: Path = typer.Option(None, help="Ingest jobs may read local files only under this directory "
                                                "(without it: http(s) URLs only)."),
    private: bool = typer.Option(False, help="Reads need the token too (not only writes)."),
) -> None:
    """Serve the JSON API (OpenAPI at /openapi.json) and the web page. One worker process: it owns the
    collection's index, so other writers go through its API."""
    try:
        import uvicorn
    except ImportError as exc:
        raise InvalidInputError("Serving needs the server extra: pip install 'artscope[server]'.") from exc
    from artscope.server import ServerConfig, create_app

    if ingest_root is not None and not ingest_root.is_dir():
        raise InvalidInputError(f"--ingest-root {ingest_root} is not a directory.")
    config = ServerConfig.from_settings(token_file=token_file, ingest_root=ingest_root,
                                        public_reads=not private)
    with open_collection(collection) as col:  # fails now, with a clear message, if another process owns it
        col.index  # noqa: B018
    application = create_app(collection, config)
    access = "writes need the token" if config.writable else "read-only (no token configured)"
    console.print(f"serving [bold]{collection}[/] at http://{host}:{port}  ({access})", highlight=False)
    if config.writable and not _is_loopback(host):
        console.print("[yellow]The token travels in clear over plain HTTP: put TLS in front of this "
                      "service.[/]")
    uvicorn.run(application, host=host, port=port, workers=1, log_level="info", timeout_keep_alive=5)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
