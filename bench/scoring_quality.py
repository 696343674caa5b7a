"""Scoring-quality benchmark (not a test): how well does each aggregation policy rank
reps by their true skill when raters are biased, noisy, careless or colluding?

Synthetic seasons: every rep has a true skill; every rater a bias (harsh or lenient)
and a noise level; 10% of reps rate in colluding pairs (each pushes the other up by
1.5 points), 5% are careless (all 3s, or random). Each submission is rated on a
4-criterion 1-5 rubric (whole numbers, as reps do) by 5 random peers. We print the
Spearman rank correlation between each policy's standings and the truth, averaged
over challenges and seasons.

    .venv/bin/python bench/scoring_quality.py [--seasons 20] [--reps 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from p2p import policies

WEIGHTS = (2, 3, 2, 1)


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def season(rng: random.Random, reps: int, challenges: int, raters_per: int) -> dict[str, list[float]]:
    people = [f"p{i:03d}" for i in range(reps)]
    bias = {p: rng.gauss(0, 0.6) for p in people}
    noise = {p: rng.uniform(0.2, 0.9) for p in people}
    shuffled = people[:]
    rng.shuffle(shuffled)
    colluders = shuffled[: reps // 10 // 2 * 2]
    partner = {a: b for a, b in zip(colluders[::2], colluders[1::2])}
    partner.update({b: a for a, b in partner.items()})
    careless = set(shuffled[len(colluders): len(colluders) + max(1, reps // 20)])
    base = {p: rng.gauss(3.0, 0.6) for p in people}
    results: dict[str, list[float]] = {p: [] for p in policies.POLICIES}
    for _ in range(challenges):
        truth = {p: base[p] + rng.gauss(0, 0.2) for p in people}
        matrix: dict[str, dict[str, float]] = {p: {} for p in people}
        for target in people:
            peers = [p for p in people if p != target]
            chosen = set(rng.sample(peers, raters_per))
            if target in partner:
                chosen.add(partner[target])  # colluders always rate each other
            for rater in chosen:
                matrix[target][rater] = _rate(rng, truth[target], rater, target, bias, noise, partner, careless)
        for policy in policies.POLICIES:
            scored = policies.aggregate(policy, matrix, (1, 5))
            results[policy].append(spearman([scored[p].score for p in people], [truth[p] for p in people]))
    return results


def _rate(rng: random.Random, true: float, rater: str, target: str, bias: dict, noise: dict,  # type: ignore[type-arg]
          partner: dict, careless: set) -> float:  # type: ignore[type-arg]
    if rater in careless:
        values = [3] * 4 if int(rater[1:]) % 2 else [rng.randint(1, 5) for _ in WEIGHTS]
    else:
        push = 1.5 if partner.get(rater) == target else 0.0
        values = [min(5, max(1, round(true + bias[rater] + push + rng.gauss(0, noise[rater])))) for _ in WEIGHTS]
    return sum(w * v for w, v in zip(WEIGHTS, values)) / sum(WEIGHTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seasons", type=int, default=20)
    parser.add_argument("--reps", type=int, default=60)
    parser.add_argument("--challenges", type=int, default=6)
    parser.add_argument("--raters", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    totals: dict[str, list[float]] = {p: [] for p in policies.POLICIES}
    started = time.perf_counter()
    for _ in range(args.seasons):
        for policy, values in season(rng, args.reps, args.challenges, args.raters).items():
            totals[policy].extend(values)
    print(f"{args.seasons} seasons × {args.challenges} challenges, {args.reps} reps, {args.raters} raters per "
          f"submission, 10% colluding pairs, 5% careless raters (seed {args.seed}, "
          f"{time.perf_counter() - started:.1f} s)")
    print(f"{'policy':<12} {'Spearman ρ (mean)':>18} {'worst challenge':>16}")
    for policy in sorted(policies.POLICIES, key=lambda p: -statistics.fmean(totals[p])):
        print(f"{policy:<12} {statistics.fmean(totals[policy]):>18.3f} {min(totals[policy]):>16.3f}")


if __name__ == "__main__":
    main()
