"""Sync with a shared remote: fetch, replay this clone's unpushed commits onto the
remote head, push; retry on a rejected (non-fast-forward) push with jittered
exponential backoff until a deadline. Never force-push.

Replaying is conflict-free by construction: an entry is a new, uniquely named file,
so re-creating a commit on another parent is just adding its files to that tree
(done with plumbing, keeping author, committer, dates and message). A set-up file
(a person, a challenge, p2p.yaml) that the remote also changed is a conflict and
stops the sync with a clear message; nothing is overwritten. Network and
authentication failures are not retried: the commits stay local for `p2p sync`."""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass

from p2p.errors import P2PError, StoreError
from p2p.store.repo import ZERO, Git

EXIT_NOT_PUSHED = 3
_REJECTED = ("[rejected]", "non-fast-forward", "fetch first", "stale info", "cannot lock ref", "failed to update ref",
             "incorrect old value")


class NotPushed(P2PError):
    """Raised when commits are recorded locally but could not reach the remote."""

    exit_code = EXIT_NOT_PUSHED
    code = "not-pushed"


class SyncConflict(P2PError):
    """Raised when the remote changed a set-up file this clone also changed."""

    code = "conflict"


@dataclass
class SyncResult:
    pushed: int  # local commits now on the remote
    attempts: int
    seconds: float


def remote_of(git: Git, configured: str | None) -> str | None:
    """The remote to sync with: p2p.yaml's sync.remote, else `origin` when present."""
    names = git.out("remote").split()
    if configured:
        if configured not in names:
            raise StoreError(f"sync.remote {configured!r} in p2p.yaml is not a git remote here ({', '.join(names) or 'none'})")
        return configured
    return "origin" if "origin" in names else None


def unpushed(git: Git, remote: str, branch: str) -> list[str]:
    tracking = f"refs/remotes/{remote}/{branch}"
    base = git.resolve(tracking)
    spec = [f"{tracking}..refs/heads/{branch}"] if base else [f"refs/heads/{branch}"]
    return git.out("rev-list", "--reverse", *spec).split()


def sync(git: Git, remote: str, branch: str, timeout: float) -> SyncResult:
    started = time.monotonic()
    deadline = started + timeout
    attempt = 0
    while True:
        attempt += 1
        attempt_started = time.monotonic()
        _fetch(git, remote, branch)
        local = git.resolve(f"refs/heads/{branch}")
        remote_tip = git.resolve(f"refs/remotes/{remote}/{branch}")
        pending = unpushed(git, remote, branch)
        if not pending:
            if remote_tip and local != remote_tip:
                _move_branch(git, branch, local, remote_tip)  # fast-forward to what others pushed
            return SyncResult(0, attempt, time.monotonic() - started)
        tip = _replay(git, pending, remote_tip) if remote_tip and not _descends(git, local, remote_tip) else local
        if tip == remote_tip:  # everything was already on the remote
            _move_branch(git, branch, local, tip)
            return SyncResult(0, attempt, time.monotonic() - started)
        fault("before-push")
        proc = git.run("push", "--porcelain", remote, f"{tip}:refs/heads/{branch}", check=False)
        fault("after-push")
        if proc.returncode == 0:
            git.run("update-ref", f"refs/remotes/{remote}/{branch}", tip)
            if tip != local:
                _move_branch(git, branch, local, tip)
            return SyncResult(len(pending), attempt, time.monotonic() - started)
        message = (proc.stderr + proc.stdout).decode("utf-8", "replace")
        if not any(mark in message for mark in _REJECTED):
            raise NotPushed(f"{len(pending)} commit(s) recorded locally but not pushed: {_last_line(message)}; "
                            "run `p2p sync` when the remote is reachable")
        pause = min(2.0, 0.05 * 2 ** min(attempt, 6)) * random.uniform(0.5, 1.5)
        # Stop early rather than overrun: another attempt takes about as long as this one (with a margin).
        if time.monotonic() + pause + 1.25 * (time.monotonic() - attempt_started) > deadline:
            raise NotPushed(f"{len(pending)} commit(s) recorded locally; the remote was busy for {timeout:g} s "
                            "(other writers); the next `p2p sync` or write pushes them")
        time.sleep(pause)


def fault(point: str) -> None:
    """Fault injection for the crash tests: P2P_FAULT=POINT kills this process there."""
    if os.environ.get("P2P_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def _fetch(git: Git, remote: str, branch: str) -> None:
    proc = git.run("fetch", "--quiet", "--no-tags", remote,
                   f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}", check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace")
        if "couldn't find remote ref" in message:
            return  # an empty remote: the first push creates the branch
        raise NotPushed(f"recorded locally but could not fetch from {remote}: {_last_line(message)}; "
                        "run `p2p sync` when the remote is reachable")


def _descends(git: Git, commit: str | None, ancestor: str) -> bool:
    return bool(commit) and git.run("merge-base", "--is-ancestor", ancestor, str(commit), check=False).returncode == 0


def _replay(git: Git, commits: list[str], onto: str) -> str:
    """Re-create `commits` (oldest first) on top of `onto`; returns the new tip."""
    base = git.out("merge-base", commits[0] + "^", onto) if git.resolve(commits[0] + "^") else None
    parent = onto
    for commit in commits:
        changes = _changes(git, commit)
        setup = [p for p in changes if not p.startswith("entries/")]
        if setup and base:
            theirs = set(git.out("diff", "--name-only", base, onto, "--", *setup).split())
            if theirs:
                raise SyncConflict(f"{sorted(theirs)[0]} was changed on the remote and in this clone; "
                                   "nothing was overwritten: merge it with git, then run `p2p sync`")
        base_tree = git.out("rev-parse", f"{parent}^{{tree}}")
        tree = git.tree_with(base_tree, changes)
        if tree == base_tree:
            continue  # already there (pushed before a crash): never duplicate a commit
        parent = git.recommit(commit, tree, parent)
    return parent


def _changes(git: Git, commit: str) -> dict[str, str]:
    raw = git.run("diff-tree", "-r", "--no-renames", "--no-commit-id", "-z", f"{commit}^", commit).stdout
    fields = raw.decode("utf-8", "surrogateescape").split("\0")
    changes = {}
    for meta, path in zip(fields[::2], fields[1::2]):
        if not meta:
            continue
        _, _, _, new, status = meta.lstrip(":").split(" ")
        if status.startswith("D") or new == ZERO:
            raise StoreError(f"commit {commit[:12]} deletes {path}; p2p only replays added or changed files")
        changes[path] = new
    return changes


def _move_branch(git: Git, branch: str, old: str | None, new: str) -> None:
    """Point the branch at `new` and bring the index and working tree along (keeping
    the user's own changes, as a fast-forward checkout does)."""
    git.run("update-ref", f"refs/heads/{branch}", new, old or ZERO)
    if old:
        git.run("read-tree", "-m", "-u", old, new)
    else:
        git.run("read-tree", "-u", new)


def _last_line(text: str) -> str:
    """git's most telling line: the last error, else the last line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("error:", "fatal:", "remote: error", "!"))]
    return (errors or lines or ["no message from git"])[-1]
