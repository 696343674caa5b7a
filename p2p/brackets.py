"""Single-elimination brackets of face-offs. Pure.

A bracket round is a pairs challenge: the two reps of a match face off in it (each
names the other as `--partner`) and peers rate their seller turns. The draw seeds the
entrants by season standing (points; equal points in an order shuffled by the seed),
places them so seeds 1 and 2 can only meet in the final (1 v 8, 4 v 5, 2 v 7, 3 v 6 for
eight), and gives byes to the top seeds when there are fewer entrants than places.

A match is decided once its challenge is closed (review over): the higher score wins;
equal scores (to 4 decimals) go to the one with more votes, then to the better seed.
A rep without a ranked score loses to one with; if neither has one, the better seed
advances. A bye advances at once. The next round is drawn from the winners, in
bracket order, into another pairs challenge."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

SIZES = (4, 8, 16, 32)


def order(size: int) -> list[int]:
    """Seed numbers (1-based) in bracket order: [1, 8, 4, 5, 2, 7, 3, 6] for 8."""
    seeds = [1, 2]
    while len(seeds) < size:
        total = len(seeds) * 2 + 1
        seeds = [s for seed in seeds for s in (seed, total - seed)]
    return seeds


def seeding(entrants: list[str], points: Mapping[str, float], seed: int) -> list[str]:
    """Entrants by season points, highest first; equal points in a seeded shuffle."""
    shuffled = sorted(entrants)
    random.Random(seed).shuffle(shuffled)
    tiebreak = {p: i for i, p in enumerate(shuffled)}
    return sorted(entrants, key=lambda p: (-points.get(p, 0.0), tiebreak[p]))


def draw(entrants: list[str], points: Mapping[str, float], size: int, seed: int) -> list[str | None]:
    """Slots in bracket order (None: a bye) for the `size` best-seeded entrants."""
    seeded = seeding(entrants, points, seed)[:size]
    return [seeded[s - 1] if s <= len(seeded) else None for s in order(size)]


@dataclass(frozen=True)
class Match:
    a: str | None
    b: str | None
    score_a: float | None = None
    score_b: float | None = None
    winner: str | None = None  # None while undecided
    reason: str = ""

    def to_doc(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score_a": self.score_a, "score_b": self.score_b, "winner": self.winner,
                "reason": self.reason}


def decide(slots: list[str | None], seeds: Mapping[str, int], scores: Mapping[str, float],
           votes: Mapping[str, int], closed: bool) -> list[Match]:
    """The round's matches, in bracket order, with winners once `closed`."""
    matches = []
    for a, b in zip(slots[::2], slots[1::2]):
        sa, sb = scores.get(a) if a else None, scores.get(b) if b else None
        if a is None or b is None:
            winner, reason = (a or b), "bye"
        elif not closed:
            winner, reason = None, "review open"
        elif sa is not None and sb is not None and round(sa, 4) != round(sb, 4):
            winner, reason = (a if sa > sb else b), "higher score"
        elif sa is not None and sb is not None and votes.get(a, 0) != votes.get(b, 0):
            winner, reason = (a if votes.get(a, 0) > votes.get(b, 0) else b), "equal scores: more votes"
        elif (sa is None) != (sb is None):
            winner, reason = (a if sa is not None else b), "the other has no ranked score"
        else:
            winner = a if seeds.get(a, 99) < seeds.get(b, 99) else b
            reason = "equal: the better seed" if sa is not None else "neither ranked: the better seed"
        matches.append(Match(a, b, sa, sb, winner, reason))
    return matches


# -- reading a bracket from the store ------------------------------------------------------
def current(entries: list[Any]) -> Any:
    """The bracket round drawn into a challenge (the latest bracket entry), or None."""
    from p2p.entries import Bracket

    found = [e for e in entries if isinstance(e, Bracket)]
    return max(found, key=lambda e: e.id) if found else None


def round_doc(snapshot: Any, slug: str, now: Any) -> dict[str, Any] | None:
    """One round: its matches with scores and winners once the challenge is closed."""
    from p2p import scoring

    entries = snapshot.with_entries(slug, list)  # read folded, only the rounds' folders are read
    bracket = current(entries)
    if bracket is None:
        return None
    challenge = snapshot.challenges[slug]
    board = scoring.board(challenge, entries, snapshot.people, snapshot.settings, now)
    scores = {r.person: r.score for r in board.rows if r.score is not None}
    votes = {r.person: r.votes for r in board.rows}
    closed = challenge.state(now, snapshot.settings.tz) == "closed"
    matches = decide(list(bracket.slots), bracket.seeds, scores, votes, closed)
    name = lambda pid: snapshot.people[pid].name if pid in snapshot.people else pid  # noqa: E731
    return {"challenge": slug, "title": challenge.title, "size": len(bracket.slots), "seed": bracket.seed,
            "closed": closed, "previous": bracket.previous,
            "matches": [{**m.to_doc(), "a_name": name(m.a) if m.a else None, "b_name": name(m.b) if m.b else None,
                         "a_seed": bracket.seeds.get(m.a) if m.a else None,
                         "b_seed": bracket.seeds.get(m.b) if m.b else None} for m in matches]}


def bracket_doc(snapshot: Any, slug: str, now: Any) -> dict[str, Any] | None:
    """Every round up to the one in `slug`, first round first; the champion once the
    final (a round of one match) is decided."""
    rounds = []
    seen = set()
    current_slug: str | None = slug
    while current_slug and current_slug in snapshot.challenges and current_slug not in seen:
        seen.add(current_slug)
        doc = round_doc(snapshot, current_slug, now)
        if doc is None:
            break
        rounds.append(doc)
        current_slug = doc["previous"]
    if not rounds:
        return None
    rounds.reverse()
    last = rounds[-1]
    champion = last["matches"][0]["winner"] if len(last["matches"]) == 1 and last["closed"] else None
    return {"challenge": slug, "rounds": rounds, "champion": champion}
