"""The GitHub Action, the GitLab template and their examples: valid YAML, inputs
passed only through the environment, writers serialised, and the exact commands
the examples run, run against a temporary store with a shared remote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, git

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
TEMPLATE = yaml.safe_load((ROOT / "ci" / "p2p.gitlab-ci.yml").read_text())
GITHUB = yaml.safe_load((ROOT / "examples" / "github" / "p2p.yml").read_text())
GITLAB = yaml.safe_load((ROOT / "examples" / "gitlab" / ".gitlab-ci.yml").read_text())
SPEC = """slug: q1-pitch
type: pitch-battle
title: Q1 pitch battle
opens: 2026-11-09
closes: 2026-11-15
"""


def test_the_action_passes_inputs_through_the_environment_only():
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    for step in steps:
        assert "${{" not in step.get("run", ""), f"an input pasted into a script: {step['run']}"
    run = steps[-1]
    assert run["run"] == "python -m p2p.ci"
    assert run["env"] == {"P2P_COMMANDS": "${{ inputs.commands }}", "P2P_SUMMARY": "${{ inputs.summary }}",
                          "P2P_AS": "${{ inputs.as }}"}
    assert set(ACTION["inputs"]) == {"commands", "summary", "store", "as", "python-version", "p2p-spec"}


def test_writers_are_serialised_in_both_ci_systems():
    assert GITHUB["concurrency"] == {"group": "p2p-store", "cancel-in-progress": False}
    assert TEMPLATE[".p2p"]["resource_group"] == "p2p-store"
    assert TEMPLATE[".p2p"]["script"] == ["python -m p2p.ci"]
    assert GITLAB["p2p"]["extends"] == ".p2p"
    assert (ROOT / ".pre-commit-hooks.yaml").is_file()
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    assert (hook["id"], hook["entry"], hook["pass_filenames"]) == ("p2p-check", "p2p check", False)


@pytest.fixture
def ci_store(p2p, tmp_path):
    """A store with a spec folder, cloned from a bare remote, as a CI job checks it out."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(p2p.root, "remote", "add", "origin", str(remote))
    git(p2p.root, "push", "-q", "origin", "HEAD:main")
    clone = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
    (clone / "specs").mkdir()
    (clone / "specs" / "q1-pitch.yaml").write_text(SPEC)
    return clone, remote


def run_like_ci(clone: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "P2P_SUMMARY_FILE": str(clone / "summary.md")}
    full.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run([sys.executable, "-m", "p2p.ci"], cwd=clone, env=full, capture_output=True, text=True,
                          timeout=300)


def test_the_github_example_runs_its_commands_against_a_store(ci_store):
    clone, remote = ci_store
    step = next(s for s in GITHUB["jobs"]["p2p"]["steps"] if str(s.get("uses", "")).startswith("example/p2p"))
    proc = run_like_ci(clone, {"P2P_COMMANDS": step["with"]["commands"], "P2P_SUMMARY": step["with"]["summary"]})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "$ p2p challenge apply specs/" in proc.stdout and "$ p2p publish wiki/ --target github" in proc.stdout
    assert (clone / "wiki" / "Home.md").is_file() and (clone / "wiki" / "challenge-q1-pitch.md").is_file()
    assert "### Season" in (clone / "summary.md").read_text()
    assert "challenges/q1-pitch.yaml" in git(remote, "ls-tree", "-r", "--name-only", "main")  # written and pushed


def test_the_gitlab_example_runs_its_commands_against_a_store(ci_store):
    clone, _ = ci_store
    variables = {**TEMPLATE[".p2p"]["variables"], **GITLAB["p2p"]["variables"]}
    proc = run_like_ci(clone, {"P2P_COMMANDS": variables["P2P_COMMANDS"], "P2P_SUMMARY": variables["P2P_SUMMARY"]})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (clone / "wiki" / "home.md").is_file()  # the gitlab target's home page
    assert "### Season" in (clone / "summary.md").read_text()


def test_a_failing_command_stops_the_job_with_its_exit_code_and_quotes_are_not_a_shell(ci_store):
    clone, _ = ci_store
    proc = run_like_ci(clone, {"P2P_COMMANDS": "check\nchallenge show 'no such; rm -rf /'\npublish wiki/"})
    assert proc.returncode == 1
    assert "challenge 'no such; rm -rf /'" in proc.stderr or "no such; rm -rf /" in proc.stderr
    assert not (clone / "wiki").exists()  # never reached
