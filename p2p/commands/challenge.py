from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from p2p.cli import Session, pass_session
from p2p.commands.complete import challenge_slugs
from p2p.commands.output import WRITE_FORMATS, at_option, echo_fields, emit, emit_changes, format_option
from p2p.commands.types import CRITERIA_COLUMNS, criteria_rows, echo_scoring

LIST_COLUMNS = (("slug", "challenge"), ("title", "title"), ("type", "type"), ("state", "state"),
                ("opens", "opens"), ("closes", "closes"), ("review_closes", "review closes"),
                ("submissions", "submissions"), ("ratings", "ratings"))
DATE = click.DateTime(["%Y-%m-%d"])
STATES = ("upcoming", "open", "review", "closed")  # = p2p.model.STATES; not imported, to keep --help fast


@click.group()
def challenge() -> None:
    """Challenge rounds: create them from a type, apply spec files from CI, close them."""


@challenge.command("new")
@click.argument("slug")
@click.option("--type", "type_name", required=True, metavar="TYPE", help="A built-in type (see `p2p types`).")
@click.option("--title", required=True, help="Title shown on leaderboards and pages.")
@click.option("--opens", required=True, type=DATE, help="First day of submissions, YYYY-MM-DD.")
@click.option("--closes", required=True, type=DATE, help="Last day of submissions, YYYY-MM-DD (inclusive).")
@click.option("--review-closes", type=DATE, help="Last day of rating [default: closes + the type's review days].")
@click.option("--skill", "skills", multiple=True, metavar="SKILL", help="Skills trained [default: the type's]; repeatable.")
@click.option("--role", "roles", multiple=True, metavar="ROLE", help="Eligible roles [default: the type's]; repeatable.")
@click.option("--description", help="The brief [default: the type's description].")
@format_option(WRITE_FORMATS)
@pass_session
def new(session: Session, slug: str, type_name: str, title: str, opens: dt.datetime, closes: dt.datetime,
        review_closes: dt.datetime | None, skills: tuple[str, ...], roles: tuple[str, ...],
        description: str | None, fmt: str) -> None:
    """Create challenge SLUG from a built-in type. Dates are whole days in the
    store's time zone. Running it again with the same options changes nothing.

    \b
    Example:
      p2p challenge new q4-pitch --type pitch-battle --title "Q4 pitch battle" \\
          --opens 2026-11-20 --closes 2026-11-27 --role ae --role sdr
    """
    from p2p import rounds

    spec = {"slug": slug, "type": type_name, "title": title, "description": description,
            "opens": opens.date(), "closes": closes.date(),
            "review_closes": review_closes.date() if review_closes else None,
            "skills": list(skills) or None, "roles": list(roles) or None}
    emit_changes(fmt, rounds.new_challenge(session.store(), session.as_id, spec), "challenge")


@challenge.command("apply")
@click.argument("paths", nargs=-1, required=True, metavar="FILE|DIR...",
                type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@format_option(WRITE_FORMATS)
@pass_session
def apply(session: Session, paths: tuple[Path, ...], dry_run: bool, fmt: str) -> None:
    """Create or update challenges from YAML spec files (one commit for all changes).

    A spec names a slug, a type and dates, and may override any field of the type
    (title, description, skills, roles, rubric, min_ratings, metric …). A file holds
    one spec, a list of specs, or `challenges: [...]`. Every spec is validated first:
    if one is invalid nothing is written. Unchanged specs make no commit.

    \b
    Example:
      p2p challenge apply specs/ --dry-run
      p2p challenge apply specs/q4-pitch.yaml
    """
    from p2p import rounds

    emit_changes(fmt, rounds.apply_specs(session.store(), session.as_id, list(paths), dry_run), "challenge", dry_run)


@challenge.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only challenges in this state.")
@at_option
@format_option()
@pass_session
def list_(session: Session, state: str | None, at: str | None, fmt: str) -> None:
    """List challenges with their state and activity.

    \b
    Example:
      p2p challenge list --state open
    """
    from p2p import views

    snapshot, now = session.read(at, folded=True)
    doc = views.challenges_doc(snapshot, now, state)
    empty = f"no {state} challenges (`p2p challenge list` shows them all)" if state else \
        "no challenges: create one with `p2p challenge new`"
    emit(fmt, doc, doc["challenges"], LIST_COLUMNS, empty=empty)


@challenge.command("show")
@click.argument("slug", shell_complete=challenge_slugs)
@at_option
@format_option()
@pass_session
def show(session: Session, slug: str, at: str | None, fmt: str) -> None:
    """Show a challenge: timeline, state, scoring and rubric.

    \b
    Example:
      p2p challenge show q4-pitch --format json
    """
    from p2p import views

    snapshot, now = session.read(at, [slug])
    doc = views.challenge_doc(snapshot, snapshot.challenge(slug), now)
    if fmt != "table":
        emit(fmt, doc, criteria_rows(doc["rubric"]), CRITERIA_COLUMNS, title=doc["title"])
        return
    echo_fields((k, doc[k]) for k in ("slug", "title", "type", "state", "mode", "format", "skills", "roles",
                                      "opens", "closes", "review_closes", "min_ratings", "submissions", "ratings"))
    echo_scoring(doc)


@challenge.command("close")
@click.argument("slug", shell_complete=challenge_slugs)
@format_option(WRITE_FORMATS)
@pass_session
def close(session: Session, slug: str, fmt: str) -> None:
    """Close a challenge now: no more submissions or ratings. Idempotent.

    \b
    Example:
      p2p challenge close q4-pitch
    """
    from p2p import rounds

    emit_changes(fmt, rounds.close_challenge(session.store(), session.as_id, slug, session.now()), "challenge")
