from __future__ import annotations

import click

from p2p.cli import Session, collector_off, info, pass_session
from p2p.commands.output import emit, format_option
from p2p.errors import EXIT_INVALID
from p2p.store import layout


@click.command()
@click.option("--at", "rev", metavar="REV", help="Check a git revision instead of the working tree.")
@click.option("--fairness", is_flag=True, help="Also report reciprocity, flat raters and tit-for-tat ratings.")
@click.option("--strict", is_flag=True, help="With --fairness: exit 1 on fairness concerns too (a publish gate).")
@format_option()
@pass_session
def check(session: Session, rev: str | None, fairness: bool, strict: bool, fmt: str) -> None:
    """Validate every file of the store: YAML, the schema of each kind, references
    between people, challenges and entries, ids, self-ratings and score ranges.

    Prints each problem as `path:line: message` and exits 1 if there are any, so
    it can gate pull requests to a store. Checks the working tree unless --at, and
    notes editor schema files in .p2p/schemas/ that are missing or outdated.

    \b
    Example:
      p2p check
      p2p check --at main --format json
      p2p check --fairness --strict
    """
    from p2p import checks

    store = session.store()
    base, folders, read, recall = store.load_by_folder(rev)
    raise_concerns = None
    if fairness:
        from p2p import reports

        now = store.commit_time(base.commit) if rev else session.now()
        raise_concerns = lambda part: reports.fairness(part, now)  # noqa: E731
    with collector_off():
        problems, files, concerns = checks.run(base, folders, read, store.locate, raise_concerns, recall)
    doc = {"files": files, "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in problems],
           "fairness": [{"path": c.path, "message": c.message} for c in concerns]}
    if fmt == "table":
        for problem in problems:
            click.echo(str(problem))
        for concern in concerns:
            click.echo(f"warning: {concern}")
        noun = "problem" if len(problems) == 1 else "problems"
        extra = f", {len(concerns)} fairness concerns" if fairness else ""
        click.echo(f"{files} files checked, {len(problems) or 'no'} {noun}{extra}", err=bool(problems))
    else:
        rows = doc["problems"] + [{"path": c["path"], "line": None, "message": c["message"]} for c in doc["fairness"]]
        emit(fmt, doc, rows, (("path", "path"), ("line", "line"), ("message", "message")), empty="no problems")
    stale = [] if rev else store.stale_schemas()
    if stale:  # editors go without validation, but the store is fine: a note, not a problem
        info(f"note: {len(stale)} editor schema files in {layout.SCHEMAS}/ are missing or outdated; refresh them with "
             f"`p2p schema --write {layout.SCHEMAS}` in the store's folder and commit them")
    if problems or (strict and concerns):
        raise click.exceptions.Exit(EXIT_INVALID)
