"""Races: a metric challenge with a target. Hand-computed totals, winners, pace and
rounds; the same order in `p2p race`, the leaderboard and the challenge page."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from p2p.model import Race

SPEC = "slug: sprint\ntype: cold-call-sprint\ntitle: Call sprint\nopens: 2026-11-02\ncloses: 2026-11-15\n"


@pytest.mark.parametrize("repeat, day, expected", [
    (None, "2026-11-05", ("2026-11-02", "2026-11-15")),
    ("daily", "2026-11-05", ("2026-11-05", "2026-11-05")),
    ("weekly", "2026-11-05", ("2026-11-02", "2026-11-08")),  # Monday to Sunday
    ("weekly", "2026-11-15", ("2026-11-09", "2026-11-15")),
    ("monthly", "2026-11-05", ("2026-11-02", "2026-11-15")),  # clamped to the challenge
])
def test_rounds_follow_the_repeat_within_the_challenge(repeat, day, expected):
    bounds = Race(100, repeat).round_of(dt.date.fromisoformat(day), dt.date(2026, 11, 2), dt.date(2026, 11, 15))
    assert tuple(d.isoformat() for d in bounds) == expected


@pytest.fixture
def race(make_store, monkeypatch, tmp_path):
    p2p = make_store(challenge=None)
    spec = tmp_path / "sprint.yaml"
    spec.write_text(SPEC + "race: {target: 100, repeat: weekly}\n")
    p2p("challenge", "apply", str(spec))

    def submit(when, person, calls):
        monkeypatch.setenv("P2P_NOW", when)
        p2p("submit", "sprint", "--metric", str(calls), as_=person)

    submit("2026-11-02T09:00:00Z", "ava", 40)
    submit("2026-11-02T10:00:00Z", "ben", 70)
    submit("2026-11-03T10:00:00Z", "ava", 65)  # ava reaches 105 first
    submit("2026-11-04T10:00:00Z", "ben", 40)  # ben reaches 110, later
    submit("2026-11-10T10:00:00Z", "cal", 30)  # next week's round
    return p2p


def doc_at(p2p, monkeypatch, when, *args):
    monkeypatch.setenv("P2P_NOW", when)
    return json.loads(p2p("race", "sprint", *args, "--format", "json").stdout)


def test_the_first_to_reach_the_target_wins_even_with_a_lower_total(race, monkeypatch):
    doc = doc_at(race, monkeypatch, "2026-11-05T12:00:00Z")
    assert doc["round"] == {"starts": "2026-11-02", "ends": "2026-11-08"}
    assert [(r["rank"], r["unit"], r["total"], r["winner"]) for r in doc["rows"]] == [
        (1, "ava", 105, True), (2, "ben", 110, False)]
    assert doc["rows"][0]["reached_at"] == "2026-11-03T10:00:00Z" and doc["rows"][0]["pace_per_day"] is None
    assert doc["time_left_hours"] == 84.0  # to the end of Sunday the 8th, UTC
    monkeypatch.setenv("P2P_NOW", "2026-11-05T12:00:00Z")
    rows = json.loads(race("leaderboard", "sprint", "--format", "json").stdout)["rows"]
    assert [(r["rank"], r["person"], r["score"]) for r in rows if r["rank"]] == [(1, "ava", 105), (2, "ben", 110)]


def test_a_new_round_starts_each_week_with_the_pace_needed_and_the_history_kept(race, monkeypatch):
    doc = doc_at(race, monkeypatch, "2026-11-10T12:00:00Z")
    (cal,) = doc["rows"]
    assert (cal["unit"], cal["total"], cal["remaining"], cal["progress"]) == ("cal", 30, 70, 0.3)
    assert cal["pace_per_day"] == round(70 / 5.5, 2)  # 5.5 days left in the round
    assert [(h["starts"], h["winner"], h["leader"], h["leader_total"]) for h in doc["history"]] == [
        ("2026-11-02", "ava", "ben", 110), ("2026-11-09", None, "cal", 30)]
    earlier = doc_at(race, monkeypatch, "2026-11-10T12:00:00Z", "--round", "2026-11-03")
    assert [r["unit"] for r in earlier["rows"]] == ["ava", "ben"] and earlier["time_left_hours"] == 0


def test_the_challenge_page_shows_the_race(race, monkeypatch, tmp_path):
    monkeypatch.setenv("P2P_NOW", "2026-11-10T12:00:00Z")
    race("publish", str(tmp_path / "wiki"))
    page = (tmp_path / "wiki" / "challenge-sprint.md").read_text()
    assert "## Race to 100 connected calls" in page
    assert "| 1 | [Cal](person-cal) | 30 | ███░░░░░░░ 30% | 70 | 12.73 | – |" in page
    assert "| 2026-11-02 to 2026-11-08 | Ava | Ben (110) |" in page


def test_a_team_race_adds_up_its_members(make_store, monkeypatch, tmp_path):
    p2p = make_store(challenge=None)
    spec = tmp_path / "team.yaml"
    spec.write_text(SPEC + "format: team\nrace: {target: 50}\n")
    p2p("challenge", "apply", str(spec))
    monkeypatch.setenv("P2P_NOW", "2026-11-03T09:00:00Z")
    for person, calls in (("ava", 20), ("ben", 35), ("dia", 30)):  # ava, ben: east; dia: west
        p2p("submit", "sprint", "--metric", str(calls), as_=person)
    doc = json.loads(p2p("race", "sprint", "--format", "json").stdout)
    assert doc["by"] == "team"
    assert [(r["unit"], r["total"], r["winner"]) for r in doc["rows"]] == [("east", 55, True), ("west", 30, False)]


def test_bad_races_are_refused_naming_the_field(make_store, tmp_path):
    p2p = make_store()
    spec = tmp_path / "bad.yaml"
    for extra, message in (("race: {target: 0}\n", "race.target 0 must be more than 0"),
                           ("race: {target: 10, repeat: hourly}\n", "race.repeat"),
                           ("race: {goal: 10}\n", "goal")):
        spec.write_text(SPEC + extra)
        p2p.refused("challenge", "apply", str(spec), match=message)
    spec.write_text(SPEC.replace("cold-call-sprint", "pitch-battle") + "race: {target: 10}\n")
    p2p.refused("challenge", "apply", str(spec), match="race is for metric challenges")
    p2p.refused("race", "pitch", match="pitch is not a race")


def test_the_season_table_scores_a_race_from_its_entries_beside_tallied_challenges(race, monkeypatch, tmp_path):
    spec = tmp_path / "pitch.yaml"
    spec.write_text("slug: pitch\ntype: pitch-battle\ntitle: Pitch\nopens: 2026-11-02\ncloses: 2026-11-15\n")
    race("challenge", "apply", str(spec))
    race("submit", "pitch", "--link", "https://v.example/cal", as_="cal")
    monkeypatch.setenv("P2P_NOW", "2026-11-05T12:00:00Z")
    doc = json.loads(race("leaderboard", "--format", "json").stdout)
    assert doc["challenges"] == ["pitch", "sprint"]
    points = {r["person"]: (r["submitted"], r["placement"]) for r in doc["rows"]}
    assert points["ava"][1] > points["ben"][1] > 0  # the race's placings: ava reached the target first
    assert points["cal"][0] == 2 * points["ava"][0]  # submitted to both
    from p2p import reports
    from p2p.fields import parse_timestamp
    from p2p.store.store import Store

    full = Store.open(race.root).load("HEAD", records=True)  # every entry read: the race and the pitch's
    assert doc == reports.season_doc(full, None, parse_timestamp("2026-11-05T12:00:00Z", "now"))
