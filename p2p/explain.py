"""`p2p explain`: how one person's score in one challenge came about, in steps that
add up to the leaderboard's number, and what one more rating would need to move
the rank. Pure: works on a scoring.Board."""

from __future__ import annotations

from typing import Any, Callable

from p2p import policies
from p2p.model import Challenge
from p2p.scoring import Board, rater_score

_GRID = 0.05  # resolution of the "one more rating" search, in points of the scale


def explain(board: Board, challenge: Challenge, person: str, show_raters: bool = False) -> dict[str, Any]:
    row = next((r for r in board.rows if r.person == person), None)
    if row is None:
        return {"challenge": challenge.slug, "person": person, "status": "no submission"}
    ratings = board.ratings.get(person, {})
    aggregate = board.aggregates.get(person)
    parts = {c.rater: c for c in aggregate.contributions} if aggregate else {}
    names = {rater: rater if show_raters else f"rater {i}" for i, rater in enumerate(sorted(ratings), start=1)}
    lines = []
    for rater, rating in sorted(ratings.items()):
        part = parts.get(rater)
        lines.append({
            "id": rating.id, "rater": names[rater], "scores": dict(rating.scores), "comment": rating.comment,
            "weighted": round(rater_score(challenge.rubric, rating.scores) or 0.0, 6),
            "bias": round(part.bias, 6) + 0.0 if part else 0.0,  # + 0.0: never print -0.0
            "adjusted": round(part.adjusted, 6) if part else None,
            "weight": round(part.weight, 6) if part else 0.0,
        })
    doc: dict[str, Any] = {
        "challenge": challenge.slug, "person": person, "mode": challenge.mode, "policy": board.policy,
        "weights": {c.id: c.weight for c in challenge.rubric.criteria},
        "ratings": lines, "needed": board.needed, "status": row.status, "rank": row.rank,
        "score": None if row.score is None else round(row.score, 4),
        "steps": aggregate.note if aggregate else None,
        "used_policy": aggregate.policy if aggregate else None,
    }
    if challenge.mode == "rubric":
        doc["next_rating"] = _next_rating(board, challenge, person)
    return doc


def _next_rating(board: Board, challenge: Challenge, person: str) -> dict[str, Any]:
    """The lowest single rating that would lift the rank and the highest that would
    drop it, on the rater-score scale; None where no rating could."""
    row = next(r for r in board.rows if r.person == person)
    count = len(board.ratings.get(person, {}))
    if count + 1 < board.needed:
        return {"ranked_after": board.needed - count, "up": None, "down": None}
    others = [r.score for r in board.rows if r.status == "ranked" and r.person != person and r.score is not None]
    score_with = _what_if(board, challenge, person)
    low, high = challenge.rubric.min, challenge.rubric.max
    steps = int(round((high - low) / _GRID))
    grid = [round(low + i * _GRID, 6) for i in range(steps + 1)]

    def rank_for(x: float) -> int:
        value = round(score_with(x), 9)
        return 1 + sum(1 for s in others if round(s, 9) > value)

    current = row.rank
    if current is None:  # pending now: the next rating ranks it
        ranks = {x: rank_for(x) for x in grid}
        return {"ranked_after": 1, "best_rank": min(ranks.values()), "worst_rank": max(ranks.values()),
                "up": None, "down": None}
    up = next((x for x in grid if rank_for(x) < current), None)
    down = next((x for x in reversed(grid) if rank_for(x) > current), None)
    return {"ranked_after": 0, "up": up, "up_rank": rank_for(up) if up is not None else None,
            "down": down, "down_rank": rank_for(down) if down is not None else None}


def _what_if(board: Board, challenge: Challenge, person: str) -> Callable[[float], float]:
    """score(x): the person's score if one more peer rated them x."""
    matrix = {pid: {r: rater_score(challenge.rubric, e.scores) or 0.0 for r, e in rs.items()}
              for pid, rs in board.ratings.items()}
    scale = (challenge.rubric.min, challenge.rubric.max)
    if board.policy != "calibrated":
        return lambda x: policies.aggregate(board.policy, {person: {**matrix[person], "\0next": x}}, scale)[person].score
    # A new rating from a typical calibrated rater: the median bias and reliability.
    _, models = policies.fit(matrix, scale)
    if not models:
        return lambda x: policies.by_median({**matrix[person], "\0next": x}).score
    bias = policies.median([m.bias for m in models.values()])
    tau = policies.median([m.reliability for m in models.values()])
    fitted = [(models[r].reliability, v - models[r].bias) for r, v in matrix[person].items() if r in models]
    total = sum(t for t, _ in fitted)
    weighted = sum(t * v for t, v in fitted)
    return lambda x: (weighted + tau * (x - bias)) / (total + tau)
