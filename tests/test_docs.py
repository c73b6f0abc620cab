"""Everything a user can type or set is documented (as datasette does), and CI runs the README's command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from artscope.cli.main import app
from artscope.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: Any, prefix: str = "artscope") -> dict[str, Any]:
    """Every leaf command by its full path (typer vendors click: groups are told by their commands)."""
    out: dict[str, Any] = {}
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            out |= _commands(command, path)
        else:
            out[path] = command
    return out


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```bash\n(python3 -m venv .+)\n```", readme)
    assert len(commands) == 2, "README must give exactly two set-up commands"
    assert commands[0].endswith("artscope demo") and commands[1].endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert commands[1] in ci  # (steps of their own, such as the schemathesis campaign, may follow it)


def test_every_cli_command_and_option_is_documented() -> None:
    docs = (ROOT / "docs" / "cli.md").read_text()
    group = typer.main.get_command(app)
    missing = []
    for path, command in _commands(group).items():
        match = re.search(rf"^### `{re.escape(path)}`\n(.*?)(?=^### |\Z)", docs, re.S | re.M)
        if match is None:
            missing.append(path)
            continue
        section = match.group(1)
        missing += [f"{path} {opt}" for param in command.params if param.param_type_name == "option"
                    for opt in param.opts[:1] if opt not in section]
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text()
    missing = [f"ARTSCOPE_{name.upper()}" for name in Settings.model_fields if f"ARTSCOPE_{name.upper()}" not in docs]
    assert not missing, f"undocumented in docs/settings.md: {missing}"
