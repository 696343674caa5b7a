from __future__ import annotations

from pathlib import Path

import click

from p2p.cli import Session, collector_off, pass_session
from p2p.commands.output import at_option

TARGETS = ("github", "gitlab", "azure", "mkdocs")  # = p2p.publish.TARGETS; not imported, for a fast --help


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--target", type=click.Choice(TARGETS), default="github", envvar="P2P_TARGET", show_envvar=True,
              help="The wiki: page names, link style, sidebar file and Mermaid fences follow it.")
@click.option("--charts", type=click.Choice(("mermaid", "none")), default="mermaid",
              help="Mermaid charts beside the tables, or tables only.")
@at_option
@pass_session
def publish(session: Session, out_dir: Path, target: str, charts: str, at: str | None) -> None:
    """Render every wiki page into OUT_DIR: home, one page per challenge, person and
    team, role leaderboards, the playbook, analytics and the sidebar.

    Unchanged pages are not rewritten; pages of removed people or challenges are
    deleted (only files p2p wrote). A store's templates/ folder overrides the
    built-in templates by file name.

    \b
    Example:
      p2p publish wiki/ --target github
      p2p publish site/docs --target mkdocs --charts none --at season-2026q3
    """
    from p2p import publish as service
    from p2p.cli import progress_bars

    store = session.store()
    with collector_off(), progress_bars():  # collector: ~0.1 s of a publish; peak memory is the same without it
        snapshot, now = session.read(at, records=True, folded=True)
        result = service.publish(snapshot, now, target, charts, store.root / "templates", store.git_dir() / "p2p",
                                 out_dir)
    click.echo(f"{out_dir}: {result.summary()}")

