"""`make demo`'s store: built by demo/build.sh through the real CLI, big enough to show
every kind of challenge, and clean under `p2p check`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from p2p.cli import cli

def p2p_json(store: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--store", str(store), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_demo_store_has_people_challenges_and_ratings_and_checks_clean(demo_store):
    store = demo_store

    people = p2p_json(store, "people", "list")["people"]
    assert len([p for p in people if p["active"]]) >= 10
    assert {p["id"]: p["role"] for p in people}["ivo"] == "csm"
    challenges = p2p_json(store, "challenge", "list")["challenges"]
    assert len({c["type"] for c in challenges}) >= 3 and {c["mode"] for c in challenges} == {"rubric", "metric"}
    for challenge in challenges:
        rows = p2p_json(store, "leaderboard", challenge["slug"])["rows"]
        assert any(r["status"] == "ranked" for r in rows), challenge["slug"]
    assert sum(c["ratings"] for c in challenges) >= 20
    assert CliRunner().invoke(cli, ["--store", str(store), "check"]).exit_code == 0
    season = p2p_json(store, "leaderboard", "--season", "2026-q4")
    assert season["season"] == "2026-q4" and season["rows"][0]["points"] > 0
    badges = {b["badge"] for who in p2p_json(store, "badges", "--season", "2026-q4")["people"] for b in who["badges"]}
    assert {"first-steps", "best-pitch", "top-reviewer", "streak-3"} <= badges
    reviewers = p2p_json(store, "leaderboard", "q4-pitch", "--reviewers")["rows"]
    assert any(r["helpful"] == 5 for r in reviewers)  # cal found eli's feedback useful
