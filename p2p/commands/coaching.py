"""Coaching follow-through: `p2p action`, `p2p activity`, `p2p outcomes` and `p2p match`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from p2p.cli import Session, collector_off, pass_session
from p2p.commands.complete import person_ids
from p2p.commands.output import WRITE_FORMATS, at_option, emit, format_option

DATE = click.DateTime(["%Y-%m-%d"])
ACTION_COLUMNS = (("id", "id"), ("person", "person"), ("text", "action"), ("due", "due"), ("state", "state"),
                  ("challenge", "challenge"), ("by", "added by"))


def _report(fmt: str, logged: Any, text: str, **extra: Any) -> None:
    if fmt == "json":
        record = logged.record.to_doc() if logged.record is not None else None
        click.echo(json.dumps({"record": record, "path": logged.path, "commit": logged.commit,
                               "note": logged.note or None, **extra}, ensure_ascii=False))
    else:
        click.echo(text if logged.record is not None else f"unchanged: {logged.note}")


# -- action items ------------------------------------------------------------------------
@click.group()
def action() -> None:
    """Action items: what a person will do after feedback, a clinic or a coaching talk.
    Open and overdue items show on person and team pages and in `p2p stats`."""


@action.command("add")
@click.argument("person", shell_complete=person_ids)
@click.argument("text")
@click.option("--due", type=DATE, help="Due date, YYYY-MM-DD.")
@click.option("--challenge", metavar="SLUG", help="The challenge the item comes from.")
@format_option(WRITE_FORMATS)
@pass_session
def action_add(session: Session, person: str, text: str, due: Any, challenge: str | None, fmt: str) -> None:
    """Add an action item for PERSON (yourself, a peer you reviewed, or someone you manage).

    \b
    Example:
      p2p --as mia action add ava "Open with the customer's KPI, not our features" --due 2026-12-01
    """
    from p2p import logbook

    logged = logbook.add_action(session.store(), session.as_id, session.now(), person, text,
                                due.date() if due else None, challenge)
    _report(fmt, logged, f"added action {logged.record.id} for {person}"  # type: ignore[union-attr]
            + (f", due {due.date()}" if due else ""))


@action.command("done")
@click.argument("action_id", metavar="ID")
@format_option(WRITE_FORMATS)
@pass_session
def action_done(session: Session, action_id: str, fmt: str) -> None:
    """Mark action item ID done (by its person, whoever added it, or the person's
    manager). Marking it again changes nothing.

    \b
    Example:
      p2p --as ava action done 01JD2Q8M3W5X7Y9Z1A2B3C4D5E
    """
    from p2p import logbook

    logged = logbook.complete_action(session.store(), session.as_id, session.now(), action_id)
    _report(fmt, logged, f"action {action_id} done")


@action.command("list")
@click.option("--person", metavar="ID", help="Only this person's items.")
@click.option("--team", metavar="ID", help="Only this team's items.")
@click.option("--overdue", is_flag=True, help="Only items past their due date.")
@click.option("--all", "show_all", is_flag=True, help="Include done items.")
@at_option
@format_option()
@pass_session
def action_list(session: Session, person: str | None, team: str | None, overdue: bool, show_all: bool,
                at: str | None, fmt: str) -> None:
    """Open action items (oldest first), with overdue ones marked.

    \b
    Example:
      p2p action list --overdue --team east
      p2p action list --person ava --all --format json
    """
    from p2p import insight

    snapshot, now = session.read(at, challenges=[], records=True)
    if person is not None:
        snapshot.person(person)
    rows = insight.actions(snapshot, now.astimezone(snapshot.settings.tz).date(), insight.Scope(team=team))
    rows = [r for r in rows if (person is None or r["person"] == person) and (show_all or r["state"] != "done")
            and (not overdue or r["state"] == "overdue")]
    emit(fmt, {"actions": rows, "commit": snapshot.commit}, rows, ACTION_COLUMNS, title="Action items",
         empty="no overdue action items" if overdue else "no open action items")


# -- activity ------------------------------------------------------------------------------
@click.group()
def activity() -> None:
    """Your weekly activity numbers (calls, meetings, demos), compared in `p2p stats`
    with your team's median and the top quartile."""


@activity.command("log")
@click.option("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W47 [default: this week].")
@click.option("--calls", type=float, help="Calls made.")
@click.option("--meetings", type=float, help="Meetings held.")
@click.option("--demos", type=float, help="Demos given.")
@format_option(WRITE_FORMATS)
@pass_session
def activity_log(session: Session, week: str | None, calls: float | None, meetings: float | None,
                 demos: float | None, fmt: str) -> None:
    """Record your numbers for a week; logging a week again replaces its numbers.

    \b
    Example:
      p2p --as ava activity log --calls 62 --meetings 9 --demos 4
    """
    from p2p import logbook

    counts = {k: v for k, v in (("calls", calls), ("meetings", meetings), ("demos", demos)) if v is not None}
    logged = logbook.log_activity(session.store(), session.as_id, session.now(), week, counts)
    numbers = ", ".join(f"{k} {v:g}" for k, v in counts.items())
    week_logged = logged.record.week if logged.record is not None else week  # type: ignore[union-attr]
    _report(fmt, logged, f"logged {week_logged}: {numbers}")


# -- outcomes ------------------------------------------------------------------------------
@click.group()
def outcomes() -> None:
    """CRM outcomes per person and period, to compare with participation (`p2p stats --outcomes`)."""


@outcomes.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@format_option(WRITE_FORMATS)
@pass_session
def outcomes_import(session: Session, file: Path, fmt: str) -> None:
    """Import a CRM report of results per person and period (CSV, ',' ';' or tab).

    One row per person and period. Who: Email, Owner ID (15 or 18 characters) or
    p2p_id. Period: Period, Close Month or Fiscal Quarter (2026-10, 2026-Q4, Q4 2026).
    Results: Win Rate (0.34, 34% or 34: a number above 1 is a percentage), Deals
    Won, Average Deal Size ($12,500 or 12.500,00 €). Rows already recorded with the
    same values are left alone; unknown people, formula cells and rows with no
    result are skipped.

    \b
    Example:
      p2p outcomes import salesforce-results-2026-q4.csv
    """
    from p2p import logbook
    from p2p.cli import progress_bars
    from p2p.errors import InvalidInput

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
    with progress_bars():
        logged, skipped, unchanged = logbook.import_outcomes(session.store(), session.as_id, session.now(), file.name,
                                                             data)
    rows = len(logged.record.rows) if logged.record is not None else 0  # type: ignore[union-attr]
    if fmt == "json":
        _report(fmt, logged, "", imported=rows, unchanged=unchanged,
                skipped=[{"line": line, "reason": reason} for line, reason in skipped])
        return
    click.echo(f"imported {rows} rows, {unchanged} unchanged, {len(skipped)} skipped")
    for line, reason in skipped:
        click.echo(f"skipped line {line}: {reason}")


# -- mentor matching -------------------------------------------------------------------------
@click.command()
@click.option("--skill", metavar="SKILL", help="Match in this skill [default: every skill with scores].")
@click.option("--seed", type=int, default=0, show_default=True, help="Breaks ties; the same seed gives the same pairs.")
@click.option("--capacity", type=click.IntRange(1, 100), help="Mentees per mentor [default: p2p.yaml insight.mentor_capacity].")
@click.option("--season", metavar="NAME", help="Score skills over this season, or `all` [default: all].")
@format_option(WRITE_FORMATS)
@pass_session
def match(session: Session, skill: str | None, seed: int, capacity: int | None, season: str | None, fmt: str) -> None:
    """Pair people weak at a skill (below practitioner) with people strong at it
    (expert or above), within each mentor's capacity, never with themselves or
    again with the same mentor; records the pairs, shown on person pages.

    \b
    Example:
      p2p --as mia match --skill discovery --seed 7
    """
    from p2p import game, logbook
    from p2p.insight import ALL_TIME

    store = session.store()
    now = session.now()
    snapshot = store.load(folded=True)  # skill scores need boards only: each challenge read as its tally
    today = now.astimezone(snapshot.settings.tz).date()
    chosen = None if season in (None, ALL_TIME) else snapshot.settings.season(season, today)
    with collector_off():  # the season's results, all kept till the end (see leaderboard)
        skills = game.skill_scores(game.play(snapshot, chosen, now))
    known = sorted({s for by_skill in skills.values() for s in by_skill})
    if skill is not None and skill not in known:
        raise click.BadParameter(f"{skill!r} has no scores yet; skills with scores: {', '.join(known) or 'none'}",
                                 param_hint="--skill")
    results = []
    for name in [skill] if skill else known:
        means = {p: sum(s for _, s in by_skill[name]) / len(by_skill[name]) for p, by_skill in skills.items()
                 if name in by_skill}
        logged, proposal = logbook.match(store, session.as_id, now, name, seed, capacity, means)
        results.append({"skill": name, "pairs": [{"mentor": m, "mentee": p} for m, p in proposal.pairs],
                        "unmatched": list(proposal.unmatched), "commit": logged.commit, "note": logged.note or None})
    if fmt == "json":
        click.echo(json.dumps({"matches": results}, ensure_ascii=False))
        return
    for result in results:
        if not result["pairs"]:
            click.echo(f"{result['skill']}: {result['note']}")
        for pair in result["pairs"]:
            click.echo(f"{result['skill']}: {pair['mentor']} mentors {pair['mentee']}")
        if result["unmatched"]:
            click.echo(f"{result['skill']}: no mentor with room for {', '.join(result['unmatched'])}")


# -- deal clinics -------------------------------------------------------------------------
CLINIC_COLUMNS = (("id", "id"), ("name", "rep"), ("title", "deal"), ("follow_up", "follow-up"), ("state", "state"),
                  ("suggestions_n", "suggestions"), ("picked_n", "picked"), ("outcome", "outcome"))


@click.group()
def clinic() -> None:
    """Deal clinics: post a stuck deal, collect peers' suggestions, pick what to try
    (an action item) and record the outcome. Picked suggestions on deals that were won
    or moved earn their authors points."""


@clinic.command("open")
@click.argument("title")
@click.option("--notes", metavar="TEXT", help="Where the deal is stuck and what was tried.")
@click.option("--follow-up", "follow_up", type=DATE, help="When the group checks back [default: in 14 days].")
@format_option(WRITE_FORMATS)
@pass_session
def clinic_open(session: Session, title: str, notes: str | None, follow_up: Any, fmt: str) -> None:
    """Post a stuck deal for the peer group.

    \b
    Example:
      p2p --as ava clinic open "Acme renewal stuck in procurement" --notes "Legal wants a new DPA"
    """
    from p2p import logbook

    logged = logbook.open_clinic(session.store(), session.as_id, session.now(), title, notes,
                                 follow_up.date() if follow_up else None)
    _report(fmt, logged, f"opened clinic {logged.record.id}, follow-up {logged.record.follow_up}")  # type: ignore[union-attr]


@clinic.command("suggest")
@click.argument("clinic_id", metavar="ID")
@click.argument("text")
@format_option(WRITE_FORMATS)
@pass_session
def clinic_suggest(session: Session, clinic_id: str, text: str, fmt: str) -> None:
    """Suggest what the rep could try.

    \b
    Example:
      p2p --as ben clinic suggest 01JD2Q8M3W5X7Y9Z1A2B3C4D5E "Offer our standard DPA with a security review call"
    """
    from p2p import logbook

    logged = logbook.suggest(session.store(), session.as_id, session.now(), clinic_id, text)
    _report(fmt, logged, f"suggestion {logged.record.id} added to clinic {clinic_id}")  # type: ignore[union-attr]


@clinic.command("pick")
@click.argument("clinic_id", metavar="ID")
@click.argument("suggestion_id", metavar="SUGGESTION")
@click.option("--due", type=DATE, help="When you will have tried it [default: the follow-up date].")
@format_option(WRITE_FORMATS)
@pass_session
def clinic_pick(session: Session, clinic_id: str, suggestion_id: str, due: Any, fmt: str) -> None:
    """Pick a suggestion to try: it becomes your action item.

    \b
    Example:
      p2p --as ava clinic pick 01JD2Q8M3W5X7Y9Z1A2B3C4D5E 01JD2R0000000000000000000A --due 2026-12-01
    """
    from p2p import logbook

    logged = logbook.pick(session.store(), session.as_id, session.now(), clinic_id, suggestion_id,
                          due.date() if due else None)
    _report(fmt, logged, f"picked {suggestion_id}: action {logged.record.id if logged.record else ''}".rstrip())


@clinic.command("close")
@click.argument("clinic_id", metavar="ID")
@click.option("--outcome", type=click.Choice(("won", "lost", "moved", "stalled")), required=True,
              help="What happened to the deal.")
@click.option("--notes", metavar="TEXT", help="What made the difference.")
@format_option(WRITE_FORMATS)
@pass_session
def clinic_close(session: Session, clinic_id: str, outcome: str, notes: str | None, fmt: str) -> None:
    """Record the deal's outcome and close the clinic.

    \b
    Example:
      p2p --as ava clinic close 01JD2Q8M3W5X7Y9Z1A2B3C4D5E --outcome won --notes "The security call unblocked legal"
    """
    from p2p import logbook

    logged = logbook.close_clinic(session.store(), session.as_id, session.now(), clinic_id, outcome, notes)
    _report(fmt, logged, f"clinic {clinic_id} closed: {outcome}")


@clinic.command("list")
@click.option("--due", is_flag=True, help="Only open clinics past their follow-up date (for the weekly call).")
@click.option("--all", "show_all", is_flag=True, help="Include closed clinics.")
@at_option
@format_option()
@pass_session
def clinic_list(session: Session, due: bool, show_all: bool, at: str | None, fmt: str) -> None:
    """Open clinics with their suggestions and picks.

    \b
    Example:
      p2p clinic list --due
    """
    from p2p import clinics

    snapshot, now = session.read(at, challenges=[], records=True)
    rows = clinics.board(snapshot, now.astimezone(snapshot.settings.tz).date())
    rows = [r for r in rows if (show_all or r["state"] != "closed") and (not due or r["state"] == "due")]
    for row in rows:
        row["suggestions_n"] = len(row["suggestions"])
        row["picked_n"] = sum(1 for s in row["suggestions"] if s["picked"])
    if fmt == "json":
        emit(fmt, {"clinics": [{k: v for k, v in r.items() if not k.endswith("_n")} for r in rows],
                   "commit": snapshot.commit})
        return
    emit(fmt, {}, rows, CLINIC_COLUMNS, title="Deal clinics", empty="no clinic is due" if due else "no open clinic")
