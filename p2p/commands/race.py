"""`p2p race`: progress toward a race challenge's target."""

from __future__ import annotations

from typing import Any

import click

from p2p.cli import Session, pass_session
from p2p.commands.complete import challenge_slugs
from p2p.commands.output import at_option, emit, format_option

COLUMNS = (("rank", "rank"), ("name", "who"), ("total", "total"), ("bar", "progress"), ("remaining", "to go"),
           ("pace_per_day", "needed per day"), ("reached_at", "reached"))
BAR = 20


@click.command()
@click.argument("challenge", shell_complete=challenge_slugs)
@click.option("--round", "day", type=click.DateTime(["%Y-%m-%d"]), help="The round holding this day [default: today's].")
@at_option
@format_option()
@pass_session
def race(session: Session, challenge: str, day: Any, at: str | None, fmt: str) -> None:
    """Progress of each person (or team) toward CHALLENGE's target in a round: total,
    what is left, the pace needed per remaining day, and who got there first.

    \b
    Example:
      p2p race call-sprint-weekly
      p2p race call-sprint-weekly --round 2026-11-02 --format json
    """
    from p2p import races
    from p2p.errors import InvalidInput

    snapshot, now = session.read(at, [challenge])
    chal = snapshot.challenge(challenge)
    if chal.race is None:
        raise InvalidInput(f"{challenge} is not a race: give a metric challenge a `race: {{target: N}}` to make it one")
    doc = races.race_doc(chal, snapshot.entries_of(challenge), snapshot.people, snapshot.settings.tz, now,
                         day.date() if day else None)
    if fmt == "json":
        emit(fmt, doc)
        return
    for row in doc["rows"]:
        filled = round(row["progress"] * BAR)
        row["bar"] = "█" * filled + "░" * (BAR - filled) + f" {row['progress']:.0%}"
    left = doc["time_left_hours"]
    when = f"{left / 24:.1f} days left" if left >= 48 else f"{left:g} hours left" if left else "round over"
    title = (f"{doc['title']} ({challenge}): first to {doc['target']:g} {doc['metric'] or ''}".rstrip()
             + f" — round {doc['round']['starts']} to {doc['round']['ends']}, {when}")
    emit(fmt, doc, doc["rows"], COLUMNS, title=title, empty="no entries in this round yet")
