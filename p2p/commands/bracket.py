"""`p2p bracket`: single-elimination brackets of face-offs."""

from __future__ import annotations

import json

import click

from p2p.cli import Session, pass_session
from p2p.commands.complete import challenge_slugs
from p2p.commands.output import at_option, emit, format_option

COLUMNS = (("round", "round"), ("a", "rep"), ("score_a", "score"), ("b", "opponent"), ("score_b", "score"),
           ("winner", "advances"), ("reason", "why"))


@click.command()
@click.argument("challenge", shell_complete=challenge_slugs)
@click.option("--size", type=click.Choice(["4", "8", "16", "32"]), help="Draw the first round with this many places.")
@click.option("--seed", type=int, default=0, show_default=True, help="Orders people with equal season points.")
@click.option("--from", "previous", metavar="CHALLENGE", shell_complete=challenge_slugs,
              help="Draw the next round from this round's winners.")
@at_option
@format_option()
@pass_session
def bracket(session: Session, challenge: str, size: str | None, seed: int, previous: str | None, at: str | None,
            fmt: str) -> None:
    """Draw a single-elimination bracket into pairs CHALLENGE, or show it.

    With --size, the first round is drawn from the eligible people by season points
    (byes for the top seeds when fewer enter); with --from, the next round from the
    winners of the round before. Without either, prints every round so far: matches,
    scores and who advances once a round's review has closed.

    \b
    Example:
      p2p --as mia bracket objections-r1 --size 8 --seed 7
      p2p --as mia bracket objections-r2 --from objections-r1
      p2p bracket objections-r2
    """
    from p2p import brackets
    from p2p.errors import InvalidInput

    if size or previous:
        if at:
            raise click.UsageError("--at is for showing a bracket; a draw is made at HEAD")
        if size and previous:
            raise click.UsageError("give --size for a first round or --from for the next one, not both")
        from p2p import actions

        written = actions.draw_bracket(session.store(), session.as_id, session.now(), challenge,
                                       int(size) if size else None, seed, previous)
        entry = written.entry
        if fmt == "json":
            click.echo(json.dumps({"entry": entry.to_doc(), "path": written.path, "commit": written.commit}))
            return
        click.echo(f"drew {len(entry.slots) // 2} matches into {challenge}:")  # type: ignore[union-attr]
        slots = entry.slots  # type: ignore[union-attr]
        for a, b in zip(slots[::2], slots[1::2]):
            click.echo(f"  {a or 'bye'} v {b or 'bye'}")
        return
    snapshot, now = session.read(at, folded=True)
    snapshot.challenge(challenge)
    doc = brackets.bracket_doc(snapshot, challenge, now)
    if doc is None:
        raise InvalidInput(f"{challenge} has no bracket; draw one with `p2p bracket {challenge} --size 8`")
    rows = [{"round": i, **m} for i, r in enumerate(doc["rounds"], 1) for m in r["matches"]]
    title = f"Bracket to {challenge}" + (f" — champion: {doc['champion']}" if doc["champion"] else "")
    emit(fmt, doc, rows, COLUMNS, title=title)
