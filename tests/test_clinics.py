"""Deal clinics: open, suggest, pick (an action item), close with an outcome; points
and knowledge sharing for suggestions that helped; the weekly call's due list."""

from __future__ import annotations

import json

from conftest import git


def rid(result) -> str:
    return json.loads(result.stdout)["record"]["id"]


def clinic_with_suggestions(p2p):
    clinic = rid(p2p("clinic", "open", "Acme renewal", "--notes", "Legal wants a new DPA", "--follow-up", "2026-11-20",
                     "--format", "json", as_="ava"))
    ben = rid(p2p("clinic", "suggest", clinic, "Offer our standard DPA", "--format", "json", as_="ben"))
    cal = rid(p2p("clinic", "suggest", clinic, "Escalate to their CFO", "--format", "json", as_="cal"))
    return clinic, ben, cal


def test_the_life_cycle_picked_suggestions_that_helped_earn_points_and_count_as_sharing(p2p):
    clinic, ben, cal = clinic_with_suggestions(p2p)
    picked = json.loads(p2p("clinic", "pick", clinic, ben, "--format", "json", as_="ava").stdout)["record"]
    assert (picked["kind"], picked["person"], picked["text"], picked["due"]) == ("action", "ava", "Offer our standard DPA",
                                                                                  "2026-11-20")
    assert git(p2p.root, "log", "-1", "--format=%an") == "Ava"
    items = json.loads(p2p("action", "list", "--format", "json").stdout)["actions"]
    assert [(a["person"], a["state"]) for a in items] == [("ava", "open")]
    p2p("clinic", "close", clinic, "--outcome", "won", "--notes", "Signed", as_="ava")
    rows = {r["person"]: r for r in json.loads(p2p("leaderboard", "--format", "json").stdout)["rows"]}
    assert rows["ben"]["clinics"] == 3 and "cal" not in rows  # cal's suggestion was not picked
    sharing = {r["person"]: r for r in json.loads(p2p("stats", "--format", "json").stdout)["sharing"]["people"]}
    assert (sharing["ben"]["clinic_suggestions"], sharing["ben"]["clinic_helped"]) == (1, 1)
    assert (sharing["cal"]["clinic_suggestions"], sharing["cal"]["clinic_helped"]) == (1, 0)
    board = json.loads(p2p("clinic", "list", "--all", "--format", "json").stdout)["clinics"]
    assert [(c["state"], c["outcome"], [s["helped"] for s in c["suggestions"]]) for c in board] == [
        ("closed", "won", [True, False])]


def test_a_lost_deal_earns_no_points_and_repeats_write_nothing(p2p):
    clinic, ben, _ = clinic_with_suggestions(p2p)
    p2p("clinic", "pick", clinic, ben, as_="ava")
    head = git(p2p.root, "rev-parse", "HEAD")
    assert "already picked" in p2p("clinic", "pick", clinic, ben, as_="ava").stdout
    p2p("clinic", "close", clinic, "--outcome", "lost", as_="ava")
    assert "already closed as lost" in p2p("clinic", "close", clinic, "--outcome", "lost", as_="ava").stdout
    assert git(p2p.root, "rev-list", "--count", f"{head}..HEAD") == "1"
    assert json.loads(p2p("leaderboard", "--format", "json").stdout)["rows"] == []


def test_open_clinics_past_their_follow_up_are_due_for_the_weekly_call(p2p, monkeypatch):
    clinic, _, _ = clinic_with_suggestions(p2p)
    assert "no clinic is due" in p2p("clinic", "list", "--due").stdout
    monkeypatch.setenv("P2P_NOW", "2026-11-21T09:00:00Z")
    due = json.loads(p2p("clinic", "list", "--due", "--format", "json").stdout)["clinics"]
    assert [(c["id"], c["state"], len(c["suggestions"])) for c in due] == [(clinic, "due", 2)]


def test_only_the_rep_picks_and_closes_and_peers_suggest(p2p):
    clinic, ben, _ = clinic_with_suggestions(p2p)
    p2p.refused("clinic", "suggest", clinic, "Try harder", as_="ava", match="suggestions come from peers")
    p2p.refused("clinic", "pick", clinic, ben, as_="ben", match="only ava, who opened clinic")
    p2p.refused("clinic", "close", clinic, "--outcome", "won", as_="ben", match="only ava")
    p2p.refused("clinic", "pick", clinic, "01M72N8MG0DT7R6J0P5VQRC5KX", as_="ava", match="is not one of clinic")
    p2p.refused("clinic", "suggest", "01M72N8MG0DT7R6J0P5VQRC5KX", "x", as_="ben", match="does not exist")
    p2p.refused("clinic", "open", "  ", as_="ava", match="TITLE is empty")
    p2p.refused("clinic", "open", "Deal", "--follow-up", "2026-11-01", as_="ava", match="in the past")
    p2p.refused("clinic", "close", clinic, "--outcome", "maybe", as_="ava", expect=2, match="--outcome")
    p2p("clinic", "close", clinic, "--outcome", "moved", as_="ava")
    p2p.refused("clinic", "suggest", clinic, "Late idea", as_="cal", match="is closed")
    p2p.refused("clinic", "close", clinic, "--outcome", "won", as_="ava", match="was closed as moved")


def test_the_clinic_board_page(p2p, tmp_path):
    clinic, ben, _ = clinic_with_suggestions(p2p)
    p2p("clinic", "pick", clinic, ben, as_="ava")
    p2p("clinic", "close", clinic, "--outcome", "won", "--notes", "Signed", as_="ava")
    p2p("publish", str(tmp_path / "wiki"))
    page = (tmp_path / "wiki" / "Clinics.md").read_text()
    assert "## Acme renewal" in page and "**won**: Signed" in page
    assert "| Offer our standard DPA | Ben | ✓ helped |" in page and "| Escalate to their CFO | Cal | – |" in page
