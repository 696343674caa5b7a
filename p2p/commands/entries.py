"""`p2p submit` and `p2p rate`: the commands reps run every week. Kept free of
tabulate and Jinja so they start fast."""

from __future__ import annotations

import click

from p2p.cli import Session, pass_session
from p2p.commands.complete import challenge_slugs, person_ids
from p2p.commands.output import WRITE_FORMATS, format_option


def _report(fmt: str, written: object, text: str) -> None:
    if fmt == "json":
        import json  # here: json costs a text-mode submit ~2 ms of imports

        click.echo(json.dumps({"entry": written.entry.to_doc(), "path": written.path,  # type: ignore[attr-defined]
                               "commit": written.commit}, ensure_ascii=False))  # type: ignore[attr-defined]
    else:
        click.echo(text)


@click.command()
@click.argument("challenge", shell_complete=challenge_slugs)
@click.option("--link", metavar="URL", help="Where peers can see the work (recording, deck, e-mail).")
@click.option("--notes", metavar="TEXT", help="Context for the reviewers.")
@click.option("--tag", "tags", metavar="TAG", multiple=True, help="A tag such as an industry or product; repeatable.")
@click.option("--metric", type=float, metavar="N", help="The number this challenge counts (metric challenges).")
@click.option("--team", metavar="ID", help="Submit for your team (team challenges; default your own team).")
@click.option("--partner", metavar="ID", help="Who played the buyer (pairs challenges).")
@format_option(WRITE_FORMATS)
@pass_session
def submit(session: Session, challenge: str, link: str | None, notes: str | None, tags: tuple[str, ...],
           metric: float | None, team: str | None, partner: str | None, fmt: str) -> None:
    """Submit your work to an open CHALLENGE. A new submission replaces your
    previous one in that challenge (its ratings stay with the old one).

    \b
    Example:
      p2p --as ava submit q4-pitch --link https://example.com/ava.mp4 --tag fintech
      p2p --as cal submit call-sprint --metric 42
    """
    from p2p import actions

    written = actions.submit(session.store(), session.as_id, session.now(), challenge, link=link, notes=notes,
                             tags=tags, metric=metric, team=team, partner=partner)
    entry = written.entry
    extra = f" ({entry.metric:g})" if entry.metric is not None else ""  # type: ignore[union-attr]
    _report(fmt, written, f"recorded submission {entry.id} by {entry.by} in {entry.challenge}{extra}")


@click.command()
@click.argument("challenge", shell_complete=challenge_slugs)
@click.argument("person", shell_complete=person_ids)
@click.option("--score", "scores", metavar="CRITERION=N", multiple=True, required=True,
              help="A score for one rubric criterion; give one for every criterion.")
@click.option("--comment", metavar="TEXT", help="Feedback the person will read.")
@format_option(WRITE_FORMATS)
@pass_session
def rate(session: Session, challenge: str, person: str, scores: tuple[str, ...], comment: str | None,
         fmt: str) -> None:
    """Rate PERSON's submission in CHALLENGE against its rubric. Rating again
    replaces your earlier rating. `p2p challenge show CHALLENGE` lists the criteria.

    \b
    Example:
      p2p --as ben rate q4-pitch ava --score opening=4 --score value-proposition=5 \\
          --score proof=3 --score call-to-action=4 --comment "Great hook; add a number."
    """
    from p2p import actions

    written = actions.rate(session.store(), session.as_id, session.now(), challenge, person, scores, comment)
    entry = written.entry
    _report(fmt, written, f"recorded rating {entry.id} of {entry.person} by {entry.by} in {entry.challenge}")  # type: ignore[union-attr]


@click.command()
@click.argument("challenge", shell_complete=challenge_slugs)
@click.argument("person", shell_complete=person_ids)
@click.option("--award", default="best", show_default=True, metavar="AWARD",
              help="What the vote is for, e.g. best-pitch; one vote per award per challenge.")
@format_option(WRITE_FORMATS)
@pass_session
def vote(session: Session, challenge: str, person: str, award: str, fmt: str) -> None:
    """Vote for PERSON's submission in CHALLENGE. Voting again for the same award
    moves your vote; you cannot vote for yourself.

    \b
    Example:
      p2p --as ben vote q4-pitch ava --award best-pitch
    """
    from p2p import actions

    written = actions.vote(session.store(), session.as_id, session.now(), challenge, person, award)
    entry = written.entry
    _report(fmt, written, f"recorded vote {entry.id} by {entry.by} for {entry.person} ({entry.award})")  # type: ignore[union-attr]


@click.command("rate-feedback")
@click.argument("challenge", shell_complete=challenge_slugs)
@click.argument("rating_id")
@click.option("--helpful", type=int, required=True, metavar="1..5", help="How useful the rating was to you.")
@format_option(WRITE_FORMATS)
@pass_session
def rate_feedback(session: Session, challenge: str, rating_id: str, helpful: int, fmt: str) -> None:
    """Say how useful a rating of your submission was (1 not useful .. 5 very).
    RATING_ID may be a unique prefix; `p2p explain CHALLENGE YOU` lists the ids.

    \b
    Example:
      p2p --as ava rate-feedback q4-pitch 01KAQ9TC --helpful 5
    """
    from p2p import actions

    written = actions.rate_feedback(session.store(), session.as_id, session.now(), challenge, rating_id, helpful)
    entry = written.entry
    _report(fmt, written, f"recorded feedback {entry.id}: rating {entry.rating} was {entry.helpful}/5 helpful")  # type: ignore[union-attr]


@click.command()
@click.argument("challenge", shell_complete=challenge_slugs)
@click.argument("person", shell_complete=person_ids)
@click.option("--note", metavar="TEXT", help="Why it is a good example (shown on the playbook).")
@click.option("--remove", is_flag=True, help="Take your pick back.")
@format_option(WRITE_FORMATS)
@pass_session
def feature(session: Session, challenge: str, person: str, note: str | None, remove: bool, fmt: str) -> None:
    """Feature PERSON's submission to CHALLENGE as an example of what good looks like
    (managers only). Featured work leads the playbook and earns the award points.

    \b
    Example:
      p2p --as mia feature q4-pitch eli --note "The CFO opener everyone should steal"
      p2p --as mia feature q4-pitch eli --remove
    """
    from p2p import actions

    written = actions.feature(session.store(), session.as_id, session.now(), challenge, person, note, remove)
    if written is None:
        state = "not featured" if remove else "already featured"
        if fmt == "json":
            import json

            click.echo(json.dumps({"entry": None, "path": None, "commit": None, "note": f"{person} is {state}"}))
        else:
            click.echo(f"unchanged: {person}'s submission in {challenge} is {state}")
        return
    verb = "took back the feature of" if remove else "featured"
    _report(fmt, written, f"{verb} {person}'s submission in {challenge}")
