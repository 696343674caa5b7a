"""Insight for enablement leads: participation, skill improvement, knowledge sharing,
ramp time of new hires, people at risk, skill gaps, action items, activity and CRM
outcomes. Pure functions over a scored season (p2p.game.play) and the records.

Every figure carries its counts, so nobody over-reads a small sample; `stats` prints
these documents and the analytics page renders the same ones."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from p2p import game
from p2p.model import Challenge, Person
from p2p.policies import median
from p2p.records import ACTIVITY_COUNTS, Action, Activity, Done, Outcome, Outcomes, Pairing
from p2p.snapshot import Snapshot

SMALL_SAMPLE = 5  # fewer people (or periods) than this: a figure is flagged as a small sample


@dataclass(frozen=True)
class Scope:
    """Whom the figures are about: everyone, or one team and/or role."""

    team: str | None = None
    role: str | None = None

    def holds(self, person: Person) -> bool:
        return (self.team is None or person.team == self.team) and (self.role is None or person.role == self.role)


# -- who took part ---------------------------------------------------------------------
def eligible(challenge: Challenge, person: Person) -> bool:
    """Could `person` take part: active, in one of the challenge's roles, hired by its close."""
    return (person.active and (not challenge.roles or person.role in challenge.roles)
            and (person.hired is None or person.hired <= challenge.closes))


def participants(played: game.Played, teams: Mapping[str, list[str]]) -> set[str]:
    """People with a current submission in the challenge (a team's members share it,
    a pairs partner counts too); `teams`: game.active_teams."""
    found: set[str] = set()
    for _, by, _, partner, team in played.entrants:
        found.add(by)
        if partner:
            found.add(partner)
        if played.challenge.format == "team" and team:
            found.update(teams.get(team, ()))
    return found


def raters(played: game.Played) -> set[str]:
    """People who gave at least one counted rating in the challenge."""
    return set(played.given)


def participation(snapshot: Snapshot, played: list[game.Played], scope: Scope = Scope()) -> dict[str, Any]:
    """Share of eligible people who submitted and who rated: per challenge, team, role
    and over the season (person-challenge slots)."""
    per_challenge = []
    # Eligible slots by (team, role, submitted, rated): counted, not kept (a season has 250,000).
    season: Counter[tuple[str, str, bool, bool]] = Counter()
    teams = game.active_teams(snapshot.people)
    for g in played:
        took_part, rated = participants(g, teams), raters(g)
        slots = Counter((p.team, p.role, p.id in took_part, p.id in rated) for p in snapshot.people.values()
                        if eligible(g.challenge, p) and scope.holds(p))
        season.update(slots)
        per_challenge.append({"challenge": g.challenge.slug, "title": g.challenge.title, **_rates(slots)})

    def grouped(key: str) -> list[dict[str, Any]]:
        at = 0 if key == "team" else 1
        groups: dict[str, Counter[tuple[str, str, bool, bool]]] = {}
        for slot, n in season.items():
            groups.setdefault(slot[at], Counter())[slot] += n
        return [{key: name, **_rates(slots)} for name, slots in sorted(groups.items())]

    return {"challenges": per_challenge, "teams": grouped("team"), "roles": grouped("role"), "overall": _rates(season)}


def _rates(slots: Mapping[tuple[str, str, bool, bool], int]) -> dict[str, Any]:
    eligible_n = sum(slots.values())
    submitted = sum(n for (_, _, took_part, _), n in slots.items() if took_part)
    rated = sum(n for (_, _, _, gave), n in slots.items() if gave)
    return {"eligible": eligible_n, "submitted": submitted, "rate": _share(submitted, eligible_n),
            "rated": rated, "rating_rate": _share(rated, eligible_n)}


# -- skill improvement -----------------------------------------------------------------
def improvement(snapshot: Snapshot, skills: game.SkillScores, scope: Scope = Scope()) -> dict[str, Any]:
    """Per person and skill: the score (1-5) in their first and latest scored
    challenge of that skill, and the change; per team, the mean change."""
    people = []
    for pid, by_skill in sorted(skills.items()):
        person = snapshot.people.get(pid)
        if person is None or not scope.holds(person):
            continue
        for skill, scores in sorted(by_skill.items()):
            if len(scores) >= 2:
                people.append({"person": pid, "name": person.name, "team": person.team, "skill": skill,
                               "first_challenge": scores[0][0], "first": round(scores[0][1], 2),
                               "latest_challenge": scores[-1][0], "latest": round(scores[-1][1], 2),
                               "change": round(scores[-1][1] - scores[0][1], 2), "challenges": len(scores)})
    teams: dict[tuple[str, str], list[float]] = {}
    for row in people:
        teams.setdefault((row["team"], row["skill"]), []).append(row["change"])
    team_rows = [{"team": team, "skill": skill, "mean_change": round(sum(v) / len(v), 2), "people": len(v),
                  "small_sample": len(v) < SMALL_SAMPLE} for (team, skill), v in sorted(teams.items())]
    people.sort(key=lambda r: (-r["change"], r["person"], r["skill"]))
    return {"people": people, "teams": team_rows}


# -- knowledge sharing -----------------------------------------------------------------
def sharing(snapshot: Snapshot, played: list[game.Played], scope: Scope = Scope()) -> dict[str, Any]:
    """Reviews given, comments written, mean comment length (characters) and helpful
    answers received (the rated person said 4 or 5 of 5), per person and team."""
    from p2p import clinics

    reviews: dict[str, int] = {}
    written: dict[str, list[int]] = {}  # [comments, characters]
    helpful: dict[str, int] = {}
    for g in played:
        for rater, count in g.given.items():
            reviews[rater] = reviews.get(rater, 0) + count
        for rater, (count, chars) in g.comments.items():
            mine = written.setdefault(rater, [0, 0])
            mine[0] += count
            mine[1] += chars
        for rater in g.helpful_by:
            helpful[rater] = helpful.get(rater, 0) + 1
    suggested, helped = clinics.written(snapshot), clinics.helped(snapshot)
    people = []
    for pid in sorted(set(reviews) | set(suggested)):
        person = snapshot.people.get(pid)
        if person is None or not scope.holds(person):
            continue
        comments, chars = written.get(pid, (0, 0))
        people.append({"person": pid, "name": person.name, "team": person.team, "reviews": reviews.get(pid, 0),
                       "comments": comments, "comment_chars": chars,
                       "mean_comment_length": round(chars / comments, 1) if comments else 0.0,
                       "helpful": helpful.get(pid, 0), "clinic_suggestions": suggested.get(pid, 0),
                       "clinic_helped": helped.get(pid, 0)})
    teams: dict[str, dict[str, Any]] = {}
    for row in people:
        team = teams.setdefault(row["team"], {"team": row["team"], "people": 0, "reviews": 0, "comments": 0,
                                              "comment_chars": 0, "helpful": 0, "clinic_suggestions": 0,
                                              "clinic_helped": 0})
        team["people"] += 1
        for key in ("reviews", "comments", "comment_chars", "helpful", "clinic_suggestions", "clinic_helped"):
            team[key] += row[key]
    for team in teams.values():
        team["mean_comment_length"] = round(team["comment_chars"] / team["comments"], 1) if team["comments"] else 0.0
    people.sort(key=lambda r: (-r["reviews"], r["person"]))
    return {"people": people, "teams": [teams[t] for t in sorted(teams)]}


# -- ramp time ---------------------------------------------------------------------------
def ramp(snapshot: Snapshot, played: list[game.Played], threshold: float, today: dt.date, new_hire_days: int,
         scope: Scope = Scope()) -> dict[str, Any]:
    """New hires (`hired` within `new_hire_days` of today): days from hire to first
    submission and to the first result at or above `threshold` (1-5 scale), against
    their cohort's (people hired in the same quarter) median."""
    since = today - dt.timedelta(days=new_hire_days)
    hires = [p for p in snapshot.people.values()
             if p.hired is not None and since <= p.hired <= today and p.active and scope.holds(p)]
    hired = {p.id for p in hires}  # only their firsts are shown: a season has 200,000 submissions
    tz = snapshot.settings.tz
    first_submission: dict[str, dt.date] = {}
    first_good: dict[str, dt.date] = {}
    for g in played:
        when: dict[str, dt.datetime] = {}  # a hire's submissions: not a scan per row
        for sid, by, at, _, _ in g.entrants:
            if by in hired:
                when[sid] = at
                day = at.astimezone(tz).date()
                if by not in first_submission or day < first_submission[by]:
                    first_submission[by] = day
        if g.challenge.mode != "rubric" or not when:
            continue
        low, high = g.challenge.rubric.min, g.challenge.rubric.max
        for row in g.board.rows:
            if row.person in hired and row.score is not None and 1 + 4 * (row.score - low) / (high - low) >= threshold:
                at = when.get(row.submission)
                if at is not None:
                    day = at.astimezone(tz).date()
                    if row.person not in first_good or day < first_good[row.person]:
                        first_good[row.person] = day
    rows = []
    for person in sorted(hires, key=lambda p: p.id):
        assert person.hired is not None
        sub, good = first_submission.get(person.id), first_good.get(person.id)
        rows.append({"person": person.id, "name": person.name, "team": person.team, "hired": person.hired.isoformat(),
                     "cohort": f"{person.hired.year}-Q{(person.hired.month - 1) // 3 + 1}",
                     "first_submission": sub.isoformat() if sub else None,
                     "days_to_first_submission": (sub - person.hired).days if sub else None,
                     "first_at_threshold": good.isoformat() if good else None,
                     "days_to_threshold": (good - person.hired).days if good else None})
    cohorts: dict[str, list[dict[str, Any]]] = {}
    for hire in rows:
        cohorts.setdefault(hire["cohort"], []).append(hire)
    summary = []
    for name, members in sorted(cohorts.items()):
        subs = [r["days_to_first_submission"] for r in members if r["days_to_first_submission"] is not None]
        goods = [r["days_to_threshold"] for r in members if r["days_to_threshold"] is not None]
        summary.append({"cohort": name, "hires": len(members), "median_days_to_first_submission": _median(subs),
                        "submitted": len(subs), "median_days_to_threshold": _median(goods), "at_threshold": len(goods),
                        "small_sample": len(members) < SMALL_SAMPLE})
        for row in members:
            row["cohort_median_first_submission"] = _median(subs)
            row["cohort_median_threshold"] = _median(goods)
    return {"threshold": threshold, "hired_since": since.isoformat(), "people": rows, "cohorts": summary}


# -- at risk -----------------------------------------------------------------------------
def at_risk(snapshot: Snapshot, played: list[game.Played], now: dt.datetime, missed: int,
            scope: Scope = Scope()) -> list[dict[str, Any]]:
    """Active people who sat out each of the last `missed` challenges they could have
    entered (closed ones only), or whose last three scores fell each time."""
    closed = [g for g in played if g.challenge.state(now, snapshot.settings.tz) == "closed"]
    teams = game.active_teams(snapshot.people)
    took_part = {g.challenge.slug: participants(g, teams) for g in closed}
    trend: dict[str, list[tuple[str, float]]] = {}
    for g in played:
        if g.challenge.mode != "rubric":
            continue
        slug, low, high = g.challenge.slug, g.challenge.rubric.min, g.challenge.rubric.max
        for row in g.board.rows:
            if row.score is not None:
                mine = trend.get(row.person)  # not setdefault, which makes a list for each of 200,000 rows
                if mine is None:
                    mine = trend[row.person] = []
                mine.append((slug, 1 + 4 * (row.score - low) / (high - low)))
                if len(mine) > 3:
                    del mine[0]  # only the last three are looked at: a season has 200,000
    rows = []
    for person in sorted(snapshot.people.values(), key=lambda p: p.id):
        if not person.active or not scope.holds(person):
            continue
        reasons = []
        theirs = [g.challenge.slug for g in closed if eligible(g.challenge, person)]
        recent = theirs[-missed:] if missed else []
        if missed and len(recent) == missed and not any(person.id in took_part[slug] for slug in recent):
            reasons.append(f"no participation in the last {missed} challenges ({', '.join(recent)})")
        last = trend.get(person.id, [])[-3:]
        if len(last) == 3 and last[0][1] > last[1][1] > last[2][1]:
            reasons.append("score fell three times running: " + " → ".join(f"{s:.2f}" for _, s in last))
        if reasons:
            rows.append({"person": person.id, "name": person.name, "team": person.team, "role": person.role,
                         "reasons": reasons})
    return rows


# -- skill gaps --------------------------------------------------------------------------
def skill_gaps(snapshot: Snapshot, skills: game.SkillScores, scope: Scope = Scope()) -> dict[str, Any]:
    """Team × skill: the median of members' mean scores (1-5); the lowest quarter of
    cells (at least one) is marked `low`."""
    cells: dict[tuple[str, str], list[float]] = {}
    for pid, by_skill in skills.items():
        person = snapshot.people.get(pid)
        if person is None or not person.active or not scope.holds(person):
            continue
        for skill, scores in by_skill.items():
            cells.setdefault((person.team, skill), []).append(sum(s for _, s in scores) / len(scores))
    rows = [{"team": team, "skill": skill, "median": round(median(values), 2), "people": len(values), "low": False}
            for (team, skill), values in sorted(cells.items())]
    for row in sorted(rows, key=lambda r: (r["median"], r["team"], r["skill"]))[:max(1, len(rows) // 4)]:
        row["low"] = True
    return {"skills": sorted({r["skill"] for r in rows}), "teams": sorted({r["team"] for r in rows}), "cells": rows}


# -- action items --------------------------------------------------------------------------
def actions(snapshot: Snapshot, today: dt.date, scope: Scope = Scope()) -> list[dict[str, Any]]:
    """Every action item with its state: open, overdue (open past its due date) or done."""
    done = {r.action: r for r in snapshot.records if isinstance(r, Done)}
    rows = []
    for item in (r for r in snapshot.records if isinstance(r, Action)):
        person = snapshot.people.get(item.person)
        if person is None or not scope.holds(person):
            continue
        finished = done.get(item.id)
        state = "done" if finished else "overdue" if item.due is not None and item.due < today else "open"
        rows.append({"id": item.id, "person": item.person, "name": person.name, "team": person.team, "text": item.text,
                     "due": item.due.isoformat() if item.due else None, "challenge": item.challenge, "by": item.by,
                     "added": item.at.date().isoformat(), "state": state,
                     "done": finished.at.date().isoformat() if finished else None})
    return rows


def action_summary(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Open, overdue and done counts per person or team."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(row[key], {key: row[key], "open": 0, "overdue": 0, "done": 0})
        group[row["state"]] += 1
    return [groups[k] for k in sorted(groups)]


# -- mentor pairs ----------------------------------------------------------------------------
def mentoring(snapshot: Snapshot) -> dict[str, list[dict[str, str]]]:
    """{person: [{role: mentor|mentee, with, skill}]} from every pairing run."""
    found: dict[str, list[dict[str, str]]] = {}
    for run in (r for r in snapshot.records if isinstance(r, Pairing)):
        for mentor, mentee in run.pairs:
            found.setdefault(mentor, []).append({"as": "mentor", "with": mentee, "skill": run.skill, "since": run.at.date().isoformat()})
            found.setdefault(mentee, []).append({"as": "mentee", "with": mentor, "skill": run.skill, "since": run.at.date().isoformat()})
    return found


# -- activity ----------------------------------------------------------------------------------
def latest_activity(records: Iterable[Any]) -> dict[tuple[str, str], Activity]:
    """The counting activity record per (person, week): the latest."""
    latest: dict[tuple[str, str], Activity] = {}
    for record in records:
        if isinstance(record, Activity):
            latest[(record.by, record.week)] = record
    return latest


def activity(snapshot: Snapshot, standings: list[dict[str, Any]], scope: Scope = Scope()) -> dict[str, Any]:
    """Each person's mean weekly numbers against their team's median and against the
    top quartile of the season standings (by points): what top performers do."""
    weeks: dict[str, list[Activity]] = {}
    for (pid, _), record in sorted(latest_activity(snapshot.records).items()):
        weeks.setdefault(pid, []).append(record)
    # A number left out of a week's log is unknown, not zero: each mean is over the weeks that gave it.
    means = {pid: {k: _mean([r.counts.get(k) for r in logged]) for k in ACTIVITY_COUNTS}
             for pid, logged in weeks.items() if pid in snapshot.people}
    ranked = [r["person"] for r in standings if r.get("points", 0) > 0]
    top = set(ranked[:max(1, len(ranked) // 4)]) if ranked else set()
    top_median = {k: _median([means[p][k] for p in top if p in means and means[p][k] is not None])
                  for k in ACTIVITY_COUNTS}
    team_median: dict[str, dict[str, float | None]] = {}
    by_team: dict[str, list[str]] = {}
    for pid in means:
        by_team.setdefault(snapshot.people[pid].team, []).append(pid)  # type: ignore[arg-type]
    for team, members in sorted(by_team.items()):
        team_median[team] = {k: _median([means[p][k] for p in members if means[p][k] is not None])
                             for k in ACTIVITY_COUNTS}
    rows = []
    for pid in sorted(means):
        person = snapshot.people[pid]
        if not scope.holds(person):
            continue
        rows.append({"person": pid, "name": person.name, "team": person.team, "weeks": len(weeks[pid]),
                     **{k: None if means[pid][k] is None else round(means[pid][k], 1) for k in ACTIVITY_COUNTS},
                     **{f"team_median_{k}": team_median[person.team][k] for k in ACTIVITY_COUNTS},
                     "top_quartile": pid in top})
    return {"people": rows, "top_quartile_median": top_median, "top_quartile_people": len([p for p in top if p in means])}


# -- CRM outcomes --------------------------------------------------------------------------------
def latest_outcomes(records: Iterable[Any]) -> dict[tuple[str, str], Outcome]:
    """The counting outcome per (person, period): from the latest import."""
    latest: dict[tuple[str, str], Outcome] = {}
    for record in records:
        if isinstance(record, Outcomes):
            for row in record.rows:
                latest[(row.person, row.period)] = row
    return latest


def outcomes(snapshot: Snapshot, played: list[game.Played], scope: Scope = Scope()) -> dict[str, Any]:
    """Each participant's results before and after their first submission, and
    participants against people who never took part, with the counts behind every mean."""
    first: dict[str, dt.date] = {}
    for g in played:
        for _, by, at, _, _ in g.entrants:
            day = at.date()
            first[by] = min(day, first.get(by, day))
    by_person: dict[str, list[Outcome]] = {}
    for (pid, _), row in sorted(latest_outcomes(snapshot.records).items()):
        if pid in snapshot.people and scope.holds(snapshot.people[pid]):
            by_person.setdefault(pid, []).append(row)
    people = []
    for pid, rows in sorted(by_person.items()):
        start = first.get(pid)
        if start is None:
            continue  # never took part: counted among non-participants below
        before = [r for r in rows if r.end < start]
        after = [r for r in rows if r.start >= start]
        people.append({"person": pid, "name": snapshot.people[pid].name, "team": snapshot.people[pid].team,
                       "first_submission": start.isoformat(),
                       "periods_before": len(before), "periods_after": len(after),
                       **{f"{k}_before": _mean([getattr(r, k) for r in before]) for k in ("win_rate", "deals_won", "deal_size")},
                       **{f"{k}_after": _mean([getattr(r, k) for r in after]) for k in ("win_rate", "deals_won", "deal_size")}})
    # Participants vs not: each person's mean over the periods since the programme began.
    began = min(first.values(), default=None)
    groups: dict[str, list[dict[str, float | None]]] = {"participants": [], "non_participants": []}
    for pid, rows in by_person.items():
        since = [r for r in rows if began is not None and r.start >= began] if began else rows
        if since:
            groups["participants" if pid in first else "non_participants"].append(
                {k: _mean([getattr(r, k) for r in since]) for k in ("win_rate", "deals_won", "deal_size")})
    compare = []
    for group, means in groups.items():
        compare.append({"group": group, "people": len(means), "small_sample": len(means) < SMALL_SAMPLE,
                        **{k: _mean([m[k] for m in means]) for k in ("win_rate", "deals_won", "deal_size")}})
    return {"since": began.isoformat() if began else None, "people": people, "compare": compare}


# -- helpers -------------------------------------------------------------------------------------
def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: list[float]) -> float | None:
    return round(median(values), 2) if values else None


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None



# -- the whole report ----------------------------------------------------------------------------
ALL_TIME = "all"


def stats_doc(snapshot: Snapshot, season_name: str | None, now: dt.datetime, scope: Scope = Scope(),
              with_outcomes: bool = False, played: list[game.Played] | None = None,
              standings: list[dict[str, Any]] | None = None, skills: game.SkillScores | None = None) -> dict[str, Any]:
    """Every figure of `p2p stats` (and of the analytics page) for a season — the
    current one by default, every challenge with season "all" — and a scope.
    A caller that has already scored the season passes its `played`, season
    `standings` and `skills` (game.play, season_rows, skill_scores), not to
    compute them twice."""
    settings = snapshot.settings
    today = now.astimezone(settings.tz).date()
    season = None if season_name == ALL_TIME else settings.season(season_name, today)
    if played is None:
        played = game.play(snapshot, season, now)
    if skills is None:
        skills = game.skill_scores(played)
    if standings is None:
        standings = game.season_rows(snapshot, game.season_points(snapshot, season, now, played=played)[1])
    items = actions(snapshot, today, scope)
    doc = {
        "season": season.name if season else None,
        "starts": season.starts.isoformat() if season else None,
        "ends": season.ends.isoformat() if season else None,
        "scope": {"team": scope.team, "role": scope.role},
        "challenges": [g.challenge.slug for g in played], "commit": snapshot.commit,
        "participation": participation(snapshot, played, scope),
        "improvement": improvement(snapshot, skills, scope),
        "sharing": sharing(snapshot, played, scope),
        "ramp": ramp(snapshot, played, settings.ramp_threshold, today, settings.new_hire_days, scope),
        "at_risk": at_risk(snapshot, played, now, settings.at_risk_missed, scope),
        "skill_gaps": skill_gaps(snapshot, skills, scope),
        "actions": {"items": items, "people": action_summary(items, "person"), "teams": action_summary(items, "team")},
        "activity": activity(snapshot, standings, scope),
    }
    if with_outcomes:
        doc["outcomes"] = outcomes(snapshot, played, scope)
    return doc
