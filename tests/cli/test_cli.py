"""The command line, through Typer's runner: index, search, info, jobs, dialogue, passages, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from artscope.cli.main import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_index_then_search_info_and_jobs(synthetic_folder: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "c")
    code, out = _run("index", str(synthetic_folder), "-c", target, "--json", "--no-optimize")
    assert code == 0, out
    summary = json.loads(out[out.index("{"):])  # the runner mixes stderr (model loading) into out
    assert summary["added"] == 48 and summary["failed"] == 0
    code, out = _run("search", "portrait in blue", "-c", target, "--json", "-n", "3", "--facet", "genre")
    assert code == 0, out
    result = json.loads(out)
    assert result["hits"][0]["artwork"]["extra"]["genre"] == "portrait"
    assert set(result["facets"]["genre"]) <= {"portrait", "landscape", "still life"}
    code, out = _run("info", "-c", target, "--json")
    assert json.loads(out)["counts"]["artworks"] == 48
    code, out = _run("jobs", "-c", target, "--json")
    assert json.loads(out)[0]["id"] == summary["job_id"]
    code, out = _run("search", "-c", target, "--filter", "year=1840..1860", "dots")
    assert code == 0 and "candidates" in out


def test_dialogue_and_passages_commands(synthetic_collection, tmp_path: Path) -> None:
    target = str(synthetic_collection.path)
    synthetic_collection.close()
    code, out = _run("dialogue", "a painting", "-c", target, "--json")
    assert code == 0, out
    turn = json.loads(out)
    assert turn["question"]["options"]
    code, out = _run("dialogue", "-c", target, "--session", turn["session_id"], "--answer",
                     turn["question"]["options"][0], "--json")
    assert code == 0 and json.loads(out)["round"] == 2
    code, out = _run("passages", "workshop palette", "-c", target, "--json")
    assert code == 0 and json.loads(out)["hits"]


def test_errors_are_one_line_with_exit_code_2(tmp_path: Path) -> None:
    code, out = _run("search", "x", "-c", str(tmp_path / "missing"))
    assert code == 2 and "not an artscope collection" in out and "Traceback" not in out
    target = str(tmp_path / "c")
    _run("index", str(tmp_path), "-c", target, "--no-optimize")
    code, out = _run("search", "x", "-c", target, "--filter", "colour=red")
    assert code == 2 and "Unknown filter field 'colour'" in out
    code, out = _run("search", "-c", target)
    assert code == 2 and "Give a text query" in out


def test_index_json_is_valid_when_piped_and_progress_stays_off(tmp_path: Path) -> None:
    """A real process with stdout and stderr piped (not a terminal): stdout is the JSON and nothing else,
    and no progress bar is drawn on stderr either."""
    (tmp_path / "works.csv").write_text("id,title,date\n1,A harbour,1888\n2,A field,-500\n", encoding="utf-8")
    code = "from artscope.cli.main import app; app()"
    done = subprocess.run([sys.executable, "-c", code, "index", str(tmp_path / "works.csv"), "-c",
                           str(tmp_path / "c"), "--json", "--no-embed"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["added"] == 2 and summary["images_indexed"] == 0
    assert "indexing" not in done.stderr and "━" not in done.stderr
    done = subprocess.run([sys.executable, "-c", code, "embed", "-c", str(tmp_path / "c"), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["records"] == 2
    # loading the text models drew Hugging Face's own "Loading weights" bar on stderr
    assert "Loading weights" not in done.stderr and "it/s" not in done.stderr, done.stderr
