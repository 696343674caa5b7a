from __future__ import annotations

import click

from p2p.cli import Session, collector_off, pass_session
from p2p.commands.complete import person_ids
from p2p.commands.output import at_option, emit, format_option

BAR = 10  # characters in a progress bar


@click.command()
@click.argument("person", required=False, shell_complete=person_ids)
@click.option("--season", metavar="NAME", help="Season from p2p.yaml [default: the current one, else all time].")
@at_option
@format_option()
@pass_session
def badges(session: Session, person: str | None, season: str | None, at: str | None, fmt: str) -> None:
    """Badges won this season and the level of each skill, with progress to the next.
    Badges are worked out from the entries, never stored.

    \b
    Example:
      p2p badges
      p2p badges ava --format json
    """
    from p2p import reports

    snapshot, now = session.read(at, records=True, folded=True)
    with collector_off():  # the season's results, all kept till the end (see leaderboard)
        doc = reports.badges_doc(snapshot, person, season, now)
    rows = []
    for who in doc["people"]:
        for badge in who["badges"]:
            rows.append({"person": who["person"], "kind": "badge", "name": badge["badge"], "detail": badge["detail"]})
        for level in who["levels"]:
            filled = round(level["progress"] * BAR)
            bar = "█" * filled + "░" * (BAR - filled)
            nxt = f" {bar} {level['progress']:.0%} to {level['next']}" if level["next"] else " (top level)"
            rows.append({"person": who["person"], "kind": "level", "name": f"{level['skill']}: {level['level']}",
                         "detail": f"score {level['score']:.2f}{nxt}"})
    columns = (("person", "person"), ("kind", "kind"), ("name", "badge / skill"), ("detail", "detail"))
    emit(fmt, doc, rows, columns, title=f"Season {doc['season'] or 'all time'}", empty="no badges or levels yet")
