from __future__ import annotations

from itertools import islice
from typing import Generic, Iterable, Iterator, TypeVar

import click

from p2p.cli import Session, pass_session
from p2p.commands.output import emit, emit_many, format_option
from p2p.errors import EXIT_INVALID

LOG_COLUMNS = (("at", "at"), ("kind", "kind"), ("challenge", "challenge"), ("by", "by"), ("id", "entry"),
               ("commit", "commit"), ("author", "author"))
AUDIT_BATCH = 5000  # entries read and checked at a time
T = TypeVar("T")


@click.command()
@click.option("--challenge", metavar="SLUG", help="Only entries of this challenge.")
@click.option("--person", metavar="ID", help="Only entries by this person.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many rows.")
@format_option()
@pass_session
def log(session: Session, challenge: str | None, person: str | None, limit: int, fmt: str) -> None:
    """Entries with the commits that added them, newest first.

    \b
    Example:
      p2p log --challenge q4-pitch --person ava
    """
    from p2p import audit
    from p2p.ids import check_id

    store = session.store()
    store.load("HEAD", ())  # the store's own errors first (no commits yet, a broken p2p.yaml)
    slug = check_id(challenge, "--challenge") if challenge else None
    folder = f"entries/{slug}" if slug else "entries"
    paths = [f":(glob)entries/{slug or '*'}/{check_id(person, '--person')}/*"] if person else [folder]
    # Newest first, and only as far back as `limit` rows: not a million commits; a root
    # commit (an import, say) listed rather than diffed.
    added = list(islice(audit.added(store.git.commits(["HEAD"], paths, roots_below=[folder]), challenge, person), limit))
    rows = audit.log_rows(added, store.entries_of_blobs(change.blob for _, change in added))
    for row in rows:
        row["commit"] = str(row["commit"])[:12]
    emit(fmt, {"entries": rows}, rows, LOG_COLUMNS, empty="no entries yet")


@click.command()
@format_option()
@pass_session
def audit(session: Session, fmt: str) -> None:
    """Check the history: every entry committed by the person it names, no entry
    ever modified or deleted, and (when p2p.yaml says `audit: {signed: true}`)
    every entry commit signed by a key in the store's allowed_signers. Exit 1 on
    any violation.

    \b
    Example:
      p2p audit --format json
    """
    from p2p import audit as service

    store = session.store()
    snapshot = store.load("HEAD", ())
    signers = store.root / "allowed_signers"
    signed = snapshot.settings.signed_commits
    folders = ["entries", "records"]
    commits = _Counted(store.git.commits(["HEAD"], folders, str(signers) if signed else None, oldest_first=True,
                                         roots_below=folders))
    # A few thousand entries at a time, read in one git process: the history of a big
    # store is a million commits (or a few bulk imports), and as many entries.
    findings = _Counted(service.audit(commits, store.entries_of_blobs, snapshot.people, signed, AUDIT_BATCH))
    if fmt == "table":
        for finding in findings:
            click.echo(str(finding))
        click.echo(f"{commits.count} commits audited, {findings.count or 'no'} violations", err=bool(findings.count))
    else:
        # The count of commits comes first and is known last: the findings wait on disk,
        # where a store imported in bulk by someone else has a million (1.25 GB in memory).
        import json
        import tempfile

        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            # As ASCII: the path of a file named in bytes that are not UTF-8 holds lone surrogates.
            spool.writelines(json.dumps([f.commit, f.path, f.message]) + "\n" for f in findings)
            spool.seek(0)
            emit_many(fmt, {"commits": commits.count}, "violations",
                      ({"commit": commit, "path": path, "message": message}
                       for commit, path, message in map(json.loads, spool)),
                      (("commit", "commit"), ("path", "path"), ("message", "message")), empty="no violations")
    if findings.count:
        raise click.exceptions.Exit(EXIT_INVALID)


class _Counted(Generic[T]):
    """Items passed through, counted."""

    def __init__(self, items: Iterable[T]) -> None:
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[T]:
        for item in self.items:
            self.count += 1
            yield item
