from __future__ import annotations

import click

from p2p.cli import Session, pass_session
from p2p.commands.output import emit, format_option
from p2p.errors import EXIT_INVALID

LOG_COLUMNS = (("at", "at"), ("kind", "kind"), ("challenge", "challenge"), ("by", "by"), ("id", "entry"),
               ("commit", "commit"), ("author", "author"))


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

    store = session.store()
    snapshot = store.load()
    rows = audit.log_rows(store.git.history("HEAD", ["entries"]), {e.id: e for e in snapshot.entries},
                          challenge, person)[:limit]
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
    snapshot = store.load()
    signers = store.root / "allowed_signers"
    signed = snapshot.settings.signed_commits
    commits = store.git.history("HEAD", ["entries", "records"], str(signers) if signed else None)
    findings = service.audit(commits, store.entry_of_blob, snapshot.people, signed)
    doc = {"commits": len(commits), "violations": [{"commit": f.commit, "path": f.path, "message": f.message}
                                                   for f in findings]}
    if fmt == "table":
        for finding in findings:
            click.echo(str(finding))
        click.echo(f"{len(commits)} commits audited, {len(findings) or 'no'} violations", err=bool(findings))
    else:
        emit(fmt, doc, doc["violations"], (("commit", "commit"), ("path", "path"), ("message", "message")),
             empty="no violations")
    if findings:
        raise click.exceptions.Exit(EXIT_INVALID)
