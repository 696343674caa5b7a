from __future__ import annotations

import click

from p2p.cli import Session, pass_session
from p2p.commands.output import emit, format_option
from p2p.errors import EXIT_INVALID


@click.command()
@click.option("--at", "rev", metavar="REV", help="Check a git revision instead of the working tree.")
@format_option()
@pass_session
def check(session: Session, rev: str | None, fmt: str) -> None:
    """Validate every file of the store: YAML, the schema of each kind, references
    between people, challenges and entries, ids, self-ratings and score ranges.

    Prints each problem as `path:line: message` and exits 1 if there are any, so
    it can gate pull requests to a store. Checks the working tree unless --at.

    \b
    Example:
      p2p check
      p2p check --at main --format json
    """
    from p2p import checks

    store = session.store()
    snapshot = store.load(rev) if rev else store.load_worktree()
    problems = checks.run(snapshot, lambda path, field: store.locate(snapshot, path, field))
    doc = {"files": snapshot.files, "problems": [{"path": p.path, "line": p.line, "message": p.message}
                                                  for p in problems]}
    if fmt == "table":
        for problem in problems:
            click.echo(str(problem))
        noun = "problem" if len(problems) == 1 else "problems"
        click.echo(f"{snapshot.files} files checked, {len(problems) or 'no'} {noun}", err=bool(problems))
    else:
        emit(fmt, doc, doc["problems"], (("path", "path"), ("line", "line"), ("message", "message")),
             empty="no problems")
    if problems:
        raise click.exceptions.Exit(EXIT_INVALID)
