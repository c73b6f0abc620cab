"""``artscope serve``: it refuses to start, with a clear message, when it could not serve; and every route
and option is documented (docs/http-api.md, docs/web.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import artscope
from artscope.cli.main import app
from artscope.server import ServerConfig, create_app

DOCS = Path(__file__).resolve().parents[2] / "docs"
runner = CliRunner()


def serve(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["serve", *args])
    return result.exit_code, " ".join(result.output.split())


def test_serve_refuses_what_is_not_a_collection(tmp_path: Path) -> None:
    code, output = serve(str(tmp_path))
    assert code == 2 and "not an artscope collection" in output


def test_serve_refuses_a_bad_ingest_root_or_token_file(tmp_path: Path, collection_dir: Path) -> None:
    code, output = serve(str(collection_dir), "--ingest-root", str(tmp_path / "missing"))
    assert code == 2 and "is not a directory" in output
    (tmp_path / "token").write_text("")
    code, output = serve(str(collection_dir), "--token-file", str(tmp_path / "token"))
    assert code == 2 and "is empty" in output


def test_serve_refuses_a_collection_another_process_owns(collection_dir: Path) -> None:
    with artscope.open(collection_dir) as owner:
        owner.index  # noqa: B018  (holds the index, as a running service would)
        code, output = serve(str(collection_dir))
    assert code == 2 and "open in another process" in output


def test_every_route_is_documented(collection_dir: Path) -> None:
    text = (DOCS / "http-api.md").read_text(encoding="utf-8")
    schema = create_app(collection_dir, ServerConfig()).openapi()
    documented = set(re.findall(r"^#+ `(GET|POST|PUT|PATCH|DELETE) ([^`]+)`", text, flags=re.MULTILINE))
    routes = {(method.upper(), path) for path, operations in schema["paths"].items() for method in operations}
    assert routes <= documented, f"undocumented: {sorted(routes - documented)}"
    assert documented <= routes, f"documented but gone: {sorted(documented - routes)}"


@pytest.mark.parametrize("option", ["--host", "--port", "--token-file", "--ingest-root", "--private",
                                    "ARTSCOPE_TOKEN", "ARTSCOPE_TOKEN_FILE", "ARTSCOPE_MAX_UPLOAD_BYTES",
                                    "ARTSCOPE_REQUEST_TIMEOUT_S", "ARTSCOPE_MAX_IMAGE_PIXELS", "ARTSCOPE_RATE_LIMIT",
                                    "ARTSCOPE_HEAVY_RATE_LIMIT", "ARTSCOPE_CORS_ORIGINS", "ARTSCOPE_PUBLIC_JOBS"])
def test_every_option_and_setting_is_documented(option: str) -> None:
    assert option in (DOCS / "web.md").read_text(encoding="utf-8") + (DOCS / "http-api.md").read_text("utf-8")
