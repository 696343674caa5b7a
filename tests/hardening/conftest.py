"""Shared by the hardening catalogue: one template store per module, copied per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import NOW, OPS, PEOPLE, P2P
from p2p.cli import cli

AVA_LINK = "https://v.example/ava.mp4"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The conftest store (people ava..mia, open challenge `pitch`) plus ava's
    submission, built once per module with the isolation of conftest's
    isolated_git (which is function-scoped, so it has not run yet here)."""
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("template-home")
        (home / ".gitconfig").write_text(
            f"[user]\n\tname = {OPS[0]}\n\temail = {OPS[1]}\n[init]\n\tdefaultBranch = main\n")
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        for key in [k for k in os.environ if k.startswith(("P2P_", "GIT_")) and k != "GIT_CONFIG_NOSYSTEM"]:
            mp.delenv(key)
        mp.setenv("P2P_NOW", NOW)
        root = tmp_path_factory.mktemp("template") / "store"
        assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
        p2p = P2P(root)
        for pid, (role, team) in PEOPLE.items():
            p2p("people", "add", pid, "--name", pid.title(), "--email", f"{pid}@example.com", "--role", role,
                "--team", team)
        p2p("challenge", "new", "pitch", "--type", "pitch-battle", "--title", "Pitch", "--opens", "2026-11-09",
            "--closes", "2026-11-15", "--review-closes", "2026-11-18")
        p2p("submit", "pitch", "--link", AVA_LINK, as_="ava")
    return root
