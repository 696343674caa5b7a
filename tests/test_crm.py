"""p2p.crm is pure: CSV bytes in, person documents and skipped rows out. No git here."""

from __future__ import annotations

import pytest

from p2p import crm
from p2p.settings import DEFAULT_ROLES as ROLES


# -- header mapping ------------------------------------------------------------------
def test_salesforce_api_name_headers_map_to_columns() -> None:
    headers = ["Id", "FirstName", "LastName", "Email", "UserRole", "IsActive", "Manager Email", "HireDate"]
    assert crm.map_headers(headers) == {
        "crm_id": 0, "first": 1, "last": 2, "email": 3, "role": 4, "active": 5, "manager": 6, "hired": 7}


def test_label_headers_map_to_columns() -> None:
    assert crm.map_headers(["Full Name", "Email", "Role", "Active"]) == {"name": 0, "email": 1, "role": 2, "active": 3}


def test_header_match_ignores_case_spaces_underscores_dots_and_dashes() -> None:
    headers = ["  E-MAIL ", "full_name", "User.Role", "Team Name", "p2p_id"]
    assert crm.map_headers(headers) == {"email": 0, "name": 1, "role": 2, "team": 3, "p2p_id": 4}


def test_unknown_headers_are_ignored() -> None:
    assert crm.map_headers(["Email", "Phone", "Favourite Colour"]) == {"email": 0}


def test_preferred_spelling_wins_when_two_headers_map_to_one_column() -> None:
    # "role" is listed before "title", so Role is used even though Title comes first
    assert crm.map_headers(["Title", "Email", "Role"])["role"] == 2


# -- role mapping --------------------------------------------------------------------
@pytest.mark.parametrize("label, role", [
    ("ae", "ae"), ("SDR", "sdr"), ("Manager", "manager"),
    ("Account Executive", "ae"), ("Enterprise AE", "ae"), ("Sales Development Rep", "sdr"), ("BDR", "sdr"),
    ("Sales Manager", "manager"), ("VP Sales", "manager"), ("Solutions Engineer", "se"), ("Presales", "se"),
    ("Renewals Specialist", "csm"),
])
def test_crm_role_labels_map_to_p2p_roles(label: str, role: str) -> None:
    assert crm.role_of(label, ROLES) == role


@pytest.mark.parametrize("label, role", [("Customer Success Manager", "csm"), ("Account Manager", "am")])
def test_manager_titles_of_other_roles_map_to_those_roles(label: str, role: str) -> None:
    assert crm.role_of(label, ROLES) == role


@pytest.mark.parametrize("label", ["Marketing", "seller", "Aerospace Liaison", ""])
def test_unmappable_role_label_gives_none(label: str) -> None:
    assert crm.role_of(label, ROLES) is None  # "seller"/"Aerospace" contain se/ae but not as words


def test_role_mapping_only_returns_roles_the_store_defines() -> None:
    assert crm.role_of("SDR", ("ae", "manager")) is None
    assert crm.role_of("Account Executive", ("ae", "manager")) == "ae"


# -- parse_people --------------------------------------------------------------------
def test_parse_api_name_export_builds_full_person_docs() -> None:
    data = (b"Id,FirstName,LastName,Email,UserRole,Team,Region,Manager Email,HireDate,IsActive\n"
            b"005A,Ava,Lee,ava.lee@example.com,Account Executive,East Coast,NA East,mia@example.com,03/04/2025,true\n")
    parsed = crm.parse_people(data, ROLES)
    assert parsed.skipped == [] and parsed.inactive == []
    assert [doc for _, doc in parsed.people] == [{
        "id": "ava-lee", "name": "Ava Lee", "email": "ava.lee@example.com", "role": "ae", "team": "east-coast",
        "region": "NA East", "crm_id": "005A", "hired": "2025-03-04", "manager": "mia@example.com"}]


def test_parse_label_export_with_full_name() -> None:
    data = b"Full Name,Email,Role,Active\nBen Okafor,ben@example.com,SDR,Yes\n"
    parsed = crm.parse_people(data, ROLES, default_team="east")
    assert [doc for _, doc in parsed.people] == [{"id": "ben", "name": "Ben Okafor", "email": "ben@example.com", "role": "sdr",
                              "team": "east"}]


def test_parse_strips_utf8_bom_from_first_header() -> None:
    data = b"\xef\xbb\xbfEmail,Name,Role\nzoe@example.com,Zo\xc3\xab,ae\n"
    assert crm.parse_people(data, ROLES, default_team="east").people[0][1]["name"] == "Zoë"


@pytest.mark.parametrize("delimiter", [b";", b"\t"])
def test_parse_semicolon_and_tab_delimited(delimiter: bytes) -> None:
    data = delimiter.join([b"Email", b"Name", b"Role", b"Team"]) + b"\n" + \
        delimiter.join([b"cal@example.com", b"Cal, Jr.", b"SDR", b"west"]) + b"\n"
    assert [doc for _, doc in crm.parse_people(data, ROLES).people] == [
        {"id": "cal", "name": "Cal, Jr.", "email": "cal@example.com", "role": "sdr", "team": "west"}]


def test_id_is_slugified_email_local_part() -> None:
    data = b"Email,Name\nAva.Lee@x.com,Ava\nsean_o'brien@x.com,Sean\n"
    ids = [d["id"] for _, d in crm.parse_people(data, ROLES, "east", "ae").people]
    assert ids == ["ava-lee", "sean-o-brien"]


def test_p2p_id_column_overrides_email_local_part() -> None:
    data = b"p2p_id,Email,Name\nAva,ava.lee@x.com,Ava\n"
    assert crm.parse_people(data, ROLES, "east", "ae").people[0][1]["id"] == "ava"


def test_path_like_p2p_id_is_skipped_not_used() -> None:
    data = b"p2p_id,Email,Name\n../etc,ava@x.com,Ava\n"
    parsed = crm.parse_people(data, ROLES, "east", "ae")
    assert parsed.people == [] and parsed.skipped[0][0] == 2 and "p2p_id" in parsed.skipped[0][1]


def test_skipped_rows_carry_their_line_number_and_reason() -> None:
    data = (b"Email,Name,Role,Team\n"
            b"ava@x.com,Ava,AE,east\n"
            b",Ben,AE,east\n"             # line 3: no e-mail
            b"\n"                          # line 4: blank, ignored but counted
            b"cal@x.com,Cal,Marketing,east\n"  # line 5: unmappable role
            b"not-an-address,Dia,AE,east\n")   # line 6
    parsed = crm.parse_people(data, ROLES)
    assert [d["id"] for _, d in parsed.people] == ["ava"]
    assert [line for line, _ in parsed.skipped] == [3, 5, 6]
    assert parsed.skipped[0][1] == "no e-mail"
    assert "'Marketing' is not one of sdr, ae, se, am, csm, manager" in parsed.skipped[1][1]
    assert "not an address" in parsed.skipped[2][1]


def test_skipped_line_number_is_the_file_line_after_a_multiline_cell() -> None:
    data = b'Email,Name,Role,Team,Notes\nava@x.com,Ava,AE,east,"two\nlines"\n,Ben,AE,east,\n'
    assert crm.parse_people(data, ROLES).skipped == [(4, "no e-mail")]


def test_missing_team_or_role_is_skipped_without_defaults_and_filled_with_them() -> None:
    data = b"Email,Name\nava@x.com,Ava\n"
    assert crm.parse_people(data, ROLES).skipped == [(2, "no role (pass --role to set a default)")]
    assert crm.parse_people(data, ROLES, default_role="ae").skipped == [(2, "no team (pass --team to set a default)")]
    assert crm.parse_people(data, ROLES, "east", "ae").people[0][1] == {
        "id": "ava", "name": "Ava", "email": "ava@x.com", "role": "ae", "team": "east"}


@pytest.mark.parametrize("value", ["false", "FALSE", "0", "No", "Inactive", "deactivated"])
def test_inactive_rows_are_kept_apart_from_people(value: str) -> None:
    data = f"Email,Name,Role,Team,IsActive\nava@x.com,Ava,AE,east,{value}\nben@x.com,Ben,AE,east,true\n".encode()
    parsed = crm.parse_people(data, ROLES)
    assert [d["id"] for _, d in parsed.people] == ["ben"]
    assert [d["id"] for _, d in parsed.inactive] == ["ava"]


@pytest.mark.parametrize("text, iso", [("2025-03-04", "2025-03-04"), ("03/04/2025", "2025-03-04"),
                                       ("04.03.2025", "2025-03-04"), ("2025-03-04T09:00:00.000+0000", "2025-03-04")])
def test_hire_dates_are_normalised_to_iso(text: str, iso: str) -> None:
    data = f"Email,Name,Hire Date\nava@x.com,Ava,{text}\n".encode()
    assert crm.parse_people(data, ROLES, "east", "ae").people[0][1]["hired"] == iso


def test_unreadable_hire_date_skips_the_row() -> None:
    parsed = crm.parse_people(b"Email,Name,Hired\nava@x.com,Ava,soon\n", ROLES, "east", "ae")
    assert parsed.people == [] and parsed.skipped[0][0] == 2 and "'soon' is not a date" in parsed.skipped[0][1]


def test_file_without_email_column_is_an_error_naming_the_headers() -> None:
    with pytest.raises(ValueError, match="no e-mail column among the headers Name, Phone"):
        crm.parse_people(b"Name,Phone\nAva,555\n", ROLES)


def test_file_without_name_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="no name column"):
        crm.parse_people(b"Email,Role\nava@x.com,ae\n", ROLES)


def test_empty_file_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        crm.parse_people(b"", ROLES)
