"""Aggregation policies on hand-computed examples, and the properties that make them
fair: order never matters, a rating at the median never moves the median, a rater who
adds a constant to all their scores does not change calibrated results."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from p2p import policies

SCALE = (1, 5)


def scores(policy, matrix):
    return {unit: round(result.score, 6) for unit, result in policies.aggregate(policy, matrix, SCALE).items()}


def test_median_mean_and_trimmed_by_hand():
    matrix = {"a": {"r1": 1, "r2": 2, "r3": 4, "r4": 5, "r5": 5}, "b": {"r1": 3, "r2": 4}}
    assert scores("median", matrix) == {"a": 4.0, "b": 3.5}
    assert scores("mean", matrix) == {"a": 3.4, "b": 3.5}
    # trimmed: a drops 1 and one 5 -> mean(2, 4, 5) = 11/3; b has fewer than 4 raters -> plain mean
    assert scores("trimmed", matrix) == {"a": round(11 / 3, 6), "b": 3.5}


def test_the_steps_of_every_policy_add_up_to_its_score():
    matrix = {"a": {"r1": 1, "r2": 2, "r3": 4, "r4": 5}, "b": {"r1": 3, "r2": 4, "r3": 2},
              "c": {"r1": 5, "r2": 5, "r3": 4, "r4": 2}, "d": {"r2": 1, "r3": 3, "r4": 3}}
    for policy in policies.POLICIES:
        for unit, result in policies.aggregate(policy, matrix, SCALE).items():
            assert math.isclose(sum(c.weight * c.adjusted for c in result.contributions), result.score), (policy, unit)
            assert math.isclose(sum(c.weight for c in result.contributions), 1.0)


def test_calibrated_removes_a_harsh_raters_bias_by_hand():
    # r3 is harsh by exactly 1 point on every submission; r1 and r2 agree. PG1 finds
    # r3's bias -1 relative to the others and the true scores 4, 2, 3 (mean 3 = midpoint).
    matrix = {"a": {"r1": 4, "r2": 4, "r3": 3}, "b": {"r1": 2, "r2": 2, "r3": 1}, "c": {"r1": 3, "r2": 3, "r3": 2}}
    assert scores("calibrated", matrix) == {"a": 4.0, "b": 2.0, "c": 3.0}
    _, models = policies.fit(matrix, SCALE)
    assert round(models["r3"].bias - models["r1"].bias, 6) == -1.0
    # the median is pulled by nothing here, but the mean is dragged down by r3:
    assert scores("mean", matrix)["a"] == round(11 / 3, 6)


def test_calibrated_weights_a_consistent_rater_above_a_noisy_one():
    matrix = {u: {"steady": v, "also": v, "noisy": n} for u, v, n in
              [("a", 5, 1), ("b", 4, 5), ("c", 2, 1), ("d", 1, 5), ("e", 3, 3)]}
    _, models = policies.fit(matrix, SCALE)
    assert models["steady"].reliability > 5 * models["noisy"].reliability


def test_calibrated_falls_back_to_the_median_for_raters_with_too_few_ratings():
    matrix = {"a": {"r1": 4, "r2": 2}, "b": {"r1": 3}}
    results = policies.aggregate("calibrated", matrix, SCALE)
    assert results["a"].policy == "median" and results["a"].score == 3.0
    assert "fewer than" in results["a"].note or "no rater" in results["a"].note


raters = st.sampled_from(["r1", "r2", "r3", "r4", "r5", "r6"])
units = st.sampled_from(["a", "b", "c", "d", "e"])
values = st.integers(min_value=1, max_value=5).map(float)
matrices = st.dictionaries(units, st.dictionaries(raters, values, min_size=1, max_size=6), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_the_order_of_raters_and_submissions_never_changes_any_policy(matrix, rng):
    items = list(matrix.items())
    rng.shuffle(items)
    shuffled = {}
    for unit, row in items:
        pairs = list(row.items())
        rng.shuffle(pairs)
        shuffled[unit] = dict(pairs)
    for policy in policies.POLICIES:
        assert scores(policy, shuffled) == scores(policy, matrix)


@settings(max_examples=100, deadline=None)
@given(st.lists(values, min_size=1, max_size=9))
def test_adding_a_rating_equal_to_the_median_never_moves_the_median(values_):
    row = {f"r{i}": v for i, v in enumerate(values_)}
    before = policies.by_median(row).score
    assert policies.by_median({**row, "new": before}).score == before


@settings(max_examples=60, deadline=None)
@given(matrices, raters, st.floats(min_value=-3, max_value=3, allow_nan=False))
# Two fixed points, picked by float noise before the fit centred each rater's scores:
@example({"a": {"r1": 1.0}, "b": {"r3": 1.0}, "c": {"r1": 1.0, "r3": 2.0}, "d": {"r1": 3.0, "r2": 1.0, "r3": 1.0}},
         "r1", 1.0)
def test_a_rater_adding_a_constant_to_all_their_scores_does_not_change_calibrated(matrix, rater, shift):
    assume(any(rater in row for row in matrix.values()))
    shifted = {u: {r: v + shift if r == rater else v for r, v in row.items()} for u, row in matrix.items()}
    before, after = policies.aggregate("calibrated", matrix, SCALE), policies.aggregate("calibrated", shifted, SCALE)
    for unit in matrix:
        if before[unit].policy == "calibrated":  # raters with too few ratings are not calibrated (median fallback)
            assert after[unit].score == pytest.approx(before[unit].score, abs=1e-6)
