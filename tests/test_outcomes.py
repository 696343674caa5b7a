"""`p2p outcomes import`: CRM results per person and period, through the CLI against
real git stores."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import P2P, git
from p2p.store import yamlio

SALESFORCE = ("Opportunity Owner ID", "Owner Email", "Fiscal Period", "Win Rate", "Closed Won", "Average Deal Size")
SHORT = ("Owner Email", "Fiscal Period", "Win Rate")
SF15, SF18 = "005Dn000001AbCd", "005Dn000001AbCdIAY"  # one Salesforce user id, two spellings


@pytest.fixture
def store(make_store: Callable[..., P2P]) -> P2P:
    return make_store(challenge=None)


def write_csv(tmp_path: Path, header: tuple[str, ...], *rows: tuple[str, ...], delimiter: str = ",",
              bom: bool = False, name: str = "results.csv") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode())
    return path


def import_json(store: P2P, path: Path) -> dict[str, Any]:
    result = store("outcomes", "import", str(path), "--format", "json", as_="mia")
    return json.loads(result.stdout)


def committed_rows(store: P2P) -> list[dict[str, Any]]:
    """Every outcome row in the store's records, oldest import first."""
    files = sorted((store.root / "records" / "outcomes" / "mia").glob("*.yaml"))
    return [row for f in files for row in yamlio.loads(f.read_bytes())["rows"]]


def head(store: P2P) -> str:
    return git(store.root, "rev-parse", "HEAD")


def add_zoe(store: P2P, tmp_path: Path, crm_id: str) -> None:
    people = write_csv(tmp_path, ("Id", "Full Name", "Email", "Role", "Team"),
                       (crm_id, "Zoe Park", "zoe@example.com", "Account Executive", "east"), name="users.csv")
    store("people", "import", str(people))
    assert json.loads(store("people", "show", "zoe", "--format", "json").stdout)["crm_id"] == crm_id


# -- reading CRM exports ---------------------------------------------------------------
def test_salesforce_headers_percent_currency_and_quarter_label_are_imported(store: P2P, tmp_path: Path) -> None:
    path = write_csv(tmp_path, SALESFORCE, ("", "ava@example.com", "Q4 2026", "34%", "7", "$12,500"))
    out = import_json(store, path)
    assert out["imported"] == 1 and out["skipped"] == [] and out["commit"] == head(store)
    assert out["path"].startswith("records/outcomes/mia/")
    assert git(store.root, "show", "--name-only", "--format=", "HEAD") == out["path"]
    assert committed_rows(store) == [{"person": "ava", "period": "2026-Q4", "win_rate": 0.34, "deals_won": 7,
                                      "deal_size": 12500}]
    stats = json.loads(store("stats", "--outcomes", "--format", "json").stdout)["outcomes"]
    assert {"group": "non_participants", "people": 1, "small_sample": True, "win_rate": 0.34, "deals_won": 7,
            "deal_size": 12500} in stats["compare"]


@pytest.mark.parametrize("roster_id, file_id", [(SF15, SF18), (SF18, SF15)], ids=["18-in-file", "15-in-file"])
def test_salesforce_id_matches_in_its_15_or_18_character_form(store: P2P, tmp_path: Path, roster_id: str,
                                                             file_id: str) -> None:
    add_zoe(store, tmp_path, roster_id)
    path = write_csv(tmp_path, ("Opportunity Owner ID", "Fiscal Period", "Win Rate"), (file_id, "2026-Q4", "40%"))
    assert import_json(store, path)["skipped"] == []
    assert committed_rows(store) == [{"person": "zoe", "period": "2026-Q4", "win_rate": 0.4}]


def test_a_byte_order_mark_and_semicolon_delimiter_are_read(store: P2P, tmp_path: Path) -> None:
    path = write_csv(tmp_path, SHORT + ("Average Deal Size",), ("ava@example.com", "2026-10", "0.5", "$12,500"),
                     delimiter=";", bom=True)
    assert import_json(store, path)["skipped"] == []
    assert committed_rows(store) == [{"person": "ava", "period": "2026-10", "win_rate": 0.5, "deal_size": 12500}]


def test_unknown_people_are_skipped_with_line_numbers_and_known_rows_imported(store: P2P, tmp_path: Path) -> None:
    path = write_csv(tmp_path, SHORT + ("Note",), ("ava@example.com", "2026-10", "30%", "a note\non two lines"),
                     ("nobody@example.com", "2026-10", "40%", ""), ("ben@example.com", "2026-10", "50%", ""),
                     ("", "2026-10", "60%", ""))
    out = import_json(store, path)
    assert out["imported"] == 2  # line numbers are the file's lines: the quoted note spans lines 2-3
    assert out["skipped"] == [{"line": 4, "reason": "nobody@example.com is not in people/"},
                              {"line": 6, "reason": "an empty cell is not in people/"}]
    assert [r["person"] for r in committed_rows(store)] == ["ava", "ben"]


def test_reimporting_the_same_file_makes_no_commit_and_reports_rows_unchanged(store: P2P, tmp_path: Path) -> None:
    path = write_csv(tmp_path, SHORT, ("ava@example.com", "2026-10", "30%"), ("ben@example.com", "2026-10", "50%"))
    import_json(store, path)
    before = head(store)
    out = import_json(store, path)
    assert head(store) == before and git(store.root, "status", "--porcelain") == ""
    assert (out["imported"], out["unchanged"], out["commit"], out["record"]) == (0, 2, None, None)
    text = store("outcomes", "import", str(path), as_="mia").stdout
    assert text == "imported 0 rows, 2 unchanged, 0 skipped\n" and head(store) == before


def test_changing_one_value_reimports_only_that_row(store: P2P, tmp_path: Path) -> None:
    import_json(store, write_csv(tmp_path, SHORT, ("ava@example.com", "2026-10", "30%"),
                                 ("ben@example.com", "2026-10", "50%")))
    before = head(store)
    out = import_json(store, write_csv(tmp_path, SHORT, ("ava@example.com", "2026-10", "30%"),
                                       ("ben@example.com", "2026-10", "55%")))
    assert (out["imported"], out["unchanged"]) == (1, 1)
    assert git(store.root, "rev-parse", "HEAD~1") == before
    assert out["record"]["rows"] == [{"person": "ben", "period": "2026-10", "win_rate": 0.55}]


@pytest.mark.parametrize("formula", ['=HYPERLINK("x")', "+1+1", "@SUM(A1)", "-1+2"])
def test_a_formula_cell_is_skipped_never_evaluated(store: P2P, tmp_path: Path, formula: str) -> None:
    path = write_csv(tmp_path, SHORT, ("ava@example.com", "2026-10", formula), ("ben@example.com", "2026-10", "50%"))
    out = import_json(store, path)
    assert [s["line"] for s in out["skipped"]] == [2] and "formula" in out["skipped"][0]["reason"]
    assert committed_rows(store) == [{"person": "ben", "period": "2026-10", "win_rate": 0.5}]


@pytest.mark.parametrize("win_rate", ["150%", "101", "100.5%"])
def test_a_win_rate_over_100_percent_is_skipped(store: P2P, tmp_path: Path, win_rate: str) -> None:
    path = write_csv(tmp_path, SHORT, ("ava@example.com", "2026-10", win_rate), ("ben@example.com", "2026-10", "100%"))
    out = import_json(store, path)
    assert out["skipped"] == [{"line": 2, "reason": f"win rate {win_rate!r} is over 100%"}]
    assert committed_rows(store) == [{"person": "ben", "period": "2026-10", "win_rate": 1}]


def test_json_output_is_exactly_one_document_on_stdout(store: P2P, tmp_path: Path) -> None:
    path = write_csv(tmp_path, SHORT, ("ava@example.com", "2026-10", "30%"), ("nobody@example.com", "2026-10", "1"))
    result = store("outcomes", "import", str(path), "--format", "json", as_="mia")
    doc, end = json.JSONDecoder().raw_decode(result.stdout)
    assert result.stdout[end:] == "\n" and result.stderr == ""
    assert set(doc) == {"record", "path", "commit", "note", "imported", "unchanged", "skipped"}


# -- refused files -------------------------------------------------------------------------
@pytest.mark.parametrize("content, problem", [
    (b"Fiscal Period,Win Rate\r\n2026-10,30%\r\n", "no column says who"),
    (b"Owner Email,Win Rate\r\nava@example.com,30%\r\n", "no period column"),
    (b"Owner Email,Fiscal Period,Stage\r\nava@example.com,2026-10,Won\r\n", "no result column"),
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf", "the file is empty"),
    (b"Owner Email,Fiscal Period,Win Rate\r\nren\xe9@example.com,2026-10,30%\r\n", "utf-8"),
], ids=["no-who", "no-period", "no-result", "empty", "only-bom", "not-utf8"])
def test_an_unusable_file_is_refused_with_one_error_line(store: P2P, tmp_path: Path, content: bytes,
                                                         problem: str) -> None:
    path = tmp_path / "results.csv"
    path.write_bytes(content)
    error = store.refused("outcomes", "import", str(path), as_="mia", match=problem)
    assert error.startswith("error: results.csv: ")


def test_a_missing_file_is_refused_naming_it(store: P2P, tmp_path: Path) -> None:
    error = store.refused("outcomes", "import", str(tmp_path / "nope.csv"), as_="mia", match="cannot read")
    assert "nope.csv" in error and "no such file" in error.lower()


def test_a_row_without_results_is_skipped_so_it_cannot_erase_recorded_results(p2p, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("Email,Period,Win Rate\nava@example.com,2026-10,30%\n")
    p2p("outcomes", "import", str(first), as_="mia")
    blank = tmp_path / "blank.csv"
    blank.write_text("Email,Period,Win Rate,Deals Won\nava@example.com,2026-10,,\n")
    head = git(p2p.root, "rev-parse", "HEAD")
    out = json.loads(p2p("outcomes", "import", str(blank), "--format", "json", as_="mia").stdout)
    assert out["skipped"] == [{"line": 2, "reason": "no results: Win Rate, Deals Won and Average Deal Size are all empty"}]
    assert out["note"] == "no row could be imported" and git(p2p.root, "rev-parse", "HEAD") == head


def test_european_numbers_read_as_meant(p2p, tmp_path):
    data = tmp_path / "eu.csv"
    data.write_text("Email;Period;Win Rate;Average Deal Size\nava@example.com;2026-10;34,5%;12.500,00 €\n",
                    encoding="utf-8")
    out = json.loads(p2p("outcomes", "import", str(data), "--format", "json", as_="mia").stdout)
    assert out["record"]["rows"] == [{"person": "ava", "period": "2026-10", "win_rate": 0.345, "deal_size": 12500}]
