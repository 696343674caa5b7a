"""Hardening: hand-edited YAML committed to a store.

Each test writes one file the way a careless or hostile edit would, commits it with
plain git, then runs `p2p check` (must exit 1 naming the path, and the line where
there is one) and read commands (every other file must still load). Nothing may
print a traceback, exit 70, hang, crash or run code. Values YAML 1.1 would misread
must either be kept as the text the user meant or refused, and p2p must write them
back quoted."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import P2P, ROOT, git, scores
from p2p.cli import cli

PERSON = "id: zed\nname: Zed\nemail: zed@example.com\nrole: ae\nteam: east\n"  # team is on line 5
ZED = "people/zed.yaml"
ROSTER = ["ava", "ben", "cal", "dia", "eli", "mia"]
LEFT_OUT = "store files have problems and were left out; run `p2p check`"
ANY_LINE = -1


# -- helpers -------------------------------------------------------------------------------
def commit_file(p2p: P2P, rel: str, data: bytes | str) -> Path:
    """Write a file into the store and commit it with plain git, as a hand edit would."""
    path = p2p.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    git(p2p.root, "add", rel)
    git(p2p.root, "-c", "user.name=X", "-c", "user.email=x@example.com", "commit", "-qm", f"hand edit {rel}")
    return path


def check(p2p: P2P, *args: str) -> Result:
    result = p2p.runner.invoke(cli, ["--store", str(p2p.root), "check", *args])
    assert "Traceback" not in result.output, result.output
    return result


def assert_reported(p2p: P2P, rel: str, line: int | None, fragment: str) -> str:
    """`p2p check` exits 1 and prints `rel:line: ...fragment...` (`rel: ...` when line is None,
    either form when it is ANY_LINE)."""
    result = check(p2p)
    assert result.exit_code == 1, result.output
    prefixes = (f"{rel}:", f"{rel}: ") if line == ANY_LINE else (f"{rel}:{line}: " if line else f"{rel}: ",)
    matching = [row for row in result.stdout.splitlines() if row.startswith(prefixes) and fragment in row]
    assert matching, result.stdout
    assert result.stderr.strip().endswith(("1 problem", "problems")), result.stderr
    return matching[0]


def assert_clean(p2p: P2P) -> None:
    result = check(p2p)
    assert result.exit_code == 0 and result.stdout.endswith("no problems\n"), result.output


def people_ids(p2p: P2P) -> list[str]:
    return [p["id"] for p in json.loads(p2p("people", "list", "--format", "json").stdout)["people"]]


def assert_others_still_load(p2p: P2P) -> None:
    """The broken file is left out; the roster and the challenge still read, with a warning."""
    assert people_ids(p2p) == ROSTER
    board = p2p("leaderboard", "pitch")
    assert "no submissions yet" in board.stdout
    assert LEFT_OUT in board.stderr


def person(**changes: str) -> str:
    """PERSON with some `key: value` lines replaced (or appended when new)."""
    lines = PERSON.splitlines()
    for key, value in changes.items():
        for i, line in enumerate(lines):
            if line.startswith(f"{key}:"):
                lines[i] = f"{key}: {value}"
                break
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"


def show(p2p: P2P, pid: str) -> dict[str, Any]:
    return json.loads(p2p("people", "show", pid, "--format", "json").stdout)


def submit_and_rate(p2p: P2P) -> tuple[str, str]:
    sub = json.loads(p2p("submit", "pitch", "--link", "https://v.example/ava", "--format", "json", as_="ava").stdout)
    rating = json.loads(p2p("rate", "pitch", "ava", *scores(4), "--format", "json", as_="ben").stdout)
    return sub["path"], rating["path"]


def board_rows(p2p: P2P) -> list[dict[str, Any]]:
    return json.loads(p2p("leaderboard", "pitch", "--format", "json").stdout)["rows"]


def run_isolated(root: Path, *args: str, timeout: float = 4.0) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the CLI in a child process (1 GiB of memory, `timeout` seconds): for inputs that
    could exhaust memory, hang or crash the interpreter, which must not take pytest down."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(root), *args], capture_output=True,
                              text=True, timeout=timeout, preexec_fn=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"p2p {' '.join(args)} was still running after {timeout} s")
    return proc, time.perf_counter() - started


def alias_bomb(levels: int = 9) -> list[str]:
    """`&a [lol x9]`, `&b [*a x9]`, ...: 9**levels strings once expanded, a few hundred bytes written."""
    items = ['&l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        items.append(f"&l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return items


# -- code execution tags -------------------------------------------------------------------
def test_a_python_object_tag_in_a_person_file_is_refused_naming_the_file_and_line(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(name="!!python/object:os.system {}"))
    assert_reported(p2p, ZED, 2, "invalid YAML: could not determine a constructor for the tag "
                                 "'tag:yaml.org,2002:python/object:os.system'")
    assert_others_still_load(p2p)


def test_a_python_object_apply_tag_is_never_executed_by_check_or_reads(p2p: P2P, tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    commit_file(p2p, ZED, person(name=f'!!python/object/apply:os.system ["touch {sentinel}"]'))
    assert_reported(p2p, ZED, 2, "python/object/apply:os.system")
    assert_others_still_load(p2p)
    p2p("people", "list", "--at", "HEAD")
    assert not sentinel.exists()


def test_a_python_tag_in_p2p_yaml_is_reported_and_reads_still_work(p2p: P2P) -> None:
    lines = (p2p.root / "p2p.yaml").read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("name: "))
    lines[number] = "name: !!python/object/apply:os.getcwd []"
    commit_file(p2p, "p2p.yaml", "\n".join(lines) + "\n")
    assert_reported(p2p, "p2p.yaml", number + 1, "python/object/apply:os.getcwd")
    assert_others_still_load(p2p)


def test_a_python_tag_in_a_challenge_spec_is_refused_by_apply_and_nothing_is_written(p2p: P2P, tmp_path: Path) -> None:
    spec = (p2p.root / "challenges" / "pitch.yaml").read_text()
    spec = spec.replace("title: Pitch", "title: !!python/name:os.system")
    line = spec.splitlines().index("title: !!python/name:os.system") + 1
    (tmp_path / "spec.yaml").write_text(spec)
    error = p2p.refused("challenge", "apply", str(tmp_path / "spec.yaml"), match="python/name:os.system")
    assert error.startswith(f"error: {tmp_path / 'spec.yaml'}:{line}: invalid YAML: ")


def test_an_unknown_local_tag_is_refused_naming_the_line(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(name="!shout Zed"))
    assert_reported(p2p, ZED, 2, "could not determine a constructor for the tag '!shout'")
    assert_others_still_load(p2p)


def test_a_binary_tag_where_text_is_meant_is_refused_as_not_text(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(name="!!binary WmVk"))
    assert_reported(p2p, ZED, 2, "name must be text, not bytes b'Zed'; quote it")


def test_an_explicit_str_tag_keeps_a_yaml_1_1_word_as_the_text_written(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(team="!!str no"))
    assert_clean(p2p)
    assert show(p2p, "zed")["team"] == "no"


# -- alias bombs ---------------------------------------------------------------------------
def test_a_nine_level_alias_bomb_in_a_person_field_is_refused_in_well_under_a_second(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(name="[" + ", ".join(alias_bomb(9)) + "]"))
    proc, elapsed = run_isolated(p2p.root, "check")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-500:]
    assert proc.stdout.startswith(f"{ZED}:2: name must be text"), proc.stdout[:300]
    assert len(proc.stdout) < 2000, "the error message must not hold the expanded document"
    assert elapsed < 2, f"{elapsed:.1f} s"


def test_a_nine_level_alias_bomb_under_unknown_keys_is_refused_quickly_without_expansion(p2p: P2P) -> None:
    bomb = "".join(f"x{i}: {item}\n" for i, item in enumerate(alias_bomb(9)))
    commit_file(p2p, ZED, PERSON + bomb)
    proc, elapsed = run_isolated(p2p.root, "check")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(f"{ZED}:6: unknown field 'x0' in a person; allowed: "), proc.stdout[:300]
    assert elapsed < 2, f"{elapsed:.1f} s"
    proc, elapsed = run_isolated(p2p.root, "people", "list", "--format", "json")
    assert proc.returncode == 0 and elapsed < 2
    assert [p["id"] for p in json.loads(proc.stdout)["people"]] == ROSTER


# -- size and depth limits -----------------------------------------------------------------
def test_a_ten_megabyte_file_is_refused_by_the_size_limit_and_every_other_file_loads(p2p: P2P) -> None:
    data = (PERSON + "# " + "x" * (10 * 1024 * 1024) + "\n").encode()
    commit_file(p2p, ZED, data)
    assert_reported(p2p, ZED, None, f"file is {len(data)} bytes, over the 262144-byte limit for store files")
    assert_others_still_load(p2p)


def test_ten_thousand_nested_flow_mappings_in_an_entry_are_refused_by_the_depth_limit(p2p: P2P) -> None:
    sub = json.loads(p2p("submit", "pitch", "--link", "https://v.example/ava", "--format", "json", as_="ava").stdout)
    path = p2p.root / sub["path"]
    text = path.read_text().replace("link: https://v.example/ava", "link: " + "{a: " * 10_000 + "1" + "}" * 10_000)
    commit_file(p2p, sub["path"], text)
    assert_reported(p2p, sub["path"], None, "nested 10000 levels deep; store files nest at most 64")
    assert board_rows(p2p) == []
    assert LEFT_OUT in p2p("leaderboard", "pitch").stderr


def test_ten_thousand_nested_complex_keys_are_refused_without_a_recursion_error(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.replace("team: east\n", "team:\n " + "? " * 10_000 + "x\n"))
    row = assert_reported(p2p, ZED, ANY_LINE, "nest")  # refused before parsing, by the depth bound
    assert "64" in row
    assert_others_still_load(p2p)


def test_ten_thousand_nested_block_sequences_are_refused_by_the_depth_limit(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.replace("team: east\n", "team:\n" + "- " * 10_000 + "east\n"))
    row = assert_reported(p2p, ZED, ANY_LINE, "nest")
    assert "64" in row
    assert_others_still_load(p2p)


def test_a_hundred_thousand_nested_block_sequences_do_not_crash_the_interpreter(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.replace("team: east\n", "team:\n" + "- " * 100_000 + "east\n"))
    proc, _ = run_isolated(p2p.root, "check")
    assert proc.returncode == 1, f"exit {proc.returncode}: {proc.stderr[-300:]}"
    assert proc.stdout.startswith(f"{ZED}"), proc.stdout[:300]


# -- duplicate keys ------------------------------------------------------------------------
def test_a_duplicate_top_level_key_in_a_person_is_refused_with_both_line_numbers(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON + "team: west\n")
    assert_reported(p2p, ZED, 6, "duplicate key 'team' (first on line 5)")
    assert_others_still_load(p2p)


def test_a_duplicate_key_in_p2p_yaml_is_refused_with_both_line_numbers(p2p: P2P) -> None:
    text = (p2p.root / "p2p.yaml").read_text()
    first = text.splitlines().index("timezone: UTC") + 1
    text += "timezone: Europe/Berlin\n"
    commit_file(p2p, "p2p.yaml", text)
    assert_reported(p2p, "p2p.yaml", len(text.splitlines()), f"duplicate key 'timezone' (first on line {first})")
    assert_others_still_load(p2p)


def test_keys_spelled_differently_that_yaml_reads_as_one_value_are_a_duplicate(p2p: P2P) -> None:
    text = (p2p.root / "challenges" / "pitch.yaml").read_text()
    lines = text.splitlines()
    level = next(i for i, line in enumerate(lines) if line.startswith("      1: "))
    lines.insert(level, "      0x1: A level written in hex, which YAML 1.1 reads as the number 1.")
    commit_file(p2p, "challenges/pitch.yaml", "\n".join(lines) + "\n")
    assert_reported(p2p, "challenges/pitch.yaml", level + 2, f"duplicate key 1 (first on line {level + 1})")
    assert people_ids(p2p) == ROSTER


def test_a_merge_key_cannot_override_a_field_and_is_refused_naming_its_line(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON + "<<: {team: west}\n")
    assert_reported(p2p, ZED, 6, "tag:yaml.org,2002:merge")
    assert_others_still_load(p2p)


def test_an_unhashable_mapping_key_is_refused_naming_the_file_not_crashing(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON + "? [a, b]\n: x\n")
    assert_reported(p2p, ZED, None, "unhashable")
    assert_others_still_load(p2p)


# -- YAML 1.1 traps: refused when hand-written unquoted, kept when quoted -------------------
def test_an_unquoted_team_no_is_refused_as_not_an_id_naming_the_field_and_line(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(team="no"))
    assert_reported(p2p, ZED, 5, "team False is not a valid id")
    assert_others_still_load(p2p)


def test_an_unquoted_region_on_is_refused_asking_to_quote_it(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(region="on"))
    assert_reported(p2p, ZED, 6, "region must be text, not true/false True; quote it")


def test_an_unquoted_crm_id_0123_is_refused_not_silently_read_as_octal_83(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(crm_id="0123"))
    assert_reported(p2p, ZED, 6, "crm_id must be text, not int 83; quote it")


def test_an_unquoted_region_1_10_is_refused_not_silently_read_as_sexagesimal_70(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(region="1:10"))
    assert_reported(p2p, ZED, 6, "region must be text, not int 70; quote it")


def test_an_unquoted_date_as_a_persons_name_is_refused_asking_to_quote_it(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(name="2026-01-01"))
    assert_reported(p2p, ZED, 2, "name must be text, not date datetime.date(2026, 1, 1); quote it")
    assert_others_still_load(p2p)


def test_quoted_yaml_1_1_words_are_kept_as_the_text_the_user_meant(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(name="'2026-01-01'", team="'no'", region="'1:10'", crm_id="'0123'"))
    assert_clean(p2p)
    zed = show(p2p, "zed")
    assert (zed["name"], zed["team"], zed["region"], zed["crm_id"]) == ("2026-01-01", "no", "1:10", "0123")


def test_a_sexagesimal_score_in_a_rating_is_refused_as_out_of_scale_with_its_line(p2p: P2P) -> None:
    _, rating = submit_and_rate(p2p)
    text = (p2p.root / rating).read_text()
    commit_file(p2p, rating, text.replace("  opening: 4\n", "  opening: 4:00\n"))
    assert_reported(p2p, rating, 11, "score opening=240 is outside the scale 1 to 5")


def test_people_add_writes_yaml_1_1_words_quoted_and_they_read_back_as_text(p2p: P2P) -> None:
    p2p("people", "add", "zed", "--name", "2026-01-01", "--email", "zed@example.com", "--role", "ae",
        "--team", "no", "--region", "1:10")
    text = (p2p.root / ZED).read_text()
    for line in ("name: '2026-01-01'", "team: 'no'", "region: '1:10'"):
        assert line in text.splitlines(), text
    zed = show(p2p, "zed")
    assert (zed["name"], zed["team"], zed["region"]) == ("2026-01-01", "no", "1:10")
    assert_clean(p2p)


def test_people_add_update_rewrites_a_person_with_yaml_1_1_words_quoted(p2p: P2P) -> None:
    p2p("people", "add", "ava", "--name", "0123", "--email", "ava@example.com", "--role", "ae", "--team", "on",
        "--region", "off", "--update")
    text = (p2p.root / "people" / "ava.yaml").read_text()
    for line in ("name: '0123'", "team: 'on'", "region: 'off'"):
        assert line in text.splitlines(), text
    ava = show(p2p, "ava")
    assert (ava["name"], ava["team"], ava["region"]) == ("0123", "on", "off")
    assert_clean(p2p)


def test_re_adding_a_person_whose_hand_written_team_no_was_refused_writes_it_quoted(p2p: P2P) -> None:
    commit_file(p2p, ZED, person(team="no"))
    assert_reported(p2p, ZED, 5, "team False")
    p2p("people", "add", "zed", "--name", "Zed", "--email", "zed@example.com", "--role", "ae", "--team", "no")
    assert "team: 'no'" in (p2p.root / ZED).read_text().splitlines()
    assert_clean(p2p)
    assert show(p2p, "zed")["team"] == "no"


def test_people_import_writes_yaml_1_1_cells_quoted(p2p: P2P, tmp_path: Path) -> None:
    csv = tmp_path / "users.csv"
    csv.write_text("Id,Full Name,Email,Role,Team,Region\n0123,1:10,yan@example.com,AE,yes,null\n")
    p2p("people", "import", str(csv))
    lines = (p2p.root / "people" / "yan.yaml").read_text().splitlines()
    for line in ("name: '1:10'", "team: 'yes'", "region: 'null'", "crm_id: '0123'"):
        assert line in lines, lines
    yan = show(p2p, "yan")
    assert (yan["name"], yan["team"], yan["region"], yan["crm_id"]) == ("1:10", "yes", "null", "0123")
    assert_clean(p2p)


# -- encodings and line endings ------------------------------------------------------------
def test_a_person_file_with_a_byte_order_mark_loads_and_is_rewritten_without_it(p2p: P2P) -> None:
    commit_file(p2p, ZED, b"\xef\xbb\xbf" + PERSON.encode())
    assert_clean(p2p)
    assert show(p2p, "zed")["id"] == "zed"
    p2p("people", "add", "zed", "--name", "Zed Two", "--email", "zed@example.com", "--role", "ae", "--team", "east",
        "--update")
    modeline = b"# yaml-language-server: $schema=../.p2p/schemas/person.json\n"
    assert (p2p.root / ZED).read_bytes().startswith(modeline + b"# A person")


def test_a_person_file_with_crlf_line_endings_loads_with_no_carriage_returns_in_values(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.replace("\n", "\r\n").encode())
    assert_clean(p2p)
    zed = show(p2p, "zed")
    assert (zed["name"], zed["email"], zed["team"]) == ("Zed", "zed@example.com", "east")
    assert people_ids(p2p) == sorted(ROSTER + ["zed"])


def test_a_rating_saved_with_a_bom_and_crlf_still_counts_on_the_leaderboard(p2p: P2P) -> None:
    _, rating = submit_and_rate(p2p)
    text = (p2p.root / rating).read_bytes()
    commit_file(p2p, rating, b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"))
    assert_clean(p2p)
    [row] = board_rows(p2p)
    assert (row["person"], row["ratings"]) == ("ava", 1)


def test_a_person_file_with_old_mac_cr_line_endings_loads(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.replace("\n", "\r").encode())
    assert_clean(p2p)
    assert show(p2p, "zed")["team"] == "east"


def test_a_tab_indenting_a_top_level_key_is_refused_naming_its_line(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.replace("team: east", "\tteam: east"))
    assert_reported(p2p, ZED, 5, "invalid YAML: found a tab character that violates indentation")
    assert_others_still_load(p2p)


def test_tabs_indenting_a_ratings_scores_are_refused_and_the_submission_still_ranks(p2p: P2P) -> None:
    _, rating = submit_and_rate(p2p)
    text = (p2p.root / rating).read_text()
    commit_file(p2p, rating, text.replace("\n  ", "\n\t"))
    assert_reported(p2p, rating, 11, "invalid YAML: found character that cannot start any token")
    [row] = board_rows(p2p)
    assert (row["person"], row["ratings"]) == ("ava", 0)
    assert LEFT_OUT in p2p("leaderboard", "pitch").stderr


def test_a_tab_after_a_colon_is_ordinary_separation_and_loads(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.replace("name: Zed", "name:\tZed"))
    assert_clean(p2p)
    assert show(p2p, "zed")["name"] == "Zed"


def test_latin_1_bytes_are_refused_as_not_utf8_naming_the_file_and_byte(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.encode().replace(b"name: Zed", b"name: Zo\xeb"))
    assert_reported(p2p, ZED, None, "not UTF-8 text (byte 16)")
    assert_others_still_load(p2p)


def test_a_utf16_file_is_refused_as_not_utf8(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.encode("utf-16"))
    assert_reported(p2p, ZED, None, "not UTF-8 text (byte 0)")
    assert_others_still_load(p2p)


def test_a_unicode_next_line_character_in_a_name_is_refused_naming_the_file(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON.replace("name: Zed", "name: Ze\u0085d").encode())
    row = assert_reported(p2p, ZED, ANY_LINE, "")
    assert "invalid YAML" in row or "control character" in row, row
    assert_others_still_load(p2p)


# -- documents: many, none, or not a mapping -----------------------------------------------
def test_a_second_document_is_refused_at_the_line_of_its_separator(p2p: P2P) -> None:
    commit_file(p2p, ZED, PERSON + "---\n" + PERSON.replace("Zed", "Zoe"))
    assert_reported(p2p, ZED, 6, "invalid YAML: but found another document")
    assert_others_still_load(p2p)


def test_two_documents_each_opened_with_dashes_are_refused_at_the_second(p2p: P2P) -> None:
    commit_file(p2p, ZED, "---\n" + PERSON + "---\n" + PERSON)
    assert_reported(p2p, ZED, 7, "another document")
    assert_others_still_load(p2p)


def test_one_document_with_explicit_start_and_end_markers_loads(p2p: P2P) -> None:
    commit_file(p2p, ZED, "---\n" + PERSON + "...\n")
    assert_clean(p2p)
    assert show(p2p, "zed")["email"] == "zed@example.com"


def test_an_empty_person_file_is_reported_as_not_a_mapping(p2p: P2P) -> None:
    commit_file(p2p, ZED, b"")
    assert_reported(p2p, ZED, None, "person must be a mapping of keys to values, not nothing")
    assert_others_still_load(p2p)


def test_a_top_level_list_is_reported_as_not_a_mapping(p2p: P2P) -> None:
    commit_file(p2p, ZED, "- id: zed\n- name: Zed\n")
    assert_reported(p2p, ZED, None, "person must be a mapping of keys to values, not a list")
    assert_others_still_load(p2p)
