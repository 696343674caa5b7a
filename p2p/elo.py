"""The head-to-head ladder: an Elo rating per person from face-offs. Pure.

A face-off is a pairs challenge in which two reps named each other as partner (each
played the buyer for the other) and both were ranked: the one whose seller turn the
peers scored higher wins; equal scores (to 4 decimals) are a draw. Everyone starts
at 1200; after each face-off both ratings move by K = 32 times (result − expected),
where a win is 1, a draw ½ and a loss 0, and expected = 1 / (1 + 10^((their − mine)/400)).
Face-offs are taken in the order their reviews closed (then by challenge and names),
so the ladder is the same however often it is recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from p2p import game
from p2p.snapshot import Snapshot

START = 1200.0
K = 32.0


@dataclass(frozen=True)
class FaceOff:
    challenge: str
    a: str
    b: str
    score_a: float
    score_b: float

    @property
    def result_a(self) -> float:
        a, b = round(self.score_a, 4), round(self.score_b, 4)
        return 1.0 if a > b else 0.0 if a < b else 0.5


def face_offs(played: list[game.Played]) -> list[FaceOff]:
    found = []
    for g in sorted(played, key=lambda g: (g.challenge.review_closes, g.challenge.slug)):
        scores = {r.person: r.score for r in g.board.rows if r.score is not None}
        for a, b in g.pairs:
            if a in scores and b in scores:
                found.append(FaceOff(g.challenge.slug, a, b, scores[a], scores[b]))
    return found


def expected(mine: float, theirs: float) -> float:
    return 1 / (1 + 10 ** ((theirs - mine) / 400))


def ratings(matches: list[FaceOff]) -> dict[str, dict[str, Any]]:
    """{person: {elo, played, wins, draws, losses}} after every face-off in order."""
    table: dict[str, dict[str, Any]] = {}

    def row(person: str) -> dict[str, Any]:
        return table.setdefault(person, {"elo": START, "played": 0, "wins": 0, "draws": 0, "losses": 0})

    for match in matches:
        ra, rb = row(match.a), row(match.b)
        ea = expected(ra["elo"], rb["elo"])
        sa = match.result_a
        ra["elo"], rb["elo"] = ra["elo"] + K * (sa - ea), rb["elo"] + K * ((1 - sa) - (1 - ea))
        for r, s in ((ra, sa), (rb, 1 - sa)):
            r["played"] += 1
            r["wins" if s == 1 else "draws" if s == 0.5 else "losses"] += 1
    return table


def ladder(snapshot: Snapshot, played: list[game.Played]) -> tuple[list[dict[str, Any]], list[FaceOff]]:
    matches = face_offs(played)
    rows = []
    for person, r in ratings(matches).items():
        who = snapshot.people.get(person)
        rows.append({"person": person, "name": who.name if who else person, "team": who.team if who else None,
                     "role": who.role if who else None, "elo": round(r["elo"], 1), "played": r["played"],
                     "wins": r["wins"], "draws": r["draws"], "losses": r["losses"]})
    return game.ranked(rows, "elo", "person"), matches
