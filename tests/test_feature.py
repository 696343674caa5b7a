"""Managers' picks: a manager features a submission as an example of what good looks
like; it shows in --format json, earns the award points and leads the playbook."""

from __future__ import annotations

import json

from conftest import git, scores


def leaderboard(p2p):
    return {r["person"]: r for r in json.loads(p2p("leaderboard", "pitch", "--format", "json").stdout)["rows"]}


def season_points(p2p):
    return {r["person"]: r for r in json.loads(p2p("leaderboard", "--format", "json").stdout)["rows"]}


def test_a_manager_features_a_submission_once_and_it_earns_the_award_points(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    before = season_points(p2p)["ava"]["awards"]
    out = json.loads(p2p("feature", "pitch", "ava", "--note", "Great opener", "--format", "json", as_="mia").stdout)
    assert out["entry"]["kind"] == "feature" and out["path"].startswith("entries/pitch/mia/")
    assert git(p2p.root, "log", "-1", "--format=%an") == "Mia"
    row = leaderboard(p2p)["ava"]
    assert (row["featured"], row["featured_by"]) == (True, ["mia"])
    assert season_points(p2p)["ava"]["awards"] == before + 5
    head = git(p2p.root, "rev-parse", "HEAD")
    assert "already featured" in p2p("feature", "pitch", "ava", "--note", "Great opener", as_="mia").stdout
    assert git(p2p.root, "rev-parse", "HEAD") == head
    badges = json.loads(p2p("badges", "ava", "--format", "json").stdout)["people"][0]["badges"]
    assert {"badge": "managers-pick", "detail": "featured in pitch by mia"} in badges


def test_taking_a_pick_back_removes_the_feature_and_its_points(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    p2p("feature", "pitch", "ava", as_="mia")
    p2p("feature", "pitch", "ava", "--remove", as_="mia")
    assert leaderboard(p2p)["ava"]["featured"] is False
    assert season_points(p2p)["ava"]["awards"] == 0
    assert "not featured" in p2p("feature", "pitch", "ava", "--remove", as_="mia").stdout


def test_only_managers_feature_and_never_their_own_work(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    p2p.refused("feature", "pitch", "ava", as_="ben", match="only managers feature")
    p2p.refused("feature", "pitch", "ben", as_="mia", match="ben has no submission in pitch")
    p2p.refused("feature", "pitch", "ava", "--note", "x" * 2001, as_="mia", match="--note")


def test_featured_work_leads_the_playbook(p2p, tmp_path):
    for person in ("ava", "ben", "cal", "dia"):
        p2p("submit", "pitch", "--link", f"https://v.example/{person}", as_=person)
    for person in ("ava", "ben", "cal", "dia"):
        for rater in [r for r in ("ava", "ben", "cal", "dia") if r != person]:
            p2p("rate", "pitch", person, *scores(5 if person == "ava" else 3), as_=rater)
    p2p("feature", "pitch", "dia", "--note", "Best discovery questions", as_="mia")
    p2p("publish", str(tmp_path / "wiki"))
    page = (tmp_path / "wiki" / "Playbook.md").read_text()
    assert page.index("## Managers' picks") < page.index("## pitching")
    assert "[Dia](https://v.example/dia) in [Pitch](challenge-pitch) · picked by Mia: “Best discovery questions”" in page
