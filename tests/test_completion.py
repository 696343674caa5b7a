"""Shell completion: scripts for bash, zsh and fish, and Tab on slugs and ids."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

P2P = [str(Path(sys.executable).parent / "p2p")]  # the installed script: completion keys on its name


def complete(cwd, words: str, env_extra=None) -> list[str]:
    """What Tab offers after `words` (bash's protocol: one `type,value` per line)."""
    parts = words.split(" ")
    env = {**os.environ, "_P2P_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1),
           **(env_extra or {})}
    proc = subprocess.run(P2P, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines() if line]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_a_script_that_calls_back_into_p2p(p2p, shell):
    script = p2p("completion", shell).stdout
    assert "_P2P_COMPLETE" in script and f"{shell}_complete" in script


def test_tab_completes_challenge_slugs_person_ids_and_commands(p2p):
    p2p("challenge", "new", "pipeline-review", "--type", "deal-dissection", "--title", "Pipeline", "--opens",
        "2026-11-09", "--closes", "2026-11-15")
    assert complete(p2p.root, "p2p submit pi") == ["pipeline-review", "pitch"]
    assert complete(p2p.root, "p2p rate pitch e") == ["eli"]
    assert complete(p2p.root, "p2p --as d") == ["dia"]
    assert "leaderboard" in complete(p2p.root, "p2p lea")
    # from elsewhere, with the store named by --store or P2P_STORE
    assert complete(p2p.root.parent, f"p2p --store {p2p.root} explain pit") == ["pitch"]
    assert complete(p2p.root.parent, "p2p leaderboard p", {"P2P_STORE": str(p2p.root)}) == ["pipeline-review", "pitch"]


def test_outside_a_store_tab_offers_nothing_and_says_nothing(tmp_path):
    assert complete(tmp_path, "p2p submit p") == []
