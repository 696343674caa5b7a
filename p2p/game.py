"""The game: season points and standings, team and role tables, badges and levels.
Pure: everything is derived from the entries at a revision and never stored, so
retracting or replacing an entry takes back whatever depended on it.

Ties follow the one rule everywhere: competition ranking, then person id."""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any, Iterable, Mapping, Sequence

from p2p import reviewing, scoring
from p2p.entries import Submission
from p2p.model import Challenge, Person
from p2p.settings import Points, Season, Settings
from p2p.snapshot import Snapshot


@dataclass
class Played:
    """One challenge of the season, scored. Played from a tally (play_folded), its
    board keeps no ratings: the season table, badges, stats and the Elo ladder need
    only what is derived from them here, and 50 challenges' ratings would hold a
    million-entry season in memory. Publish reads what it shows of the ratings from each
    challenge's entries, one challenge at a time."""

    challenge: Challenge
    board: scoring.Board
    accuracy: dict[str, Sequence[float]]  # per rater, each counted rating's; arrays: a season holds 800,000
    helpful: dict[str, dict[str, int]]
    votes: dict[str, dict[str, int]]
    given: dict[str, int]  # counted ratings per rater, in the order raters first appear on the board
    helpful_by: list[str]  # the rater of each counted rating its recipient found helpful, in board order
    pairs: list[tuple[str, str]]  # face-offs: partners who named each other (pairs challenges)
    comments: dict[str, tuple[int, int]]  # per rater: (counted ratings with a comment, their characters)
    # the current submissions as (id, by, at, partner, team): who took part, and when
    entrants: list[tuple[str, str, dt.datetime, str | None, str | None]]


@dataclass
class Tally:
    person: str
    points: float = 0.0
    breakdown: dict[str, float] = field(default_factory=lambda: dict.fromkeys(
        ("submitted", "reviews", "helpful", "placement", "awards", "clinics"), 0.0))
    challenges: list[str] = field(default_factory=list)


def season_challenges(snapshot: Snapshot, season: Season | None) -> list[Challenge]:
    """The season's challenges (by opening date), in play order: (opens, slug)."""
    chosen = [c for c in snapshot.challenges.values() if season is None or season.holds(c.opens)]
    return sorted(chosen, key=lambda c: (c.opens, c.slug))


def play(snapshot: Snapshot, season: Season | None, now: dt.datetime | None, policy: str | None = None) -> list[Played]:
    return [play_one(snapshot, challenge, now, policy) for challenge in season_challenges(snapshot, season)]


def play_one(snapshot: Snapshot, challenge: Challenge, now: dt.datetime | None, policy: str | None = None) -> Played:
    """One challenge scored: it depends only on that challenge's entries, the people
    and the settings, so a caller may reuse it for a snapshot that differs elsewhere."""
    settings = snapshot.settings
    if snapshot.played is not None and challenge.race is None:  # read folded: from its tally, maybe kept
        # Besides the tally, people and settings, only these depend on the time and policy asked for.
        variant = (scoring.needed_ratings(challenge, settings, now), scoring.policy_of(challenge, settings, policy))
        played = snapshot.played(challenge, variant,
                                 lambda folded: play_folded(challenge, folded, snapshot.people, settings, now, policy))
        return _sharing_snapshot_objects(played, snapshot)
    entries = snapshot.entries_of(challenge.slug)
    board = scoring.board(challenge, entries, snapshot.people, snapshot.settings, now, policy)
    submissions = scoring.current_submissions(challenge, entries)
    counted = {person: {rater: rating.id for rater, rating in ratings.items()}
               for person, ratings in board.ratings.items()}
    lengths = {rating.id: len(rating.comment or "")
               for ratings in board.ratings.values() for rating in ratings.values()}
    return _played(challenge, board, counted, lengths, reviewing.accuracy(board, challenge),
                   reviewing.helpful_answers(board, entries),
                   scoring.counted_votes(challenge, submissions, entries, snapshot.people), submissions)


def season_points(snapshot: Snapshot, season: Season | None, now: dt.datetime | None, policy: str | None = None,
                  played: list[Played] | None = None) -> tuple[list[Challenge], dict[str, Tally]]:
    """The season's challenges, and each person's season points from them as `play`
    plays them (or `played`: them played already); see `contributions` and `add_up`."""
    challenges = season_challenges(snapshot, season)
    return challenges, add_up(snapshot, contributions(snapshot, challenges, now, policy, played), season)


def contributions(snapshot: Snapshot, challenges: list[Challenge], now: dt.datetime | None,
                  policy: str | None = None, played: list[Played] | None = None) -> list[tuple[str, Contribution]]:
    """(slug, contribution) of each challenge as play_one plays it (or as in `played`,
    which saves playing one whose contribution is not kept yet). Read folded, each
    contribution is kept beside the challenge's result under the same key: after one
    new entry the large bench store's season table unpickles 49 contributions (~35
    ms) and plays one challenge, where unpickling 50 results (~0.9 s) and working
    out their points (~0.7 s) took 1.6 s."""
    settings = snapshot.settings
    teams, rules = active_teams(snapshot.people), settings.points
    in_hand = {g.challenge.slug: g for g in played or ()}

    def contributed(challenge: Challenge) -> Contribution:
        given = in_hand.get(challenge.slug)
        if snapshot.played is None or challenge.race is not None:
            return contribution(given if given is not None else play_one(snapshot, challenge, now, policy), teams, rules)
        variant = (scoring.needed_ratings(challenge, settings, now), scoring.policy_of(challenge, settings, policy))
        return snapshot.played(challenge, variant, lambda folded: contribution(  # type: ignore[no-any-return]
            play_folded(challenge, folded, snapshot.people, settings, now, policy), teams, rules), kind="points",
            made=None if given is None else lambda: contribution(given, teams, rules))

    return [(challenge.slug, contributed(challenge)) for challenge in challenges]


_RANKS: dict[int | None, int | None] = {}  # one int object per rank, across challenges (ints past 256 are not shared)


def _sharing_snapshot_objects(played: Played, snapshot: Snapshot) -> Played:
    """`played` with its challenge, and its people's ids and names, the snapshot's own
    objects again. Kept results come back from the cache with a copy of each: a season
    of 50 challenges of 4,000 rows would hold 600,000 strings the people already hold
    (~35 MB), and 400,000 numbers (which pickle does not share) where its ranks and
    scores take a few thousand values (~10 MB)."""
    people = snapshot.people
    played.challenge = snapshot.challenges.get(played.challenge.slug, played.challenge)
    ids = {pid: person.id for pid, person in people.items()}
    if played.board.rows:  # column by column, each value swapped for an identical one
        rank, person, name, team, role, score, *rest = zip(*played.board.rows)
        name = tuple(who.name if who is not None and who.name == said else said
                     for who, said in zip(map(people.get, person), name))
        scores: dict[float, float] = {}  # only floats: 5 == 5.0, but a metric of 5 prints as 5
        score = tuple(scores.setdefault(s, s) if s.__class__ is float else s for s in score)
        rows = list(map(scoring.Row._make, zip(map(_RANKS.setdefault, rank, rank), map(ids.get, person, person), name,
                                               team, role, score, *rest)))
        played.board = replace(played.board, rows=rows)
    played.given = {ids.get(rater, rater): count for rater, count in played.given.items()}
    played.accuracy = {ids.get(rater, rater): values for rater, values in played.accuracy.items()}
    played.comments = {ids.get(rater, rater): written for rater, written in played.comments.items()}
    played.helpful_by = [ids.get(rater, rater) for rater in played.helpful_by]
    played.entrants = [(sid, ids.get(by, by), at, partner, team) for sid, by, at, partner, team in played.entrants]
    return played


def play_folded(challenge: Challenge, folded: scoring.Tally, people: Mapping[str, Person], settings: Settings,
                now: dt.datetime | None, policy: str | None = None) -> Played:
    """play_one from the challenge's scoring tally instead of its entries (not for a
    race, which is scored from its entries). Its board keeps no ratings (see Played)."""
    scored = scoring.score(folded, challenge, people, settings, now, policy)
    values = {rid: (criteria, length)
              for by_rater in folded.rated.values() for rid, _, criteria, length in by_rater.values()}
    accuracy = reviewing.accuracy_of({pid: {rater: values[rid][0] for rater, rid in raters.items()}
                                      for pid, raters in scored.counted.items()}, challenge)
    lengths = {rid: values[rid][1] for raters in scored.counted.values() for rid in raters.values()}
    board = scoring.Board(scored.rows, scored.policy, scored.needed, {}, {})
    votes = scoring.counted_votes(challenge, folded.submissions, list(folded.others.values()), people)
    return _played(challenge, board, scored.counted, lengths, accuracy,
                   reviewing.answered(scored.counted, folded.answers), votes, folded.submissions)


def _played(challenge: Challenge, board: scoring.Board, counted: Mapping[str, Mapping[str, str]],
            lengths: Mapping[str, int], accuracy: dict[str, list[float]], helpful: dict[str, dict[str, int]],
            votes: dict[str, dict[str, int]], submissions: Mapping[str, Submission]) -> Played:
    """A Played from a board, the ids of its counted ratings by person and rater, and
    their comments' lengths by id."""
    given: dict[str, int] = {}
    helpful_by = []
    comments: dict[str, tuple[int, int]] = {}
    for by_rater in counted.values():
        for rater, rid in by_rater.items():
            given[rater] = given.get(rater, 0) + 1
            if helpful and helpful.get(rid, {}).get("helpful", 0) >= 4:
                helpful_by.append(rater)
            if lengths[rid]:
                count, chars = comments.get(rater, (0, 0))
                comments[rater] = (count + 1, chars + lengths[rid])
    pairs = []
    if challenge.format == "pairs":
        pairs = sorted({(min(s.by, s.partner), max(s.by, s.partner)) for s in submissions.values()
                        if s.partner and s.partner in submissions and submissions[s.partner].partner == s.by})
    entrants = [(s.id, s.by, s.at, s.partner, s.team) for s in submissions.values()]
    compact = {rater: array("d", values) for rater, values in accuracy.items()}  # 8 bytes a value, not 32
    # Its raters' comment counts take a few hundred values: one tuple each, which pickle
    # keeps shared when the result is kept (~10 MB a season).
    written: dict[tuple[int, int], tuple[int, int]] = {}
    comments = {rater: written.setdefault(pair, pair) for rater, pair in comments.items()}
    return Played(challenge, board, compact, helpful, votes, given, helpful_by, pairs, comments, entrants)


def award_winners(played: Played) -> dict[str, list[str]]:
    """{award: [people with the most votes]} (ties share the award)."""
    by_award: dict[str, dict[str, int]] = {}
    for person, awards in played.votes.items():
        for award, count in awards.items():
            by_award.setdefault(award, {})[person] = count
    winners = {}
    for award, counts in sorted(by_award.items()):
        most = max(counts.values())  # once per award, not per person voted for
        winners[award] = sorted(p for p, n in counts.items() if n == most)
    return winners


# What one challenge adds to each person's season points: {person: ((kind, points), ...)},
# each person's additions in the order they are made, people in the order first met.
# Kept per challenge (contributions), a big challenge's is ~50 KB where its Played is ~3 MB.
Contribution = dict[str, tuple[tuple[str, float], ...]]


def contribution(game: Played, team_members: Mapping[str, list[str]], rules: Points) -> Contribution:
    """The season points `game` adds: for its results, for counted ratings (capped, by
    accuracy), helpful ones, awards and managers' picks (`team_members`: active_teams;
    `rules`: the settings' points)."""
    challenge = game.challenge
    placed, teams = challenge.mode != "votes", challenge.format == "team"
    placements = rules.placement
    adds: dict[str, list[tuple[str, float]]] = {}
    pairs: dict[tuple[str, float], tuple[str, float]] = {}

    def add(person: str, kind: str, value: float) -> None:
        mine = adds.get(person)  # not setdefault: it would build a list on each of ~10,000 calls
        if mine is None:
            mine = adds[person] = []
        pair = (kind, value)
        mine.append(pairs.setdefault(pair, pair))

    for row in game.board.rows:
        rank = row.rank
        placement = placements[rank - 1] if placed and rank is not None and rank <= len(placements) else None
        for member in _members(team_members, challenge, row) if teams and row.team else (row.person,):
            add(member, "submitted", rules.submitted)
            if placement is not None:
                add(member, "placement", placement)
    accuracy = reviewing.mean(game.accuracy)
    for rater, count in game.given.items():
        add(rater, "reviews", round(min(count, rules.review_cap) * rules.review * accuracy.get(rater, 100.0) / 100, 2))
    for rater in game.helpful_by:
        add(rater, "helpful", rules.helpful)
    for winners in award_winners(game).values():
        for person in winners:
            add(person, "awards", rules.award)
    for row in game.board.rows:
        if row.featured_by:  # a manager's pick is an award too, once however many managers pick it
            for member in _members(team_members, challenge, row):
                add(member, "awards", rules.award)
    # Most people add the same few things: one tuple each, which pickle keeps shared.
    shared: dict[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]] = {}
    return {person: shared.setdefault(key, key) for person, mine in adds.items() for key in (tuple(mine),)}


def add_up(snapshot: Snapshot, contributions: Iterable[tuple[str, Contribution]],
           season: Season | None = None) -> dict[str, Tally]:
    """Season points per person from each challenge's contribution, by slug in play
    order: each addition made in the order `contribution` kept, so every sum is the
    same float however the contributions were come by. Clinic points need the
    store's records loaded; they count in the season the clinic closed in (`season`;
    all time when None), added last as one more contribution."""
    from p2p import clinics

    clinic = snapshot.settings.points.clinic
    helped = clinics.helped(snapshot, season.starts if season else None, season.ends if season else None)
    clinic_points: Contribution = {person: (("clinics", count * clinic),) for person, count in helped.items()}
    tallies: dict[str, Tally] = {}
    for slug, contributed in chain(contributions, [("", clinic_points)]):
        for person, additions in contributed.items():
            mine = tallies.get(person)
            if mine is None:
                mine = tallies[person] = Tally(person)
            breakdown, total = mine.breakdown, mine.points
            for kind, value in additions:
                breakdown[kind] += value
                total += value
                if kind == "submitted":
                    mine.challenges.append(slug)
            mine.points = total
    return tallies


def _members(teams: Mapping[str, list[str]], challenge: Challenge, row: scoring.Row) -> list[str]:
    """Who shares a row's result: the whole team in team challenges (`teams`: active_teams)."""
    if challenge.format == "team" and row.team:
        return teams.get(row.team) or [row.person]
    return [row.person]


def active_teams(people: Mapping[str, Person]) -> dict[str, list[str]]:
    """{team: its active people, sorted by id}: made once, where each of a team
    challenge's 500 rows walking 5,000 people would cost a second a season."""
    teams: dict[str, list[str]] = {}
    for pid in sorted(people):
        if people[pid].active and people[pid].team:
            teams.setdefault(people[pid].team, []).append(pid)  # type: ignore[arg-type]
    return teams


def season_rows(snapshot: Snapshot, tallies: dict[str, Tally], role: str | None = None,
                team: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for pid, tally in tallies.items():
        who = snapshot.people.get(pid)
        if who is None or (role and who.role != role) or (team and who.team != team):
            continue
        rows.append({"person": pid, "name": who.name, "team": who.team, "role": who.role,
                     "points": round(tally.points, 2), "challenges": len(set(tally.challenges)),
                     **{k: round(v, 2) for k, v in tally.breakdown.items()}})
    return ranked(rows, "points", "person")


def group_rows(snapshot: Snapshot, tallies: dict[str, Tally], by: str, role: str | None = None,
               team: str | None = None) -> list[dict[str, Any]]:
    """Team or role table: score = mean points of members who took part (submitted);
    with the participation rate among active members. `role`/`team` pick members."""
    groups: dict[str, list[str]] = {}
    for person in snapshot.people.values():
        if person.active and (not role or person.role == role) and (not team or person.team == team):
            groups.setdefault(getattr(person, by), []).append(person.id)
    rows = []
    for name, members in sorted(groups.items()):
        playing = [m for m in members if m in tallies and tallies[m].challenges]
        score = sum(tallies[m].points for m in playing) / len(playing) if playing else 0.0
        rows.append({by: name, "score": round(score, 2), "members": len(members), "participants": len(playing),
                     "participation": round(len(playing) / len(members), 4)})
    return ranked(rows, "score", by)


def ranked(rows: list[dict[str, Any]], key: str, ident: str) -> list[dict[str, Any]]:
    """Competition ranking by `key` descending, ties listed by `ident` (new dicts: the
    same rows may be ranked again within a subset, e.g. per role)."""
    rows = sorted(({**r} for r in rows), key=lambda r: (-round(r[key], 9), r[ident]))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if round(row[key], 9) != previous:
            rank, previous = position, round(row[key], 9)
        row["rank"] = rank
    return rows


# -- badges and levels -----------------------------------------------------------------
SkillScores = dict[str, dict[str, list[tuple[str, float]]]]  # person -> skill -> [(challenge, score)]


def skill_scores(played: Iterable[Played]) -> SkillScores:
    """{person: {skill: [(challenge, score on a 1-5 scale), …] in play order}} from
    ranked rubric results. Compute it once per season and pass it on: it walks
    every board."""
    found: SkillScores = {}
    for game in played:
        challenge = game.challenge
        if challenge.mode != "rubric":
            continue
        low, high = challenge.rubric.min, challenge.rubric.max
        shared: dict[float, tuple[str, float]] = {}  # one tuple per score, for all its skills: scores take few values
        skills = challenge.skills
        for row in game.board.rows:
            if row.score is None:
                continue
            scored = shared.get(row.score)
            if scored is None:
                scored = shared[row.score] = (challenge.slug, 1 + 4 * (row.score - low) / (high - low))
            # get, not setdefault: setdefault makes its empty default every time (600,000)
            mine = found.get(row.person)
            if mine is None:
                mine = found[row.person] = {}
            for skill in skills:
                scores = mine.get(skill)
                if scores is None:
                    mine[skill] = [scored]
                else:
                    scores.append(scored)
    return found


def badges(snapshot: Snapshot, played: list[Played], tallies: dict[str, Tally],
           skills: SkillScores | None = None) -> dict[str, list[dict[str, str]]]:
    """{person: [{badge, detail}]} for the season; `skills`: its skill_scores, when known."""
    won: dict[str, list[dict[str, str]]] = {}

    def give(person: str, badge: str, detail: str) -> None:
        won.setdefault(person, []).append({"badge": badge, "detail": detail})

    for pid, tally in sorted(tallies.items()):
        if tally.challenges:
            give(pid, "first-steps", f"first submission in {tally.challenges[0]}")
    for game in played:
        counts = {p: sum(a.values()) for p, a in game.votes.items()}
        if counts:
            top = max(counts.values())
            for person in sorted(p for p, n in counts.items() if n == top):
                give(person, "best-pitch", f"most votes in {game.challenge.slug} ({top})")
    for game in played:
        for row in game.board.rows:
            if row.featured_by:
                give(row.person, "managers-pick", f"featured in {game.challenge.slug} by {', '.join(row.featured_by)}")
    _most_improved(skill_scores(played) if skills is None else skills, give)
    _top_reviewer(played, give)
    _streaks_and_rounds(snapshot, played, give)
    return won


def _most_improved(skill_scores: SkillScores, give: Any) -> None:
    rises = []
    for person, skills in skill_scores.items():
        for skill, scores in skills.items():
            if len(scores) >= 2 and scores[-1][1] > scores[0][1]:
                rises.append((scores[-1][1] - scores[0][1], person, skill, scores[0][0], scores[-1][0]))
    if rises:
        best = max(r[0] for r in rises)
        given: set[str] = set()
        for rise, person, skill, first, last in sorted(rises, key=lambda r: (r[1], r[2])):
            if round(rise, 9) == round(best, 9) and person not in given:  # one badge per person
                given.add(person)
                give(person, "most-improved", f"{skill} up {rise:.2f} from {first} to {last}")


def _top_reviewer(played: list[Played], give: Any) -> None:
    score: dict[str, float] = {}
    reviews: dict[str, int] = {}
    for game in played:
        for rater, values in game.accuracy.items():
            score[rater] = score.get(rater, 0.0) + sum(values) / 100
            reviews[rater] = reviews.get(rater, 0) + len(values)
        for rater in game.helpful_by:
            score[rater] = score.get(rater, 0.0) + 1
    eligible = {r: s for r, s in score.items() if reviews.get(r, 0) >= 3}
    if eligible:
        top = max(eligible.values())
        for rater in sorted(r for r, s in eligible.items() if round(s, 9) == round(top, 9)):
            give(rater, "top-reviewer", f"{reviews[rater]} accurate reviews (score {top:.2f})")


def _streaks_and_rounds(snapshot: Snapshot, played: list[Played], give: Any) -> None:
    skills = sorted({s for game in played for s in game.challenge.skills})
    entrants = [{r.person for r in game.board.rows} for game in played]  # asked once per person and challenge
    for person in sorted(snapshot.people.values(), key=lambda p: p.id):
        streak = best = 0
        covered: set[str] = set()
        for game, entered in zip(played, entrants):
            if game.challenge.roles and person.role not in game.challenge.roles:
                continue  # not eligible: neither breaks nor extends a streak
            if person.id in entered:
                streak += 1
                covered.update(game.challenge.skills)
            else:
                streak = 0
            best = max(best, streak)
        if best >= 3:
            give(person.id, "streak-3", f"{best} challenges in a row")
        if skills and covered >= set(skills):
            give(person.id, "all-rounder", f"took part in every skill: {', '.join(skills)}")


def levels(snapshot: Snapshot, skills: SkillScores, person: str) -> list[dict[str, Any]]:
    """Per skill: the person's level from the mean of their scores (`skills` is
    skill_scores of the season), and progress to the next level (0-1)."""
    thresholds = snapshot.settings.levels
    out = []
    for skill, scores in sorted(skills.get(person, {}).items()):
        value = sum(s for _, s in scores) / len(scores)
        index = max(i for i, (_, low) in enumerate(thresholds) if value >= low)
        name, low = thresholds[index]
        nxt = thresholds[index + 1] if index + 1 < len(thresholds) else None
        progress = 1.0 if nxt is None else (value - low) / (nxt[1] - low)
        out.append({"skill": skill, "score": round(value, 2), "level": name, "next": nxt[0] if nxt else None,
                    "progress": round(max(0.0, min(1.0, progress)), 2), "challenges": len(scores)})
    return out
