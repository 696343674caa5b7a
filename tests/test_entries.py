"""Submit and rate against real git stores: one commit per write authored by the
acting person, staged user files untouched, every refusal leaves the store as it was."""

from __future__ import annotations

import json

import pytest

from conftest import git, scores
from p2p.store import yamlio


def test_submit_makes_one_commit_authored_by_the_rep_and_committed_by_the_local_identity(p2p):
    before = int(git(p2p.root, "rev-list", "--count", "HEAD"))
    out = json.loads(p2p("submit", "pitch", "--link", "https://v.example/ava", "--tag", "fintech",
                         "--format", "json", as_="ava").stdout)
    assert int(git(p2p.root, "rev-list", "--count", "HEAD")) == before + 1
    assert git(p2p.root, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s") == (
        "Ava <ava@example.com>|Sales Ops <ops@example.com>|p2p: submission pitch by ava")
    assert git(p2p.root, "show", "--name-only", "--format=", "HEAD") == out["path"]
    assert out["path"] == f"entries/pitch/ava/{out['entry']['id']}.yaml"
    doc = yamlio.loads((p2p.root / out["path"]).read_bytes())
    assert doc == out["entry"]
    assert doc["kind"] == "submission" and doc["by"] == "ava" and doc["tags"] == ["fintech"]
    assert git(p2p.root, "status", "--porcelain") == ""


def test_acting_person_defaults_to_the_roster_entry_matching_git_user_email(p2p):
    git(p2p.root, "config", "user.email", "ben@example.com")
    p2p("submit", "pitch", "--link", "https://v.example/ben")
    assert git(p2p.root, "log", "-1", "--format=%ae") == "ben@example.com"


def test_no_acting_person_is_refused_saying_how_to_set_it(p2p):
    stderr = p2p.refused("submit", "pitch", match="--as")
    assert "ops@example.com" in stderr


def test_files_the_user_staged_stay_staged_and_out_of_the_commit(p2p):
    (p2p.root / "notes.txt").write_text("draft\n")
    (p2p.root / "other.txt").write_text("unstaged\n")
    git(p2p.root, "add", "notes.txt")
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    assert "notes.txt" not in git(p2p.root, "show", "--name-only", "--format=", "HEAD")
    status = git(p2p.root, "status", "--porcelain").splitlines()
    assert status == ["A  notes.txt", "?? other.txt"]


def test_a_new_submission_supersedes_the_previous_one(p2p):
    first = json.loads(p2p("submit", "pitch", "--link", "https://v.example/1", "--format", "json", as_="ava").stdout)
    p2p("rate", "pitch", "ava", *scores(5), as_="ben")
    second = json.loads(p2p("submit", "pitch", "--link", "https://v.example/2", "--format", "json", as_="ava").stdout)
    assert (p2p.root / first["path"]).exists() and (p2p.root / second["path"]).exists()  # nothing deleted
    rating = json.loads(p2p("rate", "pitch", "ava", *scores(3), "--format", "json", as_="cal").stdout)
    assert rating["entry"]["submission"] == second["entry"]["id"]
    rows = json.loads(p2p("leaderboard", "pitch", "--format", "json").stdout)["rows"]
    assert [(r["person"], r["submission"], r["ratings"]) for r in rows] == [("ava", second["entry"]["id"], 1)]


def test_re_rating_replaces_the_raters_earlier_rating(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    p2p("rate", "pitch", "ava", *scores(1), as_="ben")
    p2p("rate", "pitch", "ava", *scores(5), as_="cal")
    p2p("rate", "pitch", "ava", *scores(2), as_="dia")
    p2p("rate", "pitch", "ava", *scores(4), "--comment", "changed my mind", as_="dia")
    row = json.loads(p2p("leaderboard", "pitch", "--format", "json").stdout)["rows"][0]
    assert row["ratings"] == 3
    assert row["score"] == 4.0  # median of 1, 5 and dia's latest 4 (her first, 2, would give 2.0)


def test_rating_records_scores_comment_and_the_rated_submission(p2p):
    sub = json.loads(p2p("submit", "pitch", "--link", "https://v.example/a", "--format", "json", as_="ava").stdout)
    out = json.loads(p2p("rate", "pitch", "ava", *scores(4, 5, 3, 4), "--comment", "Nice | pipes\nand lines",
                         "--format", "json", as_="ben").stdout)
    entry = out["entry"]
    assert entry["scores"] == {"opening": 4, "value-proposition": 5, "proof": 3, "call-to-action": 4}
    assert entry["submission"] == sub["entry"]["id"] and entry["person"] == "ava"
    assert yamlio.loads((p2p.root / out["path"]).read_bytes())["comment"] == "Nice | pipes\nand lines"
    assert git(p2p.root, "log", "-1", "--format=%an|%s") == "Ben|p2p: rating pitch by ben"


@pytest.fixture
def submitted(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    return p2p


@pytest.mark.parametrize("args, as_, match", [
    (["rate", "pitch", "ava", *scores(4)], "ava", "own submission"),
    (["rate", "pitch", "ava", *scores(4, 4, 4, 6)], "ben", "out of range"),
    (["rate", "pitch", "ava", *scores(4, 4, 4, 0)], "ben", "out of range"),
    (["rate", "pitch", "ava", *scores(4), "--score", "charisma=5"], "ben", "unknown criterion 'charisma'"),
    (["rate", "pitch", "ava", "--score", "opening=4"], "ben", "missing for value-proposition"),
    (["rate", "pitch", "ava", *scores(4), "--score", "opening=3"], "ben", "given twice"),
    (["rate", "pitch", "ava", "--score", "opening=four", *scores(4)[2:]], "ben", "must be a number"),
    (["rate", "pitch", "zed", *scores(4)], "ben", "person 'zed' is not in people/"),
    (["rate", "pitch", "cal", *scores(4)], "ben", "cal has no submission"),
    (["rate", "nope", "ava", *scores(4)], "ben", "challenge 'nope' does not exist"),
    (["rate", "pitch", "ava", *scores(4)], "zed", "person 'zed' is not in people/"),
    (["rate", "pitch", "../ava", *scores(4)], "ben", "not a valid id"),
    (["rate", "../../etc", "ava", *scores(4)], "ben", "not a valid id"),
    (["submit", "pitch", "--link", "https://v.example/x"], "../ben", "not a valid id"),
    (["submit", "nope"], "ben", "challenge 'nope' does not exist"),
    (["submit", "pitch", "--link", "javascript:alert(1)"], "ben", "http:// or https://"),
    (["submit", "pitch", "--metric", "5"], "ben", "only for metric challenges"),
    (["submit", "pitch", "--team", "east"], "ben", "only for team challenges"),
    (["submit", "pitch", "--partner", "cal"], "ben", "only for pairs challenges"),
    (["submit", "pitch"], "mia", "is a manager"),
])
def test_bad_writes_are_refused_with_exit_1_one_line_and_no_change(submitted, args, as_, match):
    submitted.refused(*args, as_=as_, match=match)


def test_submissions_are_refused_once_the_challenge_closes_and_ratings_after_review(submitted, monkeypatch):
    monkeypatch.setenv("P2P_NOW", "2026-11-16T00:00:01Z")  # review period
    submitted.refused("submit", "pitch", "--link", "https://v.example/b", as_="ben", match="pitch is review")
    submitted("rate", "pitch", "ava", *scores(4), as_="ben")
    monkeypatch.setenv("P2P_NOW", "2026-11-19T00:00:00Z")
    submitted.refused("rate", "pitch", "ava", *scores(4), as_="cal", match="pitch is closed")


def test_submissions_are_refused_before_the_challenge_opens(p2p, monkeypatch):
    monkeypatch.setenv("P2P_NOW", "2026-11-08T23:59:59Z")
    p2p.refused("submit", "pitch", "--link", "https://v.example/a", as_="ava", match="pitch is upcoming")


def test_closing_a_challenge_refuses_further_writes(submitted):
    submitted("challenge", "close", "pitch")
    submitted.refused("rate", "pitch", "ava", *scores(4), as_="ben", match="pitch is closed")
    submitted.refused("submit", "pitch", "--link", "https://v.example/b", as_="ben", match="pitch is closed")


def test_inactive_people_cannot_submit(p2p):
    p2p("people", "add", "old", "--name", "Old", "--email", "old@example.com", "--role", "ae", "--team", "east",
        "--inactive")
    p2p.refused("submit", "pitch", "--link", "https://v.example/o", as_="old", match="inactive")


def test_json_errors_are_one_document_on_stdout(submitted):
    result = submitted("rate", "pitch", "ava", *scores(9), "--format", "json", as_="ben", expect=1)
    doc = json.loads(result.stdout)
    assert doc["error"]["code"] == "invalid" and "out of range" in doc["error"]["message"]
