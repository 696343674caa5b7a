"""Brackets: draws (sizes, byes, seeding, determinism), match decisions with the
documented tie rules, and advancement from round to round through the CLI."""

from __future__ import annotations

import json

import pytest

from p2p import brackets

CRITERIA = ("acknowledge", "clarify", "respond-with-evidence", "advance")


@pytest.mark.parametrize("size, expected", [(4, [1, 4, 2, 3]), (8, [1, 8, 4, 5, 2, 7, 3, 6])])
def test_seeds_one_and_two_can_only_meet_in_the_final(size, expected):
    assert brackets.order(size) == expected
    assert sorted(brackets.order(32)) == list(range(1, 33))
    assert brackets.order(16).index(2) >= 8 and brackets.order(16).index(1) < 8  # opposite halves


def test_a_draw_seeds_by_points_gives_byes_to_the_top_and_is_deterministic_under_a_seed():
    points = {"ann": 50, "bob": 40, "cat": 40, "dan": 10, "eve": 0}
    people = list(points)
    slots = brackets.draw(people, points, 8, seed=1)
    assert len(slots) == 8 and slots.count(None) == 3
    assert slots[0] == "ann" and slots[1] is None  # seed 1 meets seed 8: a bye
    assert brackets.draw(people, points, 8, seed=1) == slots
    assert {tuple(brackets.draw(people, points, 8, seed=s)) for s in range(20)} != {tuple(slots)}  # bob/cat tie moves
    assert set(brackets.draw(people * 1, points, 4, seed=1)) == {"ann", "bob", "cat", "dan"}  # the best four


def test_matches_are_decided_by_score_then_votes_then_seed():
    seeds = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8}
    slots = ["a", "h", "d", "e", "b", "g", "c", None]
    scores = {"a": 3.0, "h": 3.5, "d": 4.0, "e": 4.0, "b": 2.0, "g": 2.0, "c": 1.0}
    votes = {"d": 1, "e": 2}
    matches = brackets.decide(slots, seeds, scores, votes, closed=True)
    assert [(m.winner, m.reason) for m in matches] == [
        ("h", "higher score"), ("e", "equal scores: more votes"), ("b", "equal: the better seed"), ("c", "bye")]
    assert [m.winner for m in brackets.decide(slots, seeds, scores, votes, closed=False)] == [None, None, None, "c"]
    lone = brackets.decide(["a", "b"], seeds, {"b": 1.0}, {}, closed=True)[0]
    assert (lone.winner, lone.reason) == ("b", "the other has no ranked score")


def face_off(p2p, monkeypatch, slug, a, b, score_a, score_b, day):
    monkeypatch.setenv("P2P_NOW", f"{day}T10:00:00Z")
    p2p("submit", slug, "--partner", b, "--link", f"https://v.example/{a}", as_=a)
    p2p("submit", slug, "--partner", a, "--link", f"https://v.example/{b}", as_=b)
    for target, value in ((a, score_a), (b, score_b)):
        raters = [r for r in ("ava", "ben", "cal", "dia", "eli") if r not in (a, b)][:3]
        for rater in raters:
            p2p("rate", slug, target, *[x for c in CRITERIA for x in ("--score", f"{c}={value}")], as_=rater)


def test_winners_advance_round_by_round_to_a_champion(p2p, monkeypatch):
    for slug, opens, closes, review in (("r1", "2026-11-16", "2026-11-18", "2026-11-20"),
                                        ("r2", "2026-11-23", "2026-11-25", "2026-11-27"),
                                        ("r3", "2026-11-30", "2026-12-02", "2026-12-04")):
        p2p("challenge", "new", slug, "--type", "objection-handling", "--title", slug, "--opens", opens,
            "--closes", closes, "--review-closes", review)
    drawn = json.loads(p2p("bracket", "r1", "--size", "4", "--seed", "2", "--format", "json", as_="mia").stdout)
    slots = drawn["entry"]["slots"]
    assert len(slots) == 4 and None not in slots and "mia" not in slots  # managers are not eligible
    (a, b), (c, d) = slots[:2], slots[2:]
    face_off(p2p, monkeypatch, "r1", a, b, 4, 3, "2026-11-17")
    face_off(p2p, monkeypatch, "r1", c, d, 2, 5, "2026-11-17")
    p2p.refused("bracket", "r2", "--from", "r1", as_="mia", match="decided when its review closes")
    monkeypatch.setenv("P2P_NOW", "2026-11-21T09:00:00Z")
    shown = json.loads(p2p("bracket", "r1", "--format", "json").stdout)
    assert [(m["winner"], m["reason"]) for m in shown["rounds"][0]["matches"]] == [(a, "higher score"), (d, "higher score")]
    final = json.loads(p2p("bracket", "r2", "--from", "r1", "--format", "json", as_="mia").stdout)["entry"]
    assert final["slots"] == [a, d] and final["previous"] == "r1"
    face_off(p2p, monkeypatch, "r2", a, d, 3, 3, "2026-11-24")  # a draw on scores, no votes: the better seed
    monkeypatch.setenv("P2P_NOW", "2026-11-28T09:00:00Z")
    doc = json.loads(p2p("bracket", "r2", "--format", "json").stdout)
    better = a if final["seeds"][a] < final["seeds"][d] else d
    assert [len(r["matches"]) for r in doc["rounds"]] == [2, 1]
    assert (doc["champion"], doc["rounds"][1]["matches"][0]["reason"]) == (better, "equal: the better seed")
    p2p.refused("bracket", "r3", "--from", "r2", as_="mia", match="was the final")


def test_bad_draws_are_refused(p2p):
    p2p.refused("bracket", "pitch", "--size", "8", as_="mia", match="a bracket's matches are face-offs")
    p2p("challenge", "new", "r1", "--type", "objection-handling", "--title", "R1", "--opens", "2026-11-16",
        "--closes", "2026-11-18")
    p2p.refused("bracket", "r1", as_="mia", match="has no bracket")
    p2p.refused("bracket", "r1", "--size", "6", as_="mia", expect=2, match="--size")
    p2p.refused("bracket", "r1", "--from", "pitch", as_="mia", match="pitch has no bracket")


def test_the_challenge_page_shows_the_bracket(p2p, tmp_path):
    p2p("challenge", "new", "r1", "--type", "objection-handling", "--title", "Round one", "--opens", "2026-11-16",
        "--closes", "2026-11-18")
    slots = json.loads(p2p("bracket", "r1", "--size", "8", "--format", "json", as_="mia").stdout)["entry"]["slots"]
    p2p("publish", str(tmp_path / "wiki"))
    page = (tmp_path / "wiki" / "challenge-r1.md").read_text()
    assert "## Bracket" in page and "[Round one](challenge-r1) (review open)" in page
    assert page.count("| bye |") + page.count("| bye (") == slots.count(None)
