from __future__ import annotations

import json

import click

from p2p.cli import Session, pass_session
from p2p.commands.complete import challenge_slugs
from p2p.commands.output import WRITE_FORMATS, at_option, emit, format_option


@click.command()
@click.argument("challenge", shell_complete=challenge_slugs)
@click.option("--reviewers", type=click.IntRange(1, 50), default=3, show_default=True,
              help="Reviewers per submission.")
@click.option("--seed", type=click.IntRange(min=0), help="Reproduce an assignment [default: a random seed, recorded].")
@format_option(WRITE_FORMATS)
@pass_session
def assign(session: Session, challenge: str, reviewers: int, seed: int | None, fmt: str) -> None:
    """Assign peer reviewers to CHALLENGE's submissions: balanced loads, never one's
    own (nor one's team's or manager's when the challenge's review_exclusions say
    so), avoiding pairs already used this season. Written as one entry; running it
    again replaces the assignment.

    \b
    Example:
      p2p --as mia assign q4-pitch --reviewers 3 --seed 7
    """
    from p2p import actions

    written = actions.assign_reviewers(session.store(), session.as_id, session.now(), challenge, reviewers, seed)
    entry = written.entry
    if fmt == "json":
        click.echo(json.dumps({"entry": entry.to_doc(), "path": written.path, "commit": written.commit}))
        return
    loads: dict[str, int] = {}
    for reviewer, _ in entry.pairs:  # type: ignore[union-attr]
        loads[reviewer] = loads.get(reviewer, 0) + 1
    click.echo(f"assigned {len(entry.pairs)} reviews of {challenge} to {len(loads)} reviewers "  # type: ignore[union-attr]
               f"({entry.reviewers} per submission, seed {entry.seed})")  # type: ignore[union-attr]


@click.command()
@at_option
@format_option()
@pass_session
def todo(session: Session, at: str | None, fmt: str) -> None:
    """Your assigned reviews in open challenges, with due dates (you: --as, or the
    person whose e-mail is git's user.email).

    \b
    Example:
      p2p --as ben todo
    """
    from p2p import actions
    from p2p import todo as service

    snapshot, now = session.read(at, folded=True)  # one challenge's entries in memory at a time
    me = actions.acting_person(session.store(), snapshot, session.as_id)
    rows = service.todo(snapshot, me.id, now)
    columns = (("challenge", "challenge"), ("name", "review"), ("link", "link"), ("due", "due"), ("done", "done"))
    emit(fmt, {"person": me.id, "reviews": rows}, rows, columns, title=f"Reviews assigned to {me.name}",
         empty="nothing assigned to you right now")
