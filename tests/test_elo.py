"""The Elo ladder of face-offs (`leaderboard --by elo`), computed by hand."""

from __future__ import annotations

import json

import pytest

from p2p import elo

CRITERIA = ("acknowledge", "clarify", "respond-with-evidence", "advance")


def test_expected_scores_and_one_update_by_hand():
    assert elo.expected(1200, 1200) == 0.5
    assert elo.expected(1400, 1200) == pytest.approx(1 / (1 + 10 ** (-0.5)))  # 0.7597
    table = elo.ratings([elo.FaceOff("c", "ann", "bob", 4.0, 3.0)])
    assert (table["ann"]["elo"], table["bob"]["elo"]) == (1216.0, 1184.0)  # 1200 ± 32 × ½


def test_a_draw_moves_the_higher_rated_down_and_ratings_sum_is_kept():
    table = elo.ratings([elo.FaceOff("c1", "ann", "bob", 4.0, 3.0), elo.FaceOff("c2", "ann", "bob", 3.5, 3.5)])
    # second match: ann 1216 vs bob 1184, expected 0.5460, a draw: ann − 32 × 0.0460
    assert table["ann"]["elo"] == pytest.approx(1216 - 32 * (elo.expected(1216, 1184) - 0.5))
    assert table["ann"]["elo"] + table["bob"]["elo"] == pytest.approx(2400)
    assert (table["ann"]["wins"], table["ann"]["draws"], table["bob"]["losses"]) == (1, 1, 1)


def face(p2p, rater, target, value):
    args = [a for c in CRITERIA for a in ("--score", f"{c}={value}")]
    p2p("rate", "objections", target, *args, as_=rater)


def test_leaderboard_by_elo_from_pairs_challenges(make_store):
    p2p = make_store()
    p2p("challenge", "new", "objections", "--type", "objection-handling", "--title", "Objections",
        "--opens", "2026-11-09", "--closes", "2026-11-15", "--review-closes", "2026-11-18")
    for a, b in (("ava", "ben"), ("ben", "ava"), ("cal", "eli"), ("eli", "cal")):
        p2p("submit", "objections", "--partner", b, "--link", f"https://v.example/{a}", as_=a)
    p2p("submit", "objections", "--partner", "ava", "--link", "https://v.example/dia", as_="dia")  # no face-off
    values = {"ava": 4, "ben": 3, "cal": 3, "eli": 3, "dia": 5}
    for target, value in values.items():
        for rater in [r for r in ("ava", "ben", "cal", "dia", "eli", "mia") if r not in (target, "mia")][:3]:
            face(p2p, rater, target, value)
    doc = json.loads(p2p("leaderboard", "--by", "elo", "--format", "json").stdout)
    assert [(f["a"], f["b"], f["result_a"]) for f in doc["face_offs"]] == [("ava", "ben", 1.0), ("cal", "eli", 0.5)]
    rows = {r["person"]: r for r in doc["rows"]}
    assert (rows["ava"]["elo"], rows["ava"]["rank"], rows["ben"]["elo"]) == (1216.0, 1, 1184.0)
    assert (rows["cal"]["elo"], rows["cal"]["draws"], rows["eli"]["rank"]) == (1200.0, 1, 2)
    assert "dia" not in rows  # named ava as partner, but ava named ben: not a face-off
    assert "Elo ladder" in p2p("leaderboard", "--by", "elo").stdout
