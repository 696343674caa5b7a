"""Aggregation policies: how the raters' scores of each submission become one score.
Pure functions over plain data, so every policy is tested on hand-computed examples.

Input is a matrix {submission: {rater: score}} of each counted rater's weighted
score (see scoring.rater_score); output is an Aggregate per submission with the
steps that produced it, which `p2p explain` prints and which add up to the score.

- median (default): the middle score; the mean of the middle two when even.
- mean: the plain mean.
- trimmed: with 4 or more raters, drop one highest and one lowest, then the mean.
- calibrated: the PG1 model of Piech et al. (2013), "Tuned Models of Peer
  Assessment in MOOCs". Each observed score is z = s + b + noise with variance 1/τ:
  s the submission's true score, b the rater's harshness (negative) or leniency
  (positive), τ the rater's reliability. Fitted by coordinate updates from the
  median consensus of rater-centred scores, over the raters with at least
  CALIBRATE_MIN ratings in the challenge; a submission's score is then the
  τ-weighted mean of its calibrated raters' debiased scores. Removing every rater's
  bias also removes any shared bias, so calibrated scores are relative: within each
  group of raters and submissions connected by ratings, the average calibrated
  score is the midpoint of the scale. Submissions none of whose raters has enough
  ratings fall back to their median."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, NamedTuple

POLICIES = ("median", "mean", "trimmed", "calibrated")
CALIBRATE_MIN = 3  # ratings a rater needs in scope before their bias is measured
_RELIABILITY_PRIOR = 0.05  # added to each rater's residual variance: no infinite weights
_MAX_ROUNDS = 500
_TOLERANCE = 1e-12

Matrix = Mapping[str, Mapping[str, float]]  # submission -> rater -> that rater's score


class Contribution(NamedTuple):  # a tuple: a board makes 20,000, and a frozen dataclass costs 5x as much
    rater: str
    raw: float  # the rater's weighted score of the submission
    bias: float  # what calibration removed (0 under other policies)
    weight: float  # the share this score had in the result (0 when dropped)

    @property
    def adjusted(self) -> float:
        return self.raw - self.bias


@dataclass(frozen=True)
class Aggregate:
    score: float
    policy: str  # the policy that produced the score (calibrated may fall back to median)
    contributions: tuple[Contribution, ...]
    note: str


def median(values: list[float]) -> float:
    """The middle value; the mean of the middle two for an even count. (Not
    `statistics.median`: importing `statistics` costs every command ~10 ms.)"""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def aggregate(policy: str, matrix: Matrix, scale: tuple[float, float] = (1, 5)) -> dict[str, Aggregate]:
    """Score every submission of `matrix` under `policy`, with the steps."""
    if policy == "calibrated":
        return calibrated(matrix, scale)
    single = {"median": by_median, "mean": by_mean, "trimmed": by_trimmed}[policy]
    return {unit: single(raters) for unit, raters in matrix.items() if raters}


def scores(policy: str, matrix: Matrix, scale: tuple[float, float] = (1, 5)) -> dict[str, float]:
    """Each submission's score under `policy`: `aggregate` without the steps, which a
    leaderboard of 4,000 submissions does not show and spends most of its time on."""
    if policy == "calibrated":
        return {unit: result.score for unit, result in calibrated(matrix, scale).items()}
    single = {"median": median_score, "mean": mean_score, "trimmed": trimmed_score}[policy]
    return {unit: single(raters) for unit, raters in matrix.items() if raters}


def _by_value(item: tuple[str, float]) -> tuple[float, str]:
    return item[1], item[0]


def median_score(raters: Mapping[str, float]) -> float:
    return median(list(raters.values()))


def mean_score(raters: Mapping[str, float]) -> float:
    return sum(raters.values()) / len(raters)


def trimmed_score(raters: Mapping[str, float]) -> float:
    if len(raters) < 4:
        return mean_score(raters)
    kept = [v for r, v in sorted(raters.items(), key=_by_value)[1:-1]]
    return sum(kept) / len(kept)


def by_median(raters: Mapping[str, float]) -> Aggregate:
    ordered = sorted(raters.items(), key=_by_value)
    n = len(ordered)
    middle = {ordered[n // 2][0]} if n % 2 else {ordered[n // 2 - 1][0], ordered[n // 2][0]}
    parts = tuple(Contribution(r, v, 0.0, 1 / len(middle) if r in middle else 0.0) for r, v in sorted(raters.items()))
    note = f"median of {n} scores" + ("" if n % 2 else " (mean of the middle two)")
    return Aggregate(median_score(raters), "median", parts, note)


def by_mean(raters: Mapping[str, float]) -> Aggregate:
    n = len(raters)
    parts = tuple(Contribution(r, v, 0.0, 1 / n) for r, v in sorted(raters.items()))
    return Aggregate(mean_score(raters), "mean", parts, f"mean of {n} scores")


def by_trimmed(raters: Mapping[str, float]) -> Aggregate:
    if len(raters) < 4:
        result = by_mean(raters)
        return Aggregate(result.score, "trimmed", result.contributions, f"{result.note} (fewer than 4: nothing dropped)")
    ordered = sorted(raters.items(), key=_by_value)
    dropped = {ordered[0][0], ordered[-1][0]}
    kept = len(ordered) - 2
    parts = tuple(Contribution(r, v, 0.0, 0.0 if r in dropped else 1 / kept) for r, v in sorted(raters.items()))
    return Aggregate(trimmed_score(raters), "trimmed", parts, f"mean of {kept} scores after dropping the highest and lowest")


@dataclass(frozen=True)
class RaterModel:
    bias: float
    reliability: float  # τ: 1 / (residual variance + prior)


def fit(matrix: Matrix, scale: tuple[float, float]) -> tuple[dict[str, float], dict[str, RaterModel]]:
    """PG1 by coordinate updates: (true scores, rater models) for the submissions and
    raters that have raters with at least CALIBRATE_MIN ratings."""
    counts: dict[str, int] = {}
    for raters in matrix.values():
        for rater in raters:
            counts[rater] = counts.get(rater, 0) + 1
    calibrated = {r for r, n in counts.items() if n >= CALIBRATE_MIN}
    z = {unit: {r: v for r, v in raters.items() if r in calibrated} for unit, raters in matrix.items()}
    z = {unit: raters for unit, raters in z.items() if raters}
    truths: dict[str, float] = {}
    models: dict[str, RaterModel] = {}
    for units in _components(z):
        part = {unit: z[unit] for unit in units}
        s, bias, tau = _fit_component(part, (scale[0] + scale[1]) / 2)
        truths.update(s)
        models.update({r: RaterModel(bias[r], tau[r]) for r in bias})
    return truths, models


def _fit_component(z: Matrix, midpoint: float) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    # Fit each rater's scores centred on their own mean (rounded, so a rater who adds a
    # constant to every score gives bit-for-bit the same input): the iteration below
    # can have more than one fixed point, and float noise must not pick between them.
    means: dict[str, list[float]] = {}
    for raters in z.values():
        for rater, value in raters.items():
            means.setdefault(rater, []).append(value)
    centre = {r: sum(values) / len(values) for r, values in means.items()}
    z = {unit: {r: round(v - centre[r], 9) for r, v in raters.items()} for unit, raters in z.items()}
    by_rater: dict[str, dict[str, float]] = {}
    for unit, raters in z.items():
        for rater, value in raters.items():
            by_rater.setdefault(rater, {})[unit] = value
    # Start from the median consensus of rater-centred scores: every step below is then
    # unchanged (up to the rater's own bias) when one rater shifts all their scores.
    bias = {r: sum(scores.values()) / len(scores) for r, scores in by_rater.items()}
    s = {unit: median([v - bias[r] for r, v in raters.items()]) for unit, raters in z.items()}
    tau = {r: 1.0 for r in by_rater}
    for _ in range(_MAX_ROUNDS):
        bias = {r: sum(v - s[u] for u, v in scores.items()) / len(scores) for r, scores in by_rater.items()}
        tau = {r: 1 / (sum((v - s[u] - bias[r]) ** 2 for u, v in scores.items()) / len(scores) + _RELIABILITY_PRIOR)
               for r, scores in by_rater.items()}
        new = {u: sum(tau[r] * (v - bias[r]) for r, v in raters.items()) / sum(tau[r] for r in raters)
               for u, raters in z.items()}
        change = max(abs(new[u] - s[u]) for u in new)
        s = new
        if change < _TOLERANCE:
            break
    # The level of s + b is not identified: anchor the component's mean at the midpoint.
    shift = sum(s.values()) / len(s) - midpoint
    return ({u: v - shift for u, v in s.items()}, {r: b + shift + centre[r] for r, b in bias.items()}, tau)


def _components(z: Matrix) -> list[list[str]]:
    """Submissions grouped by the raters connecting them (union-find), sorted."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for unit, raters in z.items():
        for rater in raters:
            parent[find("u:" + unit)] = find("r:" + rater)
    groups: dict[str, list[str]] = {}
    for unit in sorted(z):
        groups.setdefault(find("u:" + unit), []).append(unit)
    return list(groups.values())


def calibrated(matrix: Matrix, scale: tuple[float, float]) -> dict[str, Aggregate]:
    _, models = fit(matrix, scale)
    results = {}
    for unit, raters in matrix.items():
        if not raters:
            continue
        fitted = {r: v for r, v in raters.items() if r in models}
        if not fitted:
            fallback = by_median(raters)
            results[unit] = Aggregate(fallback.score, "median", fallback.contributions,
                                      f"no rater has {CALIBRATE_MIN}+ ratings here: {fallback.note}")
            continue
        total = sum(models[r].reliability for r in fitted)
        parts = tuple(
            Contribution(r, v, models[r].bias, models[r].reliability / total) if r in models
            else Contribution(r, v, 0.0, 0.0)
            for r, v in sorted(raters.items())
        )
        score = sum(p.weight * p.adjusted for p in parts)
        skipped = len(raters) - len(fitted)
        note = (f"reliability-weighted mean of {len(fitted)} debiased scores"
                + (f"; {skipped} rater(s) with fewer than {CALIBRATE_MIN} ratings not counted" if skipped else ""))
        results[unit] = Aggregate(score, "calibrated", parts, note)
    return results
