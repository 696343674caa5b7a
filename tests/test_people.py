"""`p2p people add|list|show|import` against real git stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result

from conftest import P2P, git, store_state

ID_RULE = "lowercase letters, digits and '-'"
ADD_AVA = ("people", "add", "ava", "--name", "Ava", "--email", "ava@example.com", "--role", "ae", "--team", "east")


def commits(p2p: P2P) -> int:
    return int(git(p2p.root, "rev-list", "--count", "HEAD"))


def as_json(result: Result) -> dict:
    return json.loads(result.stdout)


def csv_file(tmp_path: Path, data: bytes, name: str = "users.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.fixture
def roster(make_store: Callable[..., P2P]) -> P2P:
    """A store with one person, the manager mia, and no challenge."""
    return make_store("roster", challenge=None, people={"mia": ("manager", "east")})


# -- add -----------------------------------------------------------------------------
def test_add_writes_one_file_in_one_commit_as_the_local_git_identity(p2p: P2P) -> None:
    before = commits(p2p)
    p2p("people", "add", "zoe", "--name", "Zoë Park", "--email", "zoe@example.com", "--role", "se", "--team", "west",
        "--region", "EMEA", "--manager", "mia", "--hired", "2026-09-01")
    assert commits(p2p) == before + 1
    assert git(p2p.root, "log", "-1", "--format=%cn <%ce>") == "Sales Ops <ops@example.com>"
    assert git(p2p.root, "log", "-1", "--format=%an <%ae>") == "Sales Ops <ops@example.com>"
    assert git(p2p.root, "show", "--name-only", "--format=", "HEAD") == "people/zoe.yaml"
    assert as_json(p2p("people", "show", "zoe", "--format", "json")) == {
        "id": "zoe", "name": "Zoë Park", "email": "zoe@example.com", "role": "se", "team": "west",
        "region": "EMEA", "manager": "mia", "hired": "2026-09-01", "active": True, "crm_id": None}


def test_add_json_reports_created_and_the_commit(p2p: P2P) -> None:
    out = as_json(p2p("people", "add", "zoe", "--name", "Zoe", "--email", "zoe@example.com", "--role", "ae",
                      "--team", "east", "--format", "json"))
    assert out == {"created": ["zoe"], "updated": [], "unchanged": [], "skipped": [],
                   "commit": git(p2p.root, "rev-parse", "HEAD"), "dry_run": False, "notes": []}


def test_add_same_person_again_is_unchanged_and_makes_no_commit(p2p: P2P) -> None:
    before = store_state(p2p.root)
    assert "unchanged: person ava" in p2p(*ADD_AVA).stdout
    assert as_json(p2p(*ADD_AVA, "--format", "json"))["unchanged"] == ["ava"]
    assert store_state(p2p.root) == before


def test_add_other_details_without_update_is_refused(p2p: P2P) -> None:
    p2p.refused("people", "add", "ava", "--name", "Ava Lee", "--email", "ava@example.com", "--role", "ae",
                "--team", "east", match="pass --update")


def test_add_with_update_changes_the_person_in_one_commit(p2p: P2P) -> None:
    before = commits(p2p)
    out = as_json(p2p("people", "add", "ava", "--name", "Ava Lee", "--email", "ava@example.com", "--role", "ae",
                      "--team", "west", "--update", "--format", "json"))
    assert out["updated"] == ["ava"] and out["commit"] == git(p2p.root, "rev-parse", "HEAD")
    assert commits(p2p) == before + 1
    assert as_json(p2p("people", "show", "ava", "--format", "json"))["team"] == "west"


def test_the_roster_table_shows_an_inactive_person_as_inactive(p2p: P2P) -> None:
    """tabulate 0.10 printed "False" as True in any column it wrapped, and every column was wrapped."""
    p2p("people", "add", "zoe", "--name", "Zoe", "--email", "zoe@example.com", "--role", "ae", "--team", "east",
        "--inactive")
    [row] = [line.split() for line in p2p("people", "list").stdout.splitlines() if line.startswith("zoe ")]
    assert row[-1] == "False"


def test_add_inactive_flag_stores_active_false(p2p: P2P) -> None:
    p2p("people", "add", "old", "--name", "Old", "--email", "old@example.com", "--role", "ae", "--team", "east",
        "--inactive")
    assert as_json(p2p("people", "show", "old", "--format", "json"))["active"] is False


@pytest.mark.parametrize("email", ["ava@example.com", "AVA@Example.com"])
def test_add_with_an_email_that_belongs_to_someone_else_is_refused(p2p: P2P, email: str) -> None:
    p2p.refused("people", "add", "zoe", "--name", "Zoe", "--email", email, "--role", "ae", "--team", "east",
                match="already belongs to ava")


@pytest.mark.parametrize("bad_id", ["../x", "Ava", "a/b", "", "a_b", "a" * 64])
def test_add_with_a_path_like_or_invalid_id_is_refused_naming_the_rule(p2p: P2P, bad_id: str) -> None:
    p2p.refused("people", "add", bad_id, "--name", "X", "--email", "x@example.com", "--role", "ae", "--team", "east",
                match=ID_RULE)


def test_add_accepts_an_id_of_63_characters(p2p: P2P) -> None:
    p2p("people", "add", "a" * 63, "--name", "X", "--email", "x@example.com", "--role", "ae", "--team", "east")
    assert (p2p.root / "people" / f"{'a' * 63}.yaml").is_file()


def test_add_unknown_role_is_refused_naming_the_allowed_roles(p2p: P2P) -> None:
    p2p.refused("people", "add", "zoe", "--name", "Zoe", "--email", "zoe@example.com", "--role", "rep",
                "--team", "east", match="'rep' is not one of sdr, ae, se, am, csm, manager")


def test_add_unknown_manager_is_refused(p2p: P2P) -> None:
    p2p.refused("people", "add", "zoe", "--name", "Zoe", "--email", "zoe@example.com", "--role", "ae",
                "--team", "east", "--manager", "zed", match="manager 'zed'")


# -- list / show ---------------------------------------------------------------------
def test_list_json_has_every_field_of_every_person_sorted_by_id(p2p: P2P) -> None:
    people = as_json(p2p("people", "list", "--format", "json"))["people"]
    assert [p["id"] for p in people] == ["ava", "ben", "cal", "dia", "eli", "mia"]
    assert people[0] == {"id": "ava", "name": "Ava", "email": "ava@example.com", "role": "ae", "team": "east",
                         "region": None, "manager": None, "hired": None, "active": True, "crm_id": None}


def test_list_filters_by_team_and_role(p2p: P2P) -> None:
    def ids(*opts: str) -> list[str]:
        return [p["id"] for p in as_json(p2p("people", "list", *opts, "--format", "json"))["people"]]
    assert ids("--team", "west") == ["dia", "eli"]
    assert ids("--role", "sdr") == ["cal", "dia"]
    assert ids("--team", "east", "--role", "ae") == ["ava", "ben"]


def test_list_as_csv_markdown_and_table(p2p: P2P) -> None:
    csv_lines = p2p("people", "list", "--team", "west", "--format", "csv").stdout.splitlines()
    assert csv_lines == ["id,name,email,role,team,region,manager,hired,active",
                         "dia,Dia,dia@example.com,sdr,west,,,,True", "eli,Eli,eli@example.com,ae,west,,,,True"]
    markdown = p2p("people", "list", "--role", "manager", "--format", "markdown").stdout.splitlines()
    assert markdown[0].startswith("| id ") and markdown[2].startswith("| mia ")
    table = p2p("people", "list", "--role", "manager").stdout.splitlines()
    assert table[0].split() == ["id", "name", "email", "role", "team", "region", "manager", "hired", "active"]
    assert table[2].split()[:3] == ["mia", "Mia", "mia@example.com"]


def test_show_table_lists_the_persons_fields(p2p: P2P) -> None:
    assert "email:" in p2p("people", "show", "ava").stdout and "ava@example.com" in p2p("people", "show", "ava").stdout


def test_show_unknown_id_is_refused(p2p: P2P) -> None:
    p2p.refused("people", "show", "zed", match="'zed' is not in people/")


# -- import --------------------------------------------------------------------------
SALESFORCE = (b"Id,FirstName,LastName,Email,UserRole,Team,Manager Email,HireDate,IsActive\n"
              b"005A,Ava,Lee,ava.lee@example.com,Account Executive,East,mia@example.com,2025-03-03,true\n"
              b"005B,Ben,Okafor,ben@example.com,SDR,East,ava.lee@example.com,2026-08-04,true\n"
              b"005C,Cal,Ruiz,,SDR,East,mia@example.com,2026-08-04,true\n"
              b"005D,Dia,Patel,dia@example.com,Marketing,East,,,true\n")


def test_import_api_name_headers_lands_everyone_in_one_commit(roster: P2P, tmp_path: Path) -> None:
    before = commits(roster)
    out = as_json(roster("people", "import", csv_file(tmp_path, SALESFORCE), "--format", "json"))
    assert commits(roster) == before + 1 and out["commit"] == git(roster.root, "rev-parse", "HEAD")
    assert git(roster.root, "log", "-1", "--format=%cn <%ce>") == "Sales Ops <ops@example.com>"
    assert git(roster.root, "show", "--name-only", "--format=", "HEAD").split() == ["people/ava-lee.yaml",
                                                                                     "people/ben.yaml"]
    assert out["created"] == ["ava-lee", "ben"] and out["dry_run"] is False
    assert as_json(roster("people", "show", "ava-lee", "--format", "json")) == {
        "id": "ava-lee", "name": "Ava Lee", "email": "ava.lee@example.com", "role": "ae", "team": "east",
        "region": None, "manager": "mia", "hired": "2025-03-03", "active": True, "crm_id": "005A"}


def test_import_resolves_manager_email_to_a_person_id_from_the_same_file(roster: P2P, tmp_path: Path) -> None:
    roster("people", "import", csv_file(tmp_path, SALESFORCE))
    assert as_json(roster("people", "show", "ben", "--format", "json"))["manager"] == "ava-lee"


def test_import_reports_skipped_rows_with_line_numbers(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, SALESFORCE)
    text = roster("people", "import", path, "--dry-run")
    assert "skipped: line 4: no e-mail" in text.stderr
    assert "skipped: line 5: role 'Marketing' is not one of" in text.stderr
    assert "skipped" not in text.stdout.replace("2 skipped", "")
    out = as_json(roster("people", "import", path, "--format", "json"))
    assert out["skipped"] == [{"line": 4, "reason": "no e-mail"}, {"line": 5, "reason": (
        "role 'Marketing' is not one of sdr, ae, se, am, csm, manager (pass --role to import such rows as one role)")}]


def test_reimporting_the_same_file_makes_no_commit(roster: P2P, tmp_path: Path) -> None:
    path = csv_file(tmp_path, SALESFORCE)
    roster("people", "import", path)
    before = store_state(roster.root)
    assert "0 created, 0 updated, 2 unchanged" in roster("people", "import", path).stdout
    assert as_json(roster("people", "import", path, "--format", "json"))["commit"] is None
    assert store_state(roster.root) == before


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbfFull Name;Email;Role;Active\nZo\xc3\xab Park;zoe@example.com;SE;Yes\n",  # BOM and ';'
    b"Full Name,Email,Role,Active\nZo\xc3\xab Park,zoe@example.com,SE,Yes\n",  # no BOM and ','
])
def test_import_label_headers_with_and_without_bom_and_either_delimiter(roster: P2P, tmp_path: Path,
                                                                       data: bytes) -> None:
    roster("people", "import", csv_file(tmp_path, data), "--team", "west")
    assert as_json(roster("people", "show", "zoe", "--format", "json")) == {
        "id": "zoe", "name": "Zoë Park", "email": "zoe@example.com", "role": "se", "team": "west",
        "region": None, "manager": None, "hired": None, "active": True, "crm_id": None}


def test_import_role_option_fills_rows_without_a_role_column(roster: P2P, tmp_path: Path) -> None:
    roster("people", "import", csv_file(tmp_path, b"Name,Email\nZoe,zoe@example.com\n"), "--team", "west",
           "--role", "csm")
    assert as_json(roster("people", "show", "zoe", "--format", "json"))["role"] == "csm"


def test_inactive_row_deactivates_a_person_already_in_the_roster(p2p: P2P, tmp_path: Path) -> None:
    before = commits(p2p)
    data = b"Full Name,Email,Role,Active\nAva,ava@example.com,AE,false\n"
    out = as_json(p2p("people", "import", csv_file(tmp_path, data), "--team", "east", "--format", "json"))
    assert out["updated"] == ["ava"] and commits(p2p) == before + 1
    assert as_json(p2p("people", "show", "ava", "--format", "json"))["active"] is False


def test_inactive_row_deactivates_a_known_person_even_without_role_or_team(p2p: P2P, tmp_path: Path) -> None:
    p2p("people", "import", csv_file(tmp_path, b"Email,Full Name,Active\nava@example.com,Ava,false\n"))
    assert as_json(p2p("people", "show", "ava", "--format", "json"))["active"] is False


def test_inactive_row_for_an_unknown_person_is_not_added(roster: P2P, tmp_path: Path) -> None:
    before = store_state(roster.root)
    data = b"Full Name,Email,Role,Active\nOlga,olga@example.com,AE,false\n"
    out = as_json(roster("people", "import", csv_file(tmp_path, data), "--team", "east", "--format", "json"))
    assert out["created"] == [] and out["commit"] is None
    assert store_state(roster.root) == before
    roster.refused("people", "show", "olga", match="not in people/")


def test_import_dry_run_reports_but_writes_nothing(roster: P2P, tmp_path: Path) -> None:
    before = store_state(roster.root)
    result = roster("people", "import", csv_file(tmp_path, SALESFORCE), "--dry-run")
    assert "created (dry run): person ava-lee" in result.stdout and "nothing written" in result.stdout
    out = as_json(roster("people", "import", csv_file(tmp_path, SALESFORCE), "--dry-run", "--format", "json"))
    assert out["created"] == ["ava-lee", "ben"] and out["commit"] is None and out["dry_run"] is True
    assert store_state(roster.root) == before


def test_import_file_without_an_email_column_is_refused(roster: P2P, tmp_path: Path) -> None:
    roster.refused("people", "import", csv_file(tmp_path, b"Name,Phone\nAva,555\n"), "--team", "east",
                   "--role", "ae", match="no e-mail column")


def test_import_id_is_the_slugified_email_local_part_unless_p2p_id_is_given(roster: P2P, tmp_path: Path) -> None:
    data = b"p2p_id,Name,Email\n,Ava Lee,Ava.Lee@example.com\nbenji,Ben,ben.o@example.com\n"
    out = as_json(roster("people", "import", csv_file(tmp_path, data), "--team", "east", "--role", "ae",
                         "--format", "json"))
    assert out["created"] == ["ava-lee", "benji"]
    assert sorted(p.name for p in (roster.root / "people").glob("*.yaml")) == ["ava-lee.yaml", "benji.yaml", "mia.yaml"]
