from __future__ import annotations

import os
import time
from pathlib import Path

import click

from p2p.cli import Session, pass_session
from p2p.errors import EXIT_INVALID


@click.command()
@click.option("--fix", is_flag=True, help="Remove stale git lock files (index, HEAD, branch refs) when no git process is running.")
@pass_session
def doctor(session: Session, fix: bool) -> None:
    """Look for what an interrupted git or p2p left behind: stale lock files (the
    index's, HEAD's, a branch's; with their age) and entry files written but never
    committed.

    \b
    Example:
      p2p doctor
      p2p doctor --fix
    """
    store = session.store()
    problems = 0
    git_dir = store.git_dir()
    # A killed git (or one that hit a full disk) leaves its lock files: index.lock,
    # HEAD.lock, a branch's refs/heads/NAME.lock. Each one blocks every later write.
    locks = [git_dir / "index.lock", git_dir / "HEAD.lock", git_dir / "packed-refs.lock",
             *sorted((git_dir / "refs").rglob("*.lock"))]
    running = None
    for lock in (path for path in locks if path.exists()):
        running = _git_running(store.root.resolve()) if running is None else running
        age = time.time() - lock.stat().st_mtime
        name = lock.relative_to(git_dir.parent).as_posix()
        if fix and not running:
            lock.unlink()
            click.echo(f"removed {name} (left {age:.0f} s ago by a git that is no longer running)")
        else:
            problems += 1
            hint = ("a git process is running: wait for it" if running
                    else "no git process is running: `p2p doctor --fix` removes it")
            click.echo(f"{name} exists since {age:.0f} s ago; {hint}")
    raw = store.git.run("ls-files", "--others", "--exclude-standard", "--", "entries").stdout.decode()
    orphans = [p for p in raw.splitlines() if p.endswith(".yaml")]
    interrupted = set(store.interrupted_write())
    for path in orphans:
        if path in interrupted:
            click.echo(f"{path}: written by a p2p write that was interrupted; the next p2p write commits it "
                       "if it is valid")
        else:  # the next write finishes only its own journal's files: say what to do with this one
            click.echo(f"{path}: not committed, and not left by a p2p write; commit it with git (`p2p check` "
                       "says whether it is valid) or remove it")
    problems += len(orphans)
    click.echo("no problems found" if not problems else f"{problems} problem(s)")
    if problems:
        raise click.exceptions.Exit(EXIT_INVALID)


def _git_running(root: Path) -> bool:
    """Is a git process working in this store? (/proc, Linux: its current folder is
    in the store.) Elsewhere, where /proc is missing, assume one might be."""
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for comm in proc.glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() != "git":
                continue
            cwd = Path(os.readlink(comm.parent / "cwd"))
        except OSError:
            continue
        if cwd == root or root in cwd.parents:
            return True
    return False
