"""The house rules that code review would otherwise have to catch."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "artscope"
TASKS = [p.name for p in (SRC / "tasks").iterdir() if p.is_dir() and not p.name.startswith("_")]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("task", TASKS)
def test_tasks_do_not_import_each_other(task: str) -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in (SRC / "tasks" / task).rglob("*.py")
        for name in _imports(path)
        if name.startswith("artscope.tasks.") and name.split(".")[2] not in (task,)
    ]
    assert not offenders, "tasks reach each other only through public Collection methods: " + "; ".join(offenders)


def _offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{path.relative_to(SRC)} imports {name}" for path in (SRC / package).rglob("*.py")
            for name in _imports(path) if name.startswith(forbidden)]


def test_tasks_reach_ingest_only_through_the_collection() -> None:
    offenders = _offenders("tasks", ("artscope.ingest",))
    assert not offenders, "tasks call Collection.ingest / Collection.thumbnail_path: " + "; ".join(offenders)


@pytest.mark.parametrize(("package", "forbidden"), [
    ("media", ("artscope.ingest", "artscope.tasks", "artscope.server", "artscope.cli", "artscope.collection")),
    ("ingest", ("artscope.tasks", "artscope.server", "artscope.cli")),
    ("catalog", ("artscope.ingest", "artscope.tasks", "artscope.server", "artscope.cli")),
    ("index", ("artscope.ingest", "artscope.tasks", "artscope.server", "artscope.cli")),
    ("vlm", ("artscope.ingest", "artscope.tasks", "artscope.server", "artscope.cli", "artscope.collection")),
])
def test_layers_import_only_downwards(package: str, forbidden: tuple[str, ...]) -> None:
    offenders = _offenders(package, forbidden)
    assert not offenders, "a lower layer imports a higher one: " + "; ".join(offenders)


def test_heads_never_load_a_backbone() -> None:
    offenders = [f"{p.name}: {n}" for p in (SRC / "heads").rglob("*.py") for n in _imports(p)
                 if n.startswith(("artscope.embedders.hf", "artscope.embedders.colpali", "transformers"))]
    assert not offenders


def test_modules_stay_small() -> None:
    big = [f"{p.relative_to(SRC)}: {n}" for p in SRC.rglob("*.py") if (n := len(p.read_text().splitlines())) > 800]
    assert not big, f"split these modules by concept: {big}"


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "src", "tests", "benchmarks"], cwd=SRC.parents[1],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
