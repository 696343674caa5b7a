"""Cold tallies folded by worker processes (p2p.store.warmup): they fill the caches a
whole-store read then reads, the output is the same with them or without, and a
worker that cannot start or fails costs nothing but the time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_NOW, git
from p2p.errors import InvalidInput
from p2p.store import layout, loader, warmup
from p2p.store.repo import Git
from p2p.store.tallies import TallyCache


def clone(source: Path, root: Path) -> Path:
    """A clone with no .git/p2p: every challenge is cold."""
    subprocess.run(["git", "clone", "-q", str(source), str(root)], check=True)
    return root


def cold_challenges(root: Path) -> tuple[Git, str, dict[str, str]]:
    """(git, HEAD, {slug: entries tree} of every challenge a whole-store read folds)."""
    repo = Git(root)
    commit = git(root, "rev-parse", "HEAD")
    snapshot = loader.load(repo, commit, ())
    trees = {item.path.partition("/")[2]: item.oid for item in loader._top(repo, commit, False)
             if item.path.startswith(f"{layout.ENTRIES}/")}
    return repo, commit, {slug: trees[slug] for slug, c in snapshot.challenges.items()
                          if c.race is None and slug in trees}


def p2p_out(root: Path, *args: str, jobs: str) -> str:
    """p2p in its own process (the in-process caches of a test run would answer for it)."""
    env = {**os.environ, "P2P_JOBS": jobs, "P2P_NOW": DEMO_NOW, "P2P_SYNC": "0"}
    proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(root), *args], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_workers_keep_the_tally_and_problems_of_every_cold_challenge(demo_store, tmp_path, monkeypatch):
    repo, commit, cold = cold_challenges(clone(demo_store, tmp_path / "store"))
    cache = TallyCache(repo.git_dir())
    assert len(cold) >= 3 and not any(cache.holds(slug, tree) for slug, tree in cold.items())
    monkeypatch.setenv("P2P_JOBS", "2")
    warmup.warm(repo, commit, cold)
    for slug, tree in cold.items():
        assert cache.holds(slug, tree) and cache.get_problems(slug, tree) is not None, slug
        state = cache.get(slug, tree)
        assert state is not None and state.tally.submissions, slug


def test_a_whole_store_read_gives_the_same_with_workers_or_without(demo_store, tmp_path):
    alone, helped = (clone(demo_store, tmp_path / name) for name in ("alone", "helped"))
    for args in (("leaderboard", "--format", "json"), ("stats", "--format", "json"),
                 ("badges", "--format", "json"), ("leaderboard", "--by", "team", "--format", "json"),
                 ("check", "--format", "json"), ("check", "--at", "HEAD~1", "--format", "json")):
        first = p2p_out(helped, *args, jobs="2")
        assert first == p2p_out(alone, *args, jobs="1") == p2p_out(helped, *args, jobs="2"), args
        assert json.loads(first)
    p2p_out(alone, "publish", str(tmp_path / "pages-alone"), jobs="1")
    p2p_out(clone(demo_store, tmp_path / "helped-publish"), "publish", str(tmp_path / "pages-helped"), jobs="3")
    pages = sorted(p.name for p in (tmp_path / "pages-alone").iterdir())
    assert len(pages) > 10 and pages == sorted(p.name for p in (tmp_path / "pages-helped").iterdir())
    for name in pages:
        assert (tmp_path / "pages-alone" / name).read_bytes() == (tmp_path / "pages-helped" / name).read_bytes(), name


@pytest.mark.parametrize("args", [("check",), ("check", "--at", "HEAD")])
def test_check_starts_the_workers_too(demo_store, tmp_path, args):
    """Its own read keeps no tally: any kept after it, the workers kept."""
    root = clone(demo_store, tmp_path / "store")
    repo, _, cold = cold_challenges(root)
    p2p_out(root, *args, jobs="2")
    assert all(TallyCache(repo.git_dir()).holds(slug, tree) for slug, tree in cold.items())


@pytest.mark.parametrize("python", ["/no/such/python3", "/bin/false"])
def test_a_worker_that_cannot_start_or_fails_leaves_the_folding_to_the_read(demo_store, tmp_path, monkeypatch, python):
    root = clone(demo_store, tmp_path / "store")
    expected = p2p_out(clone(demo_store, tmp_path / "plain"), "leaderboard", "--format", "json", jobs="1")
    repo, commit, cold = cold_challenges(root)
    monkeypatch.setenv("P2P_JOBS", "2")
    monkeypatch.setattr(warmup, "_interpreter", lambda: python)
    warmup.warm(repo, commit, cold)
    assert not any(TallyCache(repo.git_dir()).holds(slug, tree) for slug, tree in cold.items())
    assert p2p_out(root, "leaderboard", "--format", "json", jobs="1") == expected


def test_a_small_store_or_one_process_starts_no_worker(demo_store, tmp_path, monkeypatch):
    repo, commit, cold = cold_challenges(clone(demo_store, tmp_path / "store"))
    default = warmup.jobs
    monkeypatch.setattr(warmup, "jobs", lambda: (2, False))  # a machine of two CPUs or more, P2P_JOBS unset
    warmup.warm(repo, commit, cold)  # the demo's trees are far below MIN_TREE_BYTES
    monkeypatch.setattr(warmup, "jobs", default)
    monkeypatch.setenv("P2P_JOBS", "1")
    warmup.warm(repo, commit, cold)
    assert not any(TallyCache(repo.git_dir()).holds(slug, tree) for slug, tree in cold.items())
    monkeypatch.setenv("P2P_JOBS", " ")  # empty: as if unset
    assert warmup.jobs() == (min(warmup.DEFAULT_JOBS, len(os.sched_getaffinity(0))), False)


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_p2p_jobs_must_be_a_whole_number_of_processes(demo_store, tmp_path, monkeypatch, value):
    message = f"P2P_JOBS must be a whole number of processes, 1 for none; not {value!r}"
    env = {**os.environ, "P2P_JOBS": value, "P2P_SYNC": "0"}
    proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(clone(demo_store, tmp_path / "store")),
                           "leaderboard"], env=env, capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr.strip() == f"error: {message}" and not proc.stdout, proc.stderr
    monkeypatch.setenv("P2P_JOBS", value)
    with pytest.raises(InvalidInput, match="P2P_JOBS must be"):
        warmup.jobs()
