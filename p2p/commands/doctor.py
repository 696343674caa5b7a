from __future__ import annotations

import time

import click

from p2p.cli import Session, pass_session
from p2p.errors import EXIT_INVALID


@click.command()
@click.option("--fix", is_flag=True, help="Remove a stale .git/index.lock when no git process is running.")
@pass_session
def doctor(session: Session, fix: bool) -> None:
    """Look for what an interrupted git or p2p left behind: a stale index.lock (with
    its age), entry files written but never committed, commits not pushed.

    \b
    Example:
      p2p doctor
      p2p doctor --fix
    """
    store = session.store()
    problems = 0
    lock = store.git_dir() / "index.lock"
    if lock.exists():
        age = time.time() - lock.stat().st_mtime
        running = _git_running()
        if fix and not running:
            lock.unlink()
            click.echo(f"removed .git/index.lock (left {age:.0f} s ago by a git that is no longer running)")
        else:
            problems += 1
            hint = ("a git process is running: wait for it" if running
                    else "no git process is running: `p2p doctor --fix` removes it")
            click.echo(f".git/index.lock exists since {age:.0f} s ago; {hint}")
    raw = store.git.run("ls-files", "--others", "--exclude-standard", "--", "entries").stdout.decode()
    orphans = [p for p in raw.splitlines() if p.endswith(".yaml")]
    for path in orphans:
        click.echo(f"{path}: written but not committed; the next p2p write commits it if it is valid")
    problems += len(orphans)
    click.echo("no problems found" if not problems else f"{problems} problem(s)")
    if problems:
        raise click.exceptions.Exit(EXIT_INVALID)


def _git_running() -> bool:
    """Is any git process running on this machine? (/proc, Linux.)"""
    from pathlib import Path

    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "git":
                return True
        except OSError:
            continue
    return False
