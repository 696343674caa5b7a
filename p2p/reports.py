"""Standings as documents: one challenge's leaderboard (with --compare and --since),
the season table (by person, team or role), `explain`, badges and levels, and the
fairness report. Builds plain dicts that `--format json` prints as they are."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from p2p import scoring
from p2p.model import Challenge
from p2p.snapshot import Problem, Snapshot

if TYPE_CHECKING:  # imported where used: a leaderboard needs none of them
    from p2p import game


def leaderboard_doc(snapshot: Snapshot, challenge: Challenge, now: dt.datetime | None,
                    policy: str | None = None, board: scoring.Board | None = None) -> dict[str, Any]:
    """`board`: the challenge's board already scored at `now` under `policy`, if any.
    A snapshot read `folded` is scored from the challenge's tally."""
    folded = snapshot.tallies.get(challenge.slug) if board is None else None  # a whole store's tallies are read lazily
    if folded is not None:
        board = scoring.score(folded, challenge, snapshot.people, snapshot.settings, now, policy)  # type: ignore[assignment]
    board = board or scoring.board(challenge, snapshot.entries_of(challenge.slug), snapshot.people, snapshot.settings,
                                   now, policy)
    rounded = {score: _round(score) for score in {r.score for r in board.rows}}  # 4,000 scores take few values
    return {
        "challenge": challenge.slug, "title": challenge.title, "mode": challenge.mode,
        "min_ratings": board.needed, "aggregate": board.policy if challenge.mode == "rubric" else challenge.mode,
        "commit": snapshot.commit,
        "rows": [{**r._asdict(), "score": rounded[r.score], "featured": bool(r.featured_by),
                  "featured_by": list(r.featured_by)} for r in board.rows],
    }


def reviewers_doc(snapshot: Snapshot, challenge: Challenge, now: dt.datetime | None) -> dict[str, Any]:
    """Grade the graders: each rater's accuracy against the other raters' consensus
    and how useful the rated people found their feedback."""
    from p2p import reviewing

    board = scoring.board(challenge, snapshot.entries_of(challenge.slug), snapshot.people, snapshot.settings, now)
    accuracy = reviewing.accuracy(board, challenge)
    helpful = reviewing.helpful_answers(board, snapshot.entries_of(challenge.slug))
    by_rater: dict[str, list[Any]] = {}  # grouped once: 4,000 raters each scanning every rating took 3.5 s
    for ratings in board.ratings.values():
        for rater, rating in ratings.items():
            by_rater.setdefault(rater, []).append(rating)
    rows = []
    for rater, given in sorted(by_rater.items()):
        answers = [helpful[g.id]["helpful"] for g in given if g.id in helpful]
        values = accuracy.get(rater, [])
        rows.append({"rater": rater, "name": snapshot.people[rater].name, "reviews": len(given),
                     "accuracy": round(sum(values) / len(values), 1) if values else None,
                     "helpful": round(sum(answers) / len(answers), 2) if answers else None,
                     "answers": len(answers)})
    rows.sort(key=lambda r: (-(r["accuracy"] or 0), r["rater"]))
    return {"challenge": challenge.slug, "title": challenge.title, "commit": snapshot.commit, "rows": rows}


def compare(doc: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`doc` with each row's rank and score under another policy, and the change."""
    theirs = {r["person"]: r for r in other["rows"]}
    for row in doc["rows"]:
        alt = theirs.get(row["person"], {})
        row["compare_rank"] = alt.get("rank")
        row["compare_score"] = alt.get("score")
        row["rank_change"] = _move(alt.get("rank"), row["rank"])
    doc["compare"] = other["aggregate"]
    return doc


def since(doc: dict[str, Any], before: dict[str, Any], key: str = "person") -> dict[str, Any]:
    """`doc` with movement since an earlier document: ▲2 ▼1 = or new."""
    earlier = {r[key]: r.get("rank") for r in before["rows"]}
    for row in doc["rows"]:
        if row[key] not in earlier or earlier[row[key]] is None:
            row["movement"] = "new" if row.get("rank") is not None else ""
        else:
            row["movement"] = _move(row.get("rank"), earlier[row[key]]) or "="
        row["previous_rank"] = earlier.get(row[key])
    return doc


def _move(new: int | None, old: int | None) -> str:
    """'▲2' when `new` is 2 places better than `old`."""
    if new is None or old is None or new == old:
        return ""
    return f"▲{old - new}" if new < old else f"▼{new - old}"


def season_doc(snapshot: Snapshot, season_name: str | None, now: dt.datetime, by: str = "person",
               role: str | None = None, team: str | None = None, policy: str | None = None) -> dict[str, Any]:
    from p2p import game

    season = snapshot.settings.season(season_name, now.astimezone(snapshot.settings.tz).date())
    if by == "elo":
        return _elo_doc(snapshot, season, game.play(snapshot, season, now, policy), role, team)
    challenges, tallies = game.season_points(snapshot, season, now, policy)
    rows = (game.season_rows(snapshot, tallies, role, team) if by == "person"
            else game.group_rows(snapshot, tallies, by, role, team))
    return {
        "season": season.name if season else None,
        "starts": season.starts.isoformat() if season else None,
        "ends": season.ends.isoformat() if season else None,
        "by": by, "challenges": [c.slug for c in challenges], "commit": snapshot.commit, "rows": rows,
    }


def _elo_doc(snapshot: Snapshot, season: Any, played: list[game.Played], role: str | None,
             team: str | None) -> dict[str, Any]:
    from p2p import elo, game

    rows, matches = elo.ladder(snapshot, played)
    rows = game.ranked([r for r in rows if (not role or r["role"] == role) and (not team or r["team"] == team)],
                       "elo", "person")
    return {
        "season": season.name if season else None,
        "starts": season.starts.isoformat() if season else None,
        "ends": season.ends.isoformat() if season else None,
        "by": "elo", "start": elo.START, "k": elo.K, "commit": snapshot.commit, "rows": rows,
        "face_offs": [{"challenge": m.challenge, "a": m.a, "b": m.b, "score_a": round(m.score_a, 4),
                       "score_b": round(m.score_b, 4), "result_a": m.result_a} for m in matches],
    }


def explain_doc(snapshot: Snapshot, challenge: Challenge, person: str, now: dt.datetime | None,
                policy: str | None = None, show_raters: bool = False) -> dict[str, Any]:
    from p2p import explain

    snapshot.person(person)
    board = scoring.board(challenge, snapshot.entries_of(challenge.slug), snapshot.people, snapshot.settings, now,
                          policy)
    return explain.explain(board, challenge, person, show_raters)


def badges_doc(snapshot: Snapshot, person: str | None, season_name: str | None, now: dt.datetime) -> dict[str, Any]:
    from p2p import game

    season = snapshot.settings.season(season_name, now.astimezone(snapshot.settings.tz).date())
    played = game.play(snapshot, season, now)
    won = game.badges(snapshot, played, game.season_points(snapshot, season, now, played=played)[1])
    people = [snapshot.person(person).id] if person else sorted(snapshot.people)
    skills = game.skill_scores(played)
    return {
        "season": season.name if season else None,
        "people": [{"person": pid, "name": snapshot.people[pid].name, "badges": won.get(pid, []),
                    "levels": game.levels(snapshot, skills, pid)} for pid in people],
    }


def fairness(snapshot: Snapshot, now: dt.datetime | None) -> list[Problem]:
    """Fairness concerns as problems pointing at the rating entries."""
    from p2p import reviewing

    found = []
    for challenge in sorted(snapshot.challenges.values(), key=lambda c: c.slug):
        if challenge.mode != "rubric":
            continue
        board = scoring.board(challenge, snapshot.entries_of(challenge.slug), snapshot.people, snapshot.settings, now)
        for concern in reviewing.concerns(board, challenge, snapshot.settings.fairness_threshold):
            path = snapshot.entry_paths.get(concern.entry, [concern.entry])[0]
            found.append(Problem(path, None, f"fairness ({concern.kind}): {concern.message}"))
    return found


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
