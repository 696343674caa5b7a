"""`p2p leaderboard` through the CLI: the JSON contract, every format, and --at."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import git, scores


@pytest.fixture
def rated(p2p):
    for rep in ("ava", "ben", "cal"):
        p2p("submit", "pitch", "--link", f"https://v.example/{rep}", as_=rep)
    for rater, target, value in [("ben", "ava", 4), ("cal", "ava", 5), ("dia", "ava", 3), ("eli", "ava", 4),
                                 ("ava", "ben", 4), ("cal", "ben", 4), ("dia", "ben", 5),
                                 ("ava", "cal", 2)]:
        p2p("rate", "pitch", target, *scores(value), "--comment", "ok", as_=rater)
    return p2p


def test_json_follows_the_documented_contract(rated):
    doc = json.loads(rated("leaderboard", "pitch", "--format", "json").stdout)
    assert doc["challenge"] == "pitch" and doc["mode"] == "rubric" and doc["min_ratings"] == 3
    assert [(r["rank"], r["person"], r["score"], r["ratings"], r["status"]) for r in doc["rows"]] == [
        (1, "ava", 4.0, 4, "ranked"),  # median of 3, 4, 4, 5 = (4 + 4) / 2
        (1, "ben", 4.0, 3, "ranked"),  # median of 4, 4, 5; the tie is listed by id
        (None, "cal", None, 1, "pending"),
    ]
    ava = doc["rows"][0]
    assert {k: ava[k] for k in ("name", "team", "role")} == {"name": "Ava", "team": "east", "role": "ae"}
    assert doc["commit"] == git(rated.root, "rev-parse", "HEAD")


def test_table_csv_and_markdown_show_the_same_rows(rated):
    table = rated("leaderboard", "pitch").stdout
    assert "ava" in table and "pending" in table
    rows = list(csv.DictReader(io.StringIO(rated("leaderboard", "pitch", "--format", "csv").stdout)))
    assert [(r["rank"], r["person"], r["score"], r["status"]) for r in rows] == [
        ("1", "ava", "4.0", "ranked"), ("1", "ben", "4.0", "ranked"), ("", "cal", "", "pending")]
    markdown = rated("leaderboard", "pitch", "--format", "markdown").stdout.splitlines()
    table_lines = [line for line in markdown if line.startswith("|")]
    assert len(table_lines) == 2 + 3 and all(line.count("|") == 9 for line in table_lines)


def test_at_a_tagged_revision_reproduces_the_standings_of_that_time(rated):
    then = rated("leaderboard", "pitch", "--format", "json").stdout
    git(rated.root, "tag", "before")
    rated("rate", "pitch", "cal", *scores(5), as_="ben")
    rated("rate", "pitch", "cal", *scores(5), as_="eli")
    assert rated("leaderboard", "pitch", "--format", "json").stdout != then
    assert rated("leaderboard", "pitch", "--at", "before", "--format", "json").stdout == then
    rated.refused("leaderboard", "pitch", "--at", "no-such-rev", match="does not exist")


def test_only_committed_entries_count(rated):
    before = rated("leaderboard", "pitch", "--format", "json").stdout
    stray = rated.root / "entries" / "pitch" / "eli" / "01M72N8MG0DT7R6J0P5VQRC5KX.yaml"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("v: 1\n")
    assert rated("leaderboard", "pitch", "--format", "json").stdout == before


def test_metric_challenges_rank_by_the_latest_value(make_store):
    p2p = make_store(challenge=None)
    p2p("challenge", "new", "calls", "--type", "cold-call-sprint", "--title", "Calls", "--opens", "2026-11-10",
        "--closes", "2026-11-10")
    p2p.refused("submit", "calls", as_="cal", match="--metric is required")
    for bad in ("-1", "nan", "inf"):
        p2p.refused("submit", "calls", "--metric", bad, as_="cal", match="must be a number of 0 or more")
    p2p("submit", "calls", "--metric", "40", as_="cal")
    p2p("submit", "calls", "--metric", "12", as_="dia")
    p2p("submit", "calls", "--metric", "9", as_="cal")
    doc = json.loads(p2p("leaderboard", "calls", "--format", "json").stdout)
    assert doc["mode"] == "metric"
    assert [(r["rank"], r["person"], r["score"]) for r in doc["rows"]] == [(1, "dia", 12.0), (2, "cal", 9.0)]


def test_an_empty_challenge_prints_a_friendly_line(p2p):
    assert "no submissions yet" in p2p("leaderboard", "pitch").stdout
    assert json.loads(p2p("leaderboard", "pitch", "--format", "json").stdout)["rows"] == []
