"""Bad values anywhere — options, spec files, hand-edited store files, CRM rows — are
refused with one line naming the field, or reported by `p2p check`; never a crash."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import dedent, git, scores
from p2p.cli import cli


def check_output(p2p):
    result = CliRunner().invoke(cli, ["--store", str(p2p.root), "check"])
    assert "Traceback" not in result.output and result.exit_code in (0, 1)
    return result


@pytest.mark.parametrize("text, line, message", [
    ("id: zed\nname: Zed\nemail: zed@example.com\nrole: ae\nteam: east\nhired: 2026-02-30\n", None,
     "invalid value: day is out of range"),
    ("id: zed\nname: Zed\nemail: zed@example.com\nrole: ae\nteam: [[[[" + "[" * 5000 + "\n", None, "nested"),
    ("id: zed\nname: Zed\nemail: 'zed@x.io>'\nrole: ae\nteam: east\n", 3, "is not an e-mail address"),
    ("id: zed\nname: '<>'\nemail: zed@example.com\nrole: ae\nteam: east\n", 2, "must contain letters"),
    ("id: zed\nname: \"Zed\\e]0;pwned\\a\"\nemail: zed@example.com\nrole: ae\nteam: east\n", 2,
     "control character"),
])
def test_a_broken_hand_edited_person_is_reported_and_every_other_command_still_works(p2p, text, line, message):
    (p2p.root / "people" / "zed.yaml").write_text(text)
    git(p2p.root, "add", "people/zed.yaml")
    git(p2p.root, "commit", "-qm", "hand edit")
    result = check_output(p2p)
    assert result.exit_code == 1
    expected = f"people/zed.yaml:{line}: " if line else "people/zed.yaml"
    assert any(row.startswith(expected) and message in row for row in result.stdout.splitlines()), result.stdout
    assert "ava" in p2p("people", "list").stdout
    board = p2p("leaderboard", "pitch")
    assert "no submissions yet" in board.stdout


@pytest.mark.parametrize("change, match", [
    ("weight: 2", "weight: .inf"),
    ("      1: ", "      9: "),
])
def test_challenge_specs_with_impossible_values_are_refused(p2p, tmp_path, change, match):
    spec = (p2p.root / "challenges" / "pitch.yaml").read_text().replace(change, match, 1)
    (tmp_path / "pitch.yaml").write_text(spec)
    err = p2p.refused("challenge", "apply", str(tmp_path / "pitch.yaml"))
    assert "pitch.yaml" in err and ("finite number" in err or "not a score from 1 to 5" in err)


def test_dates_far_in_the_future_are_refused_not_crashing(p2p):
    p2p.refused("challenge", "new", "far", "--type", "pitch-battle", "--title", "Far", "--opens", "9999-12-31",
                "--closes", "9999-12-31", match="too far in the future")


def test_the_rubric_of_a_challenge_with_entries_cannot_change_under_them(p2p, tmp_path):
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    doc = (p2p.root / "challenges" / "pitch.yaml").read_text()
    (tmp_path / "pitch.yaml").write_text(doc.replace("id: proof", "id: evidence"))
    p2p.refused("challenge", "apply", str(tmp_path / "pitch.yaml"), match="already has entries")
    (tmp_path / "pitch.yaml").write_text(doc.replace("weight: 3", "weight: 4").replace("title: Pitch", "title: P"))
    assert "updated: challenge pitch" in p2p("challenge", "apply", str(tmp_path / "pitch.yaml")).stdout


@pytest.mark.parametrize("value", ["٤", "０4", "4_0", "1e0", "four", "-1", ""])
def test_scores_must_be_plain_ascii_numbers(p2p, value):
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    p2p.refused("rate", "pitch", "ava", "--score", f"opening={value}", *scores(4)[2:], as_="ben",
                match="must be a number")


def test_half_points_are_accepted(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    out = json.loads(p2p("rate", "pitch", "ava", *scores(4.5, 4, 4, 4), "--format", "json", as_="ben").stdout)
    assert out["entry"]["scores"]["opening"] == 4.5


@pytest.mark.parametrize("args, match", [
    (["--title", "T\x1b]0;pwned\x07"], "control character"),
    (["--title", "x" * 201], "at most 200"),
])
def test_titles_with_control_characters_or_overlong_are_refused(p2p, args, match):
    p2p.refused("challenge", "new", "x", "--type", "pitch-battle", "--opens", "2026-11-09", "--closes",
                "2026-11-15", *args, match=match)


def test_overlong_comments_name_the_option(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    p2p.refused("rate", "pitch", "ava", *scores(4), "--comment", "x" * 10_001, as_="ben", match="--comment:")


def test_multi_line_comments_are_kept(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    out = json.loads(p2p("rate", "pitch", "ava", *scores(4), "--comment", "line 1\n\tline 2", "--format", "json",
                         as_="ben").stdout)
    assert out["entry"]["comment"] == "line 1\n\tline 2"


def test_inactive_people_cannot_rate(p2p):
    p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava")
    p2p("people", "add", "ben", "--name", "Ben", "--email", "ben@example.com", "--role", "ae", "--team", "east",
        "--inactive", "--update")
    p2p.refused("rate", "pitch", "ava", *scores(4), as_="ben", match="inactive")


def test_check_flags_entries_written_outside_the_challenge_window(p2p, monkeypatch):
    out = json.loads(p2p("submit", "pitch", "--link", "https://v.example/a", "--format", "json", as_="ava").stdout)
    path = p2p.root / out["path"]
    path.write_text(path.read_text().replace("2026-11-10T12:00:00Z", "2026-12-24T12:00:00Z"))
    result = check_output(p2p)
    assert result.exit_code == 1 and "outside pitch's window" in result.stdout
    assert result.stdout.startswith(f"{out['path']}:5: submitted at 2026-12-24 12:00 UTC")


def test_one_p2p_format_setting_works_for_reads_and_writes(p2p, monkeypatch):
    monkeypatch.setenv("P2P_FORMAT", "csv")
    assert "recorded submission" in p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava").stdout
    assert p2p("people", "list").stdout.startswith("id,name,email")


def test_import_never_overwrites_someone_else_with_the_same_email_local_part(p2p, tmp_path):
    csv = tmp_path / "crm.csv"
    csv.write_text(dedent("""
        Full Name,Email,Role,Team,Active
        Ava Other,ava@other.io,sdr,west,true
        Ava Lee,AVA@example.com,ae,east,true
        Someone,ava@elsewhere.io,ae,east,false
    """))
    out = json.loads(p2p("people", "import", str(csv), "--format", "json").stdout)
    assert out["updated"] == ["ava"]  # matched by e-mail, whatever its case: name updated to Ava Lee
    assert [s["line"] for s in out["skipped"]] == [2, 4]
    assert "belongs to ava@example.com" in out["skipped"][0]["reason"]
    doc = json.loads(p2p("people", "show", "ava", "--format", "json").stdout)
    assert (doc["name"], doc["email"].lower(), doc["active"]) == ("Ava Lee", "ava@example.com", True)
