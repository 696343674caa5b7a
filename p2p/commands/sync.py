from __future__ import annotations

import json

import click

from p2p.cli import Session, pass_session
from p2p.commands.output import emit, format_option


@click.command()
@click.option("--timeout", type=click.FloatRange(min=0), help="Seconds to keep retrying [default: sync.timeout, 15].")
@pass_session
def sync(session: Session, timeout: float | None) -> None:
    """Fetch, replay this clone's unpushed entries onto the remote head, and push,
    retrying while other writers get in first. Also folds in the entries that
    writers parked in the remote's inbox (refs/p2p/inbox/*) when the branch was
    busy; run it in CI on a schedule. Never force-pushes. Exit 3 when the commits
    stay local (remote unreachable, or busy past the timeout).

    \b
    Example:
      p2p sync
    """
    from p2p.errors import StoreError

    store = session.store()
    result = store.sync(store.load(challenges=[]).settings, timeout, fold=True)
    if result is None:
        raise StoreError("this clone has no remote to sync with: add one (git remote add origin URL) or set "
                         "sync.remote in p2p.yaml")
    if result.parked:
        click.echo(f"the remote branch stayed busy: this clone's commits are parked on the remote in {result.parked}")
    elif result.pushed or result.folded:
        click.echo(f"pushed {result.pushed} commit(s) and folded in {result.folded} parked by others "
                   f"after {result.attempts} attempt(s)")
    else:
        click.echo("up to date with the remote")


@click.command()
@format_option()
@pass_session
def status(session: Session, fmt: str) -> None:
    """The remote this clone syncs with and the entries not pushed yet.

    \b
    Example:
      p2p status --format json
    """
    from p2p import audit
    from p2p.store import sync as service

    store = session.store()
    snapshot = store.load("HEAD", ())
    remote = service.remote_of(store.git, snapshot.settings.sync_remote)
    branch = store.git.head_ref().removeprefix("refs/heads/")
    # Only the unpushed commits and the entries they added, in one walk: not the whole history.
    pending = list(store.git.commits(service.unpushed_revs(store.git, remote, branch), [])) if remote else []
    added = [(commit, change) for commit, change in audit.added(pending) if change.path.startswith("entries/")]
    rows = audit.log_rows(added, store.entries_of_blobs(change.blob for _, change in added))
    inbox = sorted(service.parked(store.git))
    doc = {"remote": remote, "branch": branch, "unpushed_commits": len(pending), "parked_in": inbox, "unpushed": rows}
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2))
        return
    where = f"{remote}/{branch}" if remote else "no remote (local only)"
    click.echo(f"branch {branch}, syncing with {where}: {len(pending)} commit(s) not pushed")
    for ref in inbox:
        click.echo(f"parked on the remote in {ref} (the next `p2p sync` folds it into {branch})")
    if rows:
        emit(fmt, doc, rows, (("at", "at"), ("kind", "kind"), ("challenge", "challenge"), ("by", "by"),
                              ("id", "entry")))
