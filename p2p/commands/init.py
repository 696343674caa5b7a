from __future__ import annotations

import json
from pathlib import Path

import click

from p2p.cli import Session, pass_session
from p2p.commands.output import WRITE_FORMATS, format_option


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="The store's display name [default: the folder's name].")
@format_option(WRITE_FORMATS)
@pass_session
def init(session: Session, directory: Path | None, name: str | None, fmt: str) -> None:
    """Create a store in DIRECTORY (default: --store or the current folder), or adopt
    an existing git repository. Running it again changes nothing. The store gets the
    JSON Schemas of its files in .p2p/schemas/, for editors (see `p2p schema`).

    \b
    Example:
      p2p init team-store
    """
    from p2p.store.store import init as init_store

    root = directory or session.store_path or Path.cwd()
    store, created = init_store(root, name)
    if fmt == "json":
        click.echo(json.dumps({"store": str(store.root), "created": created}))
    else:
        click.echo(f"{'created' if created else 'already a store'}: {store.root}")
