"""Shell completion: `p2p completion bash|zsh|fish`, and the challenge slugs and
person ids it completes. Completion runs on every Tab, so it reads file names in
the store's working tree (people/ID.yaml, challenges/SLUG.yaml) and never git."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

SHELLS = ("bash", "zsh", "fish")


def _store_root(ctx: click.Context) -> Path | None:
    given = ctx.find_root().params.get("store_path") or os.environ.get("P2P_STORE")
    if given:
        return Path(given)
    here = Path.cwd()
    return next((folder for folder in (here, *here.parents) if (folder / "p2p.yaml").is_file()), None)


def _names(ctx: click.Context, folder: str, incomplete: str) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem  # here: every command names these callbacks, few call them

    root = _store_root(ctx)
    if root is None or not (root / folder).is_dir():
        return []
    names = sorted(p.stem for p in (root / folder).glob("*.yaml") if p.stem.startswith(incomplete))
    return [CompletionItem(name) for name in names]


def challenge_slugs(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return _names(ctx, "challenges", incomplete)


def person_ids(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return _names(ctx, "people", incomplete)


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL: commands, options, challenge slugs and
    person ids complete with Tab.

    \b
    Example:
      p2p completion bash > ~/.local/share/bash-completion/completions/p2p
      p2p completion zsh > "${fpath[1]}/_p2p"
      p2p completion fish > ~/.config/fish/completions/p2p.fish
    """
    from click.shell_completion import get_completion_class

    from p2p.cli import cli

    script = get_completion_class(shell)(cli, {}, "p2p", "_P2P_COMPLETE").source()  # type: ignore[misc]
    click.echo(script)
