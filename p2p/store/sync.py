"""Sync with a shared remote: fetch, replay this clone's unpushed commits onto the
remote head, push; retry on a rejected (non-fast-forward) push with jittered
exponential backoff. Never force-push.

Under heavy contention a write does not queue for the branch: after
`sync.inbox_after` seconds of rejected pushes it parks its commits on the remote
under a ref of its own, `refs/p2p/inbox/<who>/<commit>`. Such a ref is new, so
that push never collides with anyone; the entry is on the remote at once, and
`p2p sync` (by anyone, typically CI) folds every parked commit into the branch and
deletes the inbox refs in the same atomic push. bench/sync_contention.py measures
this against backoff alone (DESIGN.md records the numbers).

Replaying is conflict-free by construction: an entry is a new, uniquely named file,
so re-creating a commit on another parent is just adding its files to that tree
(done with plumbing, keeping author, committer, dates and message); a commit whose
files are already there is dropped, so nothing is ever duplicated. A set-up file
(a person, a challenge, p2p.yaml) that the remote also changed is a conflict and
stops the sync with a clear message; nothing is overwritten. Network and
authentication failures are not retried: the commits stay local for `p2p sync`."""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass

from p2p.errors import EXIT_NOT_PUSHED, P2PError, StoreError
from p2p.store.repo import ZERO, Git

INBOX = "refs/p2p/inbox"  # on the remote: commits parked by writers that found the branch busy
FETCHED_INBOX = "refs/p2p/remote-inbox"  # here: what the last fetch saw in the remote's inbox
PARKED = "refs/p2p/parked"  # here: inbox refs this clone made, deleted once their commits are on the branch
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
    pushed: int  # local commits now on the remote branch
    attempts: int
    seconds: float
    folded: int = 0  # parked commits from the remote inbox now on the branch
    parked: str | None = None  # the inbox ref holding this clone's commits when the branch stayed busy


def remote_of(git: Git, configured: str | None) -> str | None:
    """The remote to sync with: p2p.yaml's sync.remote, else `origin` when present."""
    names = git.out("remote").split()
    if configured:
        if configured not in names:
            raise StoreError(f"sync.remote {configured!r} in p2p.yaml is not a git remote here ({', '.join(names) or 'none'})")
        return configured
    return "origin" if "origin" in names else None


def unpushed(git: Git, remote: str, branch: str, *extra: str) -> list[str]:
    """Commits of the local branch (and of `extra` tips) not on the remote branch, oldest first."""
    return git.out("rev-list", "--reverse", "--topo-order", *unpushed_revs(git, remote, branch, *extra)).split()


def unpushed_revs(git: Git, remote: str, branch: str, *extra: str) -> list[str]:
    """The revisions (for rev-list or log) of what `unpushed` lists."""
    tracking = f"refs/remotes/{remote}/{branch}"
    return [f"refs/heads/{branch}", *extra, *(["--not", tracking] if git.resolve(tracking) else [])]


def parked(git: Git) -> dict[str, str]:
    """This clone's inbox refs on the remote: remote ref name -> commit."""
    return {INBOX + name[len(PARKED):]: oid for name, oid in _refs(git, PARKED).items()}


def sync(git: Git, remote: str, branch: str, timeout: float, *, inbox_after: float | None = None,
         fold: bool = False) -> SyncResult:
    """Push the local branch's new commits; with `fold`, also every commit parked in
    the remote inbox. With `inbox_after` (seconds), park instead of waiting longer."""
    started = time.monotonic()
    deadline = started + timeout
    attempt = 0
    while True:
        attempt += 1
        attempt_started = time.monotonic()
        _fetch(git, remote, branch, fold)
        local = git.resolve(f"refs/heads/{branch}")
        remote_tip = git.resolve(f"refs/remotes/{remote}/{branch}")
        fetched = _refs(git, FETCHED_INBOX) if fold and remote_tip else {}  # an empty remote has nothing to fold into
        inbox = {INBOX + name[len(FETCHED_INBOX):]: oid for name, oid in fetched.items()}
        own = unpushed(git, remote, branch)
        pending = unpushed(git, remote, branch, *inbox.values()) if inbox else own
        drop = {**parked(git), **inbox}  # inbox refs whose commits this push brings onto the branch
        if not pending and not drop:
            if remote_tip and local != remote_tip:
                _move_branch(git, branch, local, remote_tip)  # fast-forward to what others pushed
            return SyncResult(0, attempt, time.monotonic() - started)
        if not pending or remote_tip is None:
            tip = remote_tip or local
        elif len(pending) == len(own) and _descends(git, local, remote_tip):
            tip = local  # a fast-forward
        else:
            tip = _replay(git, pending, remote_tip)
        specs = [f":{ref}" for ref in sorted(drop)]
        if tip != remote_tip:
            specs.insert(0, f"{tip}:refs/heads/{branch}")
        elif not specs:  # every pending commit was already there (pushed before a crash)
            _move_branch(git, branch, local, tip)
            return SyncResult(0, attempt, time.monotonic() - started)
        fault("before-push")
        proc = git.run("push", "--porcelain", "--atomic", remote, *specs, check=False)
        fault("after-push")
        if proc.returncode == 0:
            if tip:
                git.run("update-ref", f"refs/remotes/{remote}/{branch}", tip)
            for ref in _refs(git, PARKED):
                git.run("update-ref", "-d", ref)
            if tip and tip != local:
                _move_branch(git, branch, local, tip)
            return SyncResult(len(own), attempt, time.monotonic() - started, folded=len(pending) - len(own))
        message = (proc.stderr + proc.stdout).decode("utf-8", "replace")
        if not any(mark in message for mark in _REJECTED):
            raise NotPushed(f"{len(own)} commit(s) recorded locally but not pushed: {_last_line(message)}; "
                            "run `p2p sync` when the remote is reachable")
        import random  # here: every write imports this module, few retry a push

        pause = min(2.0, 0.05 * 2 ** min(attempt, 6)) * random.uniform(0.5, 1.5)
        now = time.monotonic()
        # Stop early rather than overrun: another attempt takes about as long as this one (with a margin).
        overrun = now + pause + 1.25 * (now - attempt_started) > deadline
        if own and inbox_after is not None and (now - started >= inbox_after or overrun):
            return SyncResult(0, attempt, time.monotonic() - started, parked=_park(git, remote, local))
        if overrun:
            raise NotPushed(f"{len(own)} commit(s) recorded locally; the remote was busy for {timeout:g} s "
                            "(other writers); the next `p2p sync` or write pushes them")
        time.sleep(pause)


def _park(git: Git, remote: str, local: str) -> str:
    """Push the local branch to a new inbox ref of its own: it cannot collide."""
    who = re.sub(r"[^a-z0-9._-]+", "-", git.out("log", "-1", "--format=%ae", local).split("@")[0].lower()).strip(".-")
    name = f"{who or 'writer'}/{local[:16]}"
    git.run("update-ref", f"{PARKED}/{name}", local)  # recorded first: a crash at worst deletes a missing ref later
    proc = git.run("push", "--porcelain", remote, f"{local}:{INBOX}/{name}", check=False)
    if proc.returncode != 0:
        message = (proc.stderr + proc.stdout).decode("utf-8", "replace")
        raise NotPushed(f"recorded locally but not pushed ({remote} is busy and its inbox refused the commit: "
                        f"{_last_line(message)}); run `p2p sync` later")
    return f"{INBOX}/{name}"


def fault(point: str) -> None:
    """Fault injection for the crash tests: P2P_FAULT=POINT kills this process there."""
    if os.environ.get("P2P_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def _fetch(git: Git, remote: str, branch: str, inbox: bool) -> None:
    specs = [f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"]
    if inbox:
        specs.append(f"+{INBOX}/*:{FETCHED_INBOX}/*")
    proc = git.run("fetch", "--quiet", "--no-tags", *(["--prune"] if inbox else []), remote, *specs, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace")
        if "couldn't find remote ref" in message:
            return  # an empty remote: the first push creates the branch
        raise NotPushed(f"recorded locally but could not fetch from {remote}: {_last_line(message)}; "
                        "run `p2p sync` when the remote is reachable")


def _descends(git: Git, commit: str | None, ancestor: str) -> bool:
    return bool(commit) and git.run("merge-base", "--is-ancestor", ancestor, str(commit), check=False).returncode == 0


def _replay(git: Git, commits: list[str], onto: str) -> str:
    """Re-create `commits` (parents before children) on top of `onto`; returns the new tip."""
    parent = onto
    for commit in commits:
        changes = _changes(git, commit)
        setup = [p for p in changes if not p.startswith("entries/")]
        base = git.out("merge-base", commit + "^", onto) if setup and onto else None
        if base:
            theirs = set(git.out("diff", "--name-only", base, onto, "--", *setup).split())
            if theirs:
                raise SyncConflict(f"{sorted(theirs)[0]} was changed on the remote and in this clone; "
                                   "nothing was overwritten: merge it with git, then run `p2p sync`")
        base_tree = git.object_at(parent, "")  # its root tree, asked of the git kept running
        if base_tree is None:
            raise StoreError(f"commit {parent[:12]} is missing from this clone; run git fsck")
        tree = git.tree_with(base_tree, changes)
        if tree == base_tree:
            continue  # already there (pushed before a crash): never duplicate a commit
        parent = git.recommit(commit, tree, parent)
    return parent


def _changes(git: Git, commit: str) -> dict[str, str]:
    changes = {}
    for path, oid in git.diff_trees(f"{commit}^", commit):  # reads no index: 2 s a commit in a sparse clone
        if oid is None:
            raise StoreError(f"commit {commit[:12]} deletes {path}; p2p only replays added or changed files")
        changes[path] = oid
    return changes


def _refs(git: Git, prefix: str) -> dict[str, str]:
    lines = git.out("for-each-ref", "--format=%(refname) %(objectname)", prefix + "/").splitlines()
    return dict(line.split(" ", 1) for line in lines)


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
