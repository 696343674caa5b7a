"""`p2p stats`: the programme's figures for enablement leads, as tables or for BI tools."""

from __future__ import annotations

from typing import Any, Callable

import click

from p2p.cli import Session, collector_off, pass_session
from p2p.commands.output import at_option, emit, format_option

RATES = (("eligible", "eligible"), ("submitted", "submitted"), ("rate", "rate"), ("rated", "rated"),
         ("rating_rate", "rating rate"))
# --table NAME -> (title, rows of the stats document, columns)
TABLES: dict[str, tuple[str, Callable[[dict[str, Any]], list[dict[str, Any]]], tuple[tuple[str, str], ...]]] = {
    "participation": ("Participation per challenge", lambda d: d["participation"]["challenges"],
                      (("challenge", "challenge"),) + RATES),
    "participation-teams": ("Participation per team", lambda d: d["participation"]["teams"], (("team", "team"),) + RATES),
    "participation-roles": ("Participation per role", lambda d: d["participation"]["roles"], (("role", "role"),) + RATES),
    "improvement": ("Skill improvement (1-5): first vs latest", lambda d: d["improvement"]["people"],
                    (("person", "person"), ("team", "team"), ("skill", "skill"), ("first", "first"),
                     ("latest", "latest"), ("change", "change"), ("challenges", "challenges"))),
    "improvement-teams": ("Skill improvement per team", lambda d: d["improvement"]["teams"],
                          (("team", "team"), ("skill", "skill"), ("mean_change", "mean change"), ("people", "people"))),
    "sharing": ("Knowledge sharing", lambda d: d["sharing"]["people"],
                (("person", "person"), ("team", "team"), ("reviews", "reviews"), ("comments", "comments"),
                 ("mean_comment_length", "mean length"), ("helpful", "helpful"),
                 ("clinic_suggestions", "clinic suggestions"), ("clinic_helped", "helped a deal"))),
    "sharing-teams": ("Knowledge sharing per team", lambda d: d["sharing"]["teams"],
                      (("team", "team"), ("people", "people"), ("reviews", "reviews"), ("comments", "comments"),
                       ("mean_comment_length", "mean length"), ("helpful", "helpful"))),
    "ramp": ("Ramp time of new hires (days)", lambda d: d["ramp"]["people"],
             (("person", "person"), ("hired", "hired"), ("cohort", "cohort"),
              ("days_to_first_submission", "to first submission"), ("cohort_median_first_submission", "cohort median"),
              ("days_to_threshold", "to threshold"), ("cohort_median_threshold", "cohort median"))),
    "at-risk": ("At risk", lambda d: d["at_risk"], (("person", "person"), ("team", "team"), ("reasons", "why"))),
    "skill-gaps": ("Skill gaps: median score (1-5) per team and skill", lambda d: [
        {**c, "flag": "▼ low" if c["low"] else ""} for c in d["skill_gaps"]["cells"]],
        (("team", "team"), ("skill", "skill"), ("median", "median"), ("people", "people"), ("flag", ""))),
    "actions": ("Action items", lambda d: [a for a in d["actions"]["items"] if a["state"] != "done"],
                (("id", "id"), ("person", "person"), ("text", "action"), ("due", "due"), ("state", "state"))),
    "activity": ("Weekly activity against the team median and the top quartile", lambda d: d["activity"]["people"],
                 (("person", "person"), ("team", "team"), ("weeks", "weeks"), ("calls", "calls"),
                  ("team_median_calls", "team median"), ("meetings", "meetings"),
                  ("team_median_meetings", "team median"), ("demos", "demos"), ("team_median_demos", "team median"))),
    "outcomes": ("Outcomes before and after taking part", lambda d: d.get("outcomes", {}).get("people", []),
                 (("person", "person"), ("first_submission", "first submission"), ("periods_before", "periods before"),
                  ("win_rate_before", "win rate before"), ("periods_after", "periods after"),
                  ("win_rate_after", "win rate after"), ("deal_size_before", "deal size before"),
                  ("deal_size_after", "deal size after"))),
    "outcomes-compare": ("Participants against non-participants", lambda d: d.get("outcomes", {}).get("compare", []),
                         (("group", "group"), ("people", "people"), ("win_rate", "win rate"),
                          ("deals_won", "deals won"), ("deal_size", "deal size"), ("small_sample", "small sample"))),
}


@click.command()
@click.option("--season", metavar="NAME", help="Season from p2p.yaml, or `all` [default: the current one, else all time].")
@click.option("--team", metavar="ID", help="Only people in this team.")
@click.option("--role", metavar="ROLE", help="Only people with this role.")
@click.option("--outcomes", "with_outcomes", is_flag=True, help="Add CRM outcomes (from `p2p outcomes import`).")
@click.option("--table", "table", type=click.Choice(sorted(TABLES)),
              help="Print one table (required for --format csv) [default: all of them].")
@at_option
@format_option()
@pass_session
def stats(session: Session, season: str | None, team: str | None, role: str | None, with_outcomes: bool,
          table: str | None, at: str | None, fmt: str) -> None:
    """Participation, skill improvement, knowledge sharing, ramp time of new hires,
    people at risk, skill gaps, action items and activity — per challenge, team and
    role. Every rate comes with the counts behind it.

    \b
    Example:
      p2p stats
      p2p stats --team east --season 2026-h2
      p2p stats --outcomes --table outcomes-compare
      p2p stats --table participation --format csv > participation.csv
    """
    from p2p import insight
    from p2p.ids import check_id

    snapshot, now = session.read(at, records=True, folded=True)
    if team is not None:
        check_id(team, "--team")
    if role is not None and role not in snapshot.settings.roles:
        raise click.BadParameter(f"{role!r} is not one of the roles in p2p.yaml: {', '.join(snapshot.settings.roles)}",
                                 param_hint="--role")
    with collector_off():  # the season's results, all kept till the end (see leaderboard)
        doc = insight.stats_doc(snapshot, season, now, insight.Scope(team, role),
                                with_outcomes or (table or "").startswith("outcomes"))
    if fmt == "json":
        emit(fmt, doc)
        return
    if table is None and fmt == "csv":
        raise click.UsageError(f"--format csv prints one table: add --table ({', '.join(sorted(TABLES))})")
    names = [table] if table else [n for n in TABLES if with_outcomes or not n.startswith("outcomes")]
    for i, name in enumerate(names):
        title, rows, columns = TABLES[name]
        if i:
            click.echo()
        emit(fmt, doc, rows(doc), columns, title=title, empty="nothing yet")
