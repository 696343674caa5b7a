"""Action items, activity logs and mentor matching through the CLI: one commit per
record, authored by whoever acted; refusals change nothing; repeats write nothing."""

from __future__ import annotations

import json

from conftest import git, scores


def records(root, kind):
    return sorted((root / "records" / kind).rglob("*.yaml")) if (root / "records" / kind).exists() else []


def test_an_action_item_is_one_commit_by_whoever_added_it(p2p):
    out = json.loads(p2p("action", "add", "ava", "Lead with the customer's KPI", "--due", "2026-11-20",
                         "--challenge", "pitch", "--format", "json", as_="mia").stdout)
    assert out["path"] == f"records/action/mia/{out['record']['id']}.yaml"
    assert git(p2p.root, "log", "-1", "--format=%an <%ae>") == "Mia <mia@example.com>"
    assert out["record"]["person"] == "ava" and out["record"]["due"] == "2026-11-20"
    listed = json.loads(p2p("action", "list", "--format", "json").stdout)["actions"]
    assert [(a["person"], a["state"]) for a in listed] == [("ava", "open")]


def test_an_overdue_item_is_listed_until_it_is_done_and_done_twice_writes_nothing(p2p, monkeypatch):
    item = json.loads(p2p("action", "add", "ben", "Send the recap", "--due", "2026-11-09", "--format", "json",
                          as_="ben").stdout)["record"]["id"]
    assert "overdue" in p2p("action", "list", "--overdue").stdout
    p2p.refused("action", "done", item, as_="mia", match="only ben or ben's manager")  # mia manages nobody here
    p2p("action", "done", item, as_="ben")
    head = git(p2p.root, "rev-parse", "HEAD")
    assert "already done" in p2p("action", "done", item, as_="ben").stdout
    assert git(p2p.root, "rev-parse", "HEAD") == head
    assert "no overdue" in p2p("action", "list", "--overdue").stdout
    assert json.loads(p2p("action", "list", "--all", "--format", "json").stdout)["actions"][0]["state"] == "done"


def test_only_the_person_the_author_or_their_manager_closes_an_item(make_store):
    p2p = make_store(people={"mia": ("manager", "east"), "ava": ("ae", "east"), "ben": ("ae", "east"),
                             "cal": ("sdr", "east")})
    git(p2p.root, "config", "user.email", "nobody@example.com")
    p2p("people", "add", "ava", "--name", "Ava", "--email", "ava@example.com", "--role", "ae", "--team", "east",
        "--manager", "mia", "--update")
    item = json.loads(p2p("action", "add", "ava", "Practise the close", "--format", "json",
                          as_="ben").stdout)["record"]["id"]
    p2p.refused("action", "done", item, as_="cal", match="only ava, who added it (ben), or ava's manager")
    p2p("action", "done", item, as_="mia")


def test_bad_action_input_is_refused_in_one_line_naming_the_value(p2p):
    p2p.refused("action", "add", "zed", "Do it", as_="mia", match="person 'zed'")
    p2p.refused("action", "add", "ava", "   ", as_="mia", match="TEXT is empty")
    p2p.refused("action", "add", "ava", "Do it", "--challenge", "nope", as_="mia", match="challenge 'nope'")
    p2p.refused("action", "add", "ava", "Do it", "--due", "2026-13-01", as_="mia", expect=2, match="--due")
    p2p.refused("action", "add", "ava", "x" * 2001, as_="mia", match="text")
    p2p.refused("action", "done", "01J000000000000000000000ZZ", as_="mia", match="does not exist")
    p2p.refused("action", "done", "not-an-id", as_="mia", match="not-an-id")


def test_activity_is_logged_per_week_replaced_by_a_later_log_and_unchanged_when_repeated(p2p):
    p2p("activity", "log", "--week", "2026-W45", "--calls", "40", "--meetings", "5", as_="ava")
    assert "unchanged" in p2p("activity", "log", "--week", "2026-W45", "--calls", "40", "--meetings", "5", as_="ava").stdout
    p2p("activity", "log", "--week", "2026-W45", "--calls", "44", as_="ava")
    assert len(records(p2p.root, "activity")) == 2
    doc = json.loads(p2p("stats", "--season", "all", "--table", "activity", "--format", "json").stdout)
    (row,) = doc["activity"]["people"]
    assert (row["weeks"], row["calls"], row["meetings"]) == (1, 44, None)  # the later log replaced the week
    p2p("activity", "log", "--calls", "10", as_="ben")  # this week: P2P_NOW is 2026-11-10
    (ben,) = (p2p.root / "records" / "activity" / "ben").glob("*.yaml")
    assert "week: 2026-W46" in ben.read_text()


def test_bad_activity_is_refused(p2p):
    p2p.refused("activity", "log", "--calls", "5", "--week", "2026-W60", as_="ava", match="ISO week")
    p2p.refused("activity", "log", "--calls", "5", "--week", "W45", as_="ava", match="ISO week")
    p2p.refused("activity", "log", "--calls", "-5", as_="ava", match="--calls")
    p2p.refused("activity", "log", "--calls", "nan", as_="ava", match="--calls")
    p2p.refused("activity", "log", as_="ava", match="--calls")


def _scored(p2p):
    """ava strong (5), ben and cal weak (2), dia middling (3.5) in the pitch battle's skills."""
    for person in ("ava", "ben", "cal", "dia"):
        p2p("submit", "pitch", "--link", f"https://v.example/{person}", as_=person)
    values = {"ava": 5, "ben": 2, "cal": 2, "dia": 3.5}
    for person, value in values.items():
        for rater in [r for r in ("ava", "ben", "cal", "dia", "eli") if r != person][:3]:
            p2p("rate", "pitch", person, *scores(value), as_=rater)


def test_match_pairs_the_weak_with_the_strong_records_them_and_never_repeats(p2p, monkeypatch):
    _scored(p2p)
    out = json.loads(p2p("match", "--skill", "pitching", "--seed", "3", "--capacity", "1", "--format", "json",
                         as_="mia").stdout)
    (result,) = out["matches"]
    assert [(p["mentor"], p["mentee"]) for p in result["pairs"]] == [("ava", "ben")] or \
        [(p["mentor"], p["mentee"]) for p in result["pairs"]] == [("ava", "cal")]
    assert len(result["unmatched"]) == 1  # one mentor with room for one
    assert git(p2p.root, "log", "-1", "--format=%an") == "Mia"
    again = json.loads(p2p("match", "--skill", "pitching", "--seed", "3", "--capacity", "1", "--format", "json",
                           as_="mia").stdout)["matches"][0]
    first_mentee = result["pairs"][0]["mentee"]
    assert [p["mentee"] for p in again["pairs"]] == [m for m in ("ben", "cal") if m != first_mentee]
    nothing = json.loads(p2p("match", "--skill", "pitching", "--capacity", "1", "--format", "json", as_="mia").stdout)
    assert nothing["matches"][0]["pairs"] == [] and nothing["matches"][0]["commit"] is None


def test_match_refuses_a_skill_without_scores(p2p):
    p2p.refused("match", "--skill", "juggling", as_="mia", expect=2, match="no scores")


def test_check_reports_a_broken_or_misplaced_record_and_stats_leave_it_out(p2p):
    out = json.loads(p2p("action", "add", "ava", "Quantify the ROI", "--format", "json", as_="mia").stdout)
    moved = p2p.root / "records" / "action" / "ben" / f"{out['record']['id']}.yaml"
    moved.parent.mkdir(parents=True)
    moved.write_text((p2p.root / out["path"]).read_text())
    broken = p2p.root / "records" / "activity" / "ava" / "01M72N8MG0DT7R6J0P5VQRC5KX.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("v: 1\nid: 01M72N8MG0DT7R6J0P5VQRC5KX\nkind: activity\nat: 2026-11-10T12:00:00Z\nby: ava\n"
                      "week: 2026-W99\ncounts: {calls: 3}\n")
    git(p2p.root, "add", "records")
    git(p2p.root, "commit", "-qm", "hand edits")
    from p2p.cli import cli

    result = p2p.runner.invoke(cli, ["--store", str(p2p.root), "check", "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert sorted((p["path"].split("/")[1], p["message"]) for p in problems) == [
        ("action", f"action {out['record']['id']} by mia belongs at {out['path']}"),
        ("activity", "week '2026-W99' must be an ISO week such as 2026-W47")]
    items = json.loads(p2p("action", "list", "--format", "json").stdout)["actions"]
    assert [a["id"] for a in items] == [out["record"]["id"]]  # once, from its right place
