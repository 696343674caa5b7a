"""The README and --help stay true: every command has help with an example and is in
the README, and the README's walkthrough runs as shown."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from p2p.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


COMMANDS = all_commands()


def test_the_root_help_lists_every_command():
    out = CliRunner().invoke(cli, ["--help"]).stdout
    for path in COMMANDS:
        if len(path) == 1:
            assert re.search(rf"^\s+{path[0]}\s", out, re.M), path


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: p2p {' '.join(path)} ")
    if "Commands:" not in result.stdout or "Example" in result.stdout:  # groups may just list commands
        assert "Example:" in result.stdout


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme(path):
    assert f"p2p {' '.join(path)}" in README


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.S)


def test_the_readme_walkthrough_runs_as_shown(tmp_path, isolated_git):
    """Runs the README's shell blocks (after the set-up block) in order, in one shell."""
    blocks = shell_blocks()
    assert blocks[0].startswith("make demo")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "demo", work / "demo")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_STEP_SUMMARY": str(summary), "P2P_NOW": "2026-11-22T12:00:00Z"}
    script = "set -euo pipefail\n" + "\n".join(blocks[1:])
    proc = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "| ava" in summary.read_text()
    assert "ava" in proc.stdout and '"challenge": "q4-pitch"' in proc.stdout
