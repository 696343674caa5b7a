"""Hardening: CRM CSV files given to `p2p people import` and `p2p --as mia outcomes import`,
and the CSV that p2p exports.

An unusable file is refused with one `error:` line naming it, and nothing is written; a
bad row is skipped with its line and reason; nothing prints a traceback or exits 70.
Cells a spreadsheet would run as a formula (= + - @) never reach a CSV export as one.
tests/test_outcomes.py already covers most outcomes-import cases; these focus on people
import and exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result

from conftest import P2P, git, scores, store_state

SF15, SF18 = "005Dn000001AbCd", "005Dn000001AbCdIAY"  # one Salesforce user id, two spellings
FORMULAS = ('=HYPERLINK("http://evil.example","click")', "+1 555 0100", "-2+3", "@SUM(A1)")


@pytest.fixture
def roster(make_store: Callable[..., P2P]) -> P2P:
    """A store whose roster is the manager mia alone, and no challenge."""
    return make_store("roster", challenge=None, people={"mia": ("manager", "east")})


def csv_file(tmp_path: Path, data: bytes | str, name: str = "users.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def import_json(p2p: P2P, path: Path, *args: str) -> dict[str, Any]:
    return json.loads(p2p("people", "import", str(path), *args, "--format", "json").stdout)


def show(p2p: P2P, pid: str) -> dict[str, Any]:
    return json.loads(p2p("people", "show", pid, "--format", "json").stdout)


def ids(p2p: P2P) -> list[str]:
    return [p["id"] for p in json.loads(p2p("people", "list", "--format", "json").stdout)["people"]]


def head(p2p: P2P) -> str:
    return git(p2p.root, "rev-parse", "HEAD")


def csv_rows(result: Result) -> list[list[str]]:
    return list(csv.reader(io.StringIO(result.stdout)))


# -- encodings and delimiters --------------------------------------------------------------
def test_a_bom_before_an_email_first_header_with_crlf_rows_is_read(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, b"\xef\xbb\xbfEmail,Full Name,Role,Team\r\nzoe@example.com,Zoe Park,AE,east\r\n")
    out = import_json(roster, path)
    assert out["created"] == ["zoe"] and out["skipped"] == []
    zoe = show(roster, "zoe")
    assert (zoe["email"], zoe["name"], zoe["team"]) == ("zoe@example.com", "Zoe Park", "east")


def test_a_semicolon_delimited_export_keeps_commas_inside_cells(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Email;Full Name;Role;Team;Region\nzoe@example.com;Park, Zoe;Account Executive;east;"
                              "NA, East\n")
    assert import_json(roster, path)["created"] == ["zoe"]
    zoe = show(roster, "zoe")
    assert (zoe["name"], zoe["role"], zoe["region"]) == ("Park, Zoe", "ae", "NA, East")


def test_a_tab_delimited_export_keeps_commas_and_semicolons_inside_cells(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Email\tFull Name\tRole\tTeam\nzoe@example.com\tPark, Zoe; Jr.\tSDR\twest\n")
    assert import_json(roster, path)["created"] == ["zoe"]
    zoe = show(roster, "zoe")
    assert (zoe["name"], zoe["role"], zoe["team"]) == ("Park, Zoe; Jr.", "sdr", "west")


def test_a_latin_1_file_is_refused_naming_the_file_and_nothing_is_written(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, b"Full Name,Email,Role,Team\nZo\xeb Park,zoe@example.com,AE,east\n")
    error = roster.refused("people", "import", str(path), match="can't decode byte 0xeb")
    assert error.startswith(f"error: {path}: ") and "utf-8" in error


def test_an_excel_utf16_unicode_text_export_is_refused_naming_the_file(roster: P2P, tmp_path: Path) -> None:
    data = "Full Name\tEmail\tRole\tTeam\r\nZoë Park\tzoe@example.com\tAE\teast\r\n".encode("utf-16")
    error = roster.refused("people", "import", str(csv_file(tmp_path, data)), match="utf-8")
    assert error.startswith(f"error: {tmp_path / 'users.csv'}: ")


# -- Salesforce ids ------------------------------------------------------------------------
def test_15_and_18_character_salesforce_ids_are_kept_verbatim_as_crm_ids(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, f"Id,Full Name,Email,Role,Team\n{SF15},Zoe,zoe@example.com,AE,east\n"
                              f"{SF18},Yan,yan@example.com,AE,east\n")
    assert import_json(roster, path)["created"] == ["zoe", "yan"]
    assert (show(roster, "zoe")["crm_id"], show(roster, "yan")["crm_id"]) == (SF15, SF18)


def test_an_18_character_salesforce_id_matches_the_person_imported_with_its_15_character_form(
        roster: P2P, tmp_path: Path) -> None:
    import_json(roster, csv_file(tmp_path, f"Id,Full Name,Email,Role,Team\n{SF15},Zoe,zoe@example.com,AE,east\n"))
    out = import_json(roster, csv_file(tmp_path, f"Id,Full Name,Email,Role,Team\n"
                                                 f"{SF18},Zoe Park,zoe.park@example.com,AE,east\n", "again.csv"))
    assert (out["created"], out["updated"]) == ([], ["zoe"])
    assert ids(roster) == ["mia", "zoe"]


# -- duplicates and missing columns --------------------------------------------------------
def test_two_rows_with_one_email_are_refused_naming_the_file_and_second_line(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Full Name,Email,Role,Team\nZoe,zoe@example.com,AE,east\n"
                              "Zoe Two,ZOE@example.com,SDR,west\n")
    error = roster.refused("people", "import", str(path), match="is also on line 2")
    assert error.startswith(f"error: {path}:3: ")


def test_two_rows_with_one_email_but_different_p2p_ids_are_refused_naming_the_file_and_lines(
        roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "p2p_id,Full Name,Email,Role,Team\nzoe,Zoe,zoe@example.com,AE,east\n"
                              "zoe2,Zoe Two,ZOE@example.com,SDR,west\n")
    error = roster.refused("people", "import", str(path), match="is also on line 2")
    assert error.startswith(f"error: {path}:3: e-mail ZOE@example.com")


def test_a_file_without_an_email_column_is_refused_naming_the_column(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Full Name,Role,Team\nZoe,AE,east\n")
    roster.refused("people", "import", str(path), match="no e-mail column")


def test_a_file_without_a_name_column_is_refused_naming_the_choices(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Email,Role,Team\nzoe@example.com,AE,east\n")
    roster.refused("people", "import", str(path), match="no name column")


def test_an_empty_people_file_is_refused_as_empty(roster: P2P, tmp_path: Path) -> None:
    roster.refused("people", "import", str(csv_file(tmp_path, b"")), match="the file is empty")


def test_a_header_only_people_file_changes_nothing_and_makes_no_commit(roster: P2P, tmp_path: Path) -> None:
    before = head(roster)
    out = import_json(roster, csv_file(tmp_path, "Full Name,Email,Role,Team\n"))
    assert (out["created"], out["updated"], out["commit"]) == ([], [], None) and head(roster) == before


def test_formula_cells_in_a_people_import_are_reported(roster: P2P, tmp_path: Path) -> None:
    rows = "".join(f'"{name.replace(chr(34), chr(34) * 2)}",p{i}@example.com,AE,east\n'
                   for i, name in enumerate(FORMULAS))
    out = import_json(roster, csv_file(tmp_path, "Full Name,Email,Role,Team\n" + rows))
    reported = {item["line"] for item in out["skipped"] + out["notes"]
                if "formula" in (item.get("reason") or item.get("note") or "")}
    assert reported == {2, 3, 4, 5}, out


def test_people_list_csv_neutralises_every_text_cell_starting_with_a_formula_character(p2p: P2P) -> None:
    p2p("people", "add", "zed", "--name", FORMULAS[0], "--email", "=zed@example.com", "--role", "ae",
        "--team", "west", "--region", FORMULAS[1])
    p2p("people", "add", "yan", "--name=-Yan", "--email", "yan@example.com", "--role", "ae", "--team", "west",
        "--region", FORMULAS[3])
    rows = {row[0]: row for row in csv_rows(p2p("people", "list", "--format", "csv"))}
    assert rows["id"][:6] == ["id", "name", "email", "role", "team", "region"]
    assert rows["zed"][1:3] + rows["zed"][5:6] == ["'" + FORMULAS[0], "'=zed@example.com", "'" + FORMULAS[1]]
    assert rows["yan"][1] == "'-Yan" and rows["yan"][5] == "'" + FORMULAS[3]
    assert json.loads(p2p("people", "show", "zed", "--format", "json").stdout)["name"] == FORMULAS[0]


def test_leaderboard_csv_neutralises_a_submitters_name_starting_with_equals(p2p: P2P) -> None:
    p2p("people", "add", "zed", "--name", FORMULAS[0], "--email", "zed@example.com", "--role", "ae", "--team", "west")
    p2p("submit", "pitch", "--link", "https://v.example/zed", as_="zed")
    p2p("rate", "pitch", "zed", *scores(4), as_="ava")
    rows = csv_rows(p2p("leaderboard", "pitch", "--format", "csv"))
    assert rows[0][:3] == ["rank", "person", "name"]
    assert [row[1:3] for row in rows[1:]] == [["zed", "'" + FORMULAS[0]]]


# -- long and odd cells --------------------------------------------------------------------
def test_a_100_kb_name_cell_skips_the_row_naming_the_field_and_limit(roster: P2P, tmp_path: Path) -> None:
    before = store_state(roster.root)
    path = csv_file(tmp_path, "Full Name,Email,Role,Team\n" + "Z" * 102_400 + ",zoe@example.com,AE,east\n")
    out = import_json(roster, path)
    assert out["created"] == [] and out["skipped"] == [
        {"line": 2, "reason": "name is 102400 characters; at most 200 allowed"}]
    assert store_state(roster.root) == before


def test_a_100_kb_email_cell_skips_the_row_without_echoing_the_cell(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Full Name,Email,Role,Team\nZoe," + "z" * 102_400 + "@example.com,AE,east\n"
                              "Yan,yan@example.com,AE,east\n")
    result = roster("people", "import", str(path))
    assert result.stdout.splitlines()[-1] == "1 created, 0 updated, 0 unchanged, 1 skipped"
    assert result.stderr == "skipped: line 2: email is 102412 characters; at most 254 allowed\n"
    assert ids(roster) == ["mia", "yan"]


def test_a_100_kb_cell_in_an_ignored_column_does_not_stop_the_row(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Full Name,Email,Role,Team,Notes\nZoe,zoe@example.com,AE,east," + "n" * 102_400 + "\n")
    assert import_json(roster, path)["created"] == ["zoe"]
    assert "n" * 100 not in (roster.root / "people" / "zoe.yaml").read_text()


def test_a_100_kb_team_cell_becomes_a_valid_id_of_at_most_63_characters(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Full Name,Email,Role,Team\nZoe,zoe@example.com,AE," + "t" * 102_400 + "\n")
    assert import_json(roster, path)["created"] == ["zoe"]
    assert show(roster, "zoe")["team"] == "t" * 63
    assert roster("check").stdout.endswith("no problems\n")


def test_a_cell_over_the_csv_field_limit_is_refused_naming_the_file(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Full Name,Email,Role,Team,Notes\nZoe,zoe@example.com,AE,east," + "n" * 204_800 + "\n")
    error = roster.refused("people", "import", str(path), match="field larger than field limit")
    assert error.startswith(f"error: {path}: ")


def test_a_nul_byte_in_a_name_cell_skips_the_row_naming_the_control_character(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, b"Full Name,Email,Role,Team\nZo\x00e,zoe@example.com,AE,east\n")
    out = import_json(roster, path)
    assert out["created"] == [] and out["skipped"] == [
        {"line": 2, "reason": "name contains the control character '\\x00'"}]


# -- outcomes import (cases tests/test_outcomes.py does not cover) --------------------------
def test_an_outcomes_cell_over_the_csv_field_limit_is_refused_naming_the_file(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Owner Email,Fiscal Period,Win Rate,Notes\nmia@example.com,2026-10,30%,"
                              + "n" * 204_800 + "\n", "results.csv")
    error = roster.refused("outcomes", "import", str(path), as_="mia", match="field larger than field limit")
    assert error.startswith("error: results.csv: ")


def test_a_tab_delimited_outcomes_report_is_read(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Owner Email\tFiscal Period\tWin Rate\tAverage Deal Size\n"
                              "mia@example.com\t2026-10\t34%\t$12,500\n", "results.csv")
    out = json.loads(roster("outcomes", "import", str(path), "--format", "json", as_="mia").stdout)
    assert out["skipped"] == [] and out["commit"] == head(roster)
    assert out["record"]["rows"] == [{"person": "mia", "period": "2026-10", "win_rate": 0.34, "deal_size": 12500}]


def test_a_header_only_outcomes_report_records_nothing_and_makes_no_commit(roster: P2P, tmp_path: Path) -> None:
    before = store_state(roster.root)
    path = csv_file(tmp_path, "Owner Email,Fiscal Period,Win Rate\r\n", "results.csv")
    out = json.loads(roster("outcomes", "import", str(path), "--format", "json", as_="mia").stdout)
    assert (out["imported"], out["commit"], out["note"], out["skipped"]) == (0, None, "no row could be imported", [])
    assert store_state(roster.root) == before
