from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("kind", required=False)
@click.option("--list", "listing", is_flag=True, help="List the kinds, with what their files hold.")
@click.option("--write", "folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Write every kind's schema as DIR/KIND.json.")
def schema(kind: str | None, listing: bool, folder: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a file KIND: the rules `p2p check`
    applies, for editors. Files p2p writes point at them in the store's
    .p2p/schemas/ with a `# yaml-language-server: $schema=…` first line.

    \b
    Example:
      p2p schema rating
      p2p schema --list
      p2p schema --write .p2p/schemas
    """
    from p2p import schema as schemas

    if sum((kind is not None, listing, folder is not None)) != 1:
        raise click.UsageError("give one of KIND, --list or --write DIR")
    if listing:
        width = max(map(len, schemas.KINDS))
        for name in schemas.KINDS:
            click.echo(f"{name:<{width}}  {schemas.describe(name)}")
    elif folder is not None:
        click.echo(f"wrote {len(schemas.write(folder))} schema files to {folder}")
    elif kind not in schemas.KINDS:
        raise click.UsageError(f"no schema kind {kind!r}; one of {', '.join(schemas.KINDS)}")
    else:
        click.echo(schemas.text(kind), nl=False)
