"""`p2p check`: every problem in a store's files as `path:line: message`, exit 1 if any.

Stores are built with the real CLI, then corrupted by hand in the working tree (or
committed with plain git) the way a careless edit or a bad merge would."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from click.testing import Result

from conftest import P2P, dedent, git, scores
from p2p.cli import cli

SUB_ID, RATE_ID, GHOST_ID = (f"01M72N8MG0ZZZZZZZZZZZZZZZ{n}" for n in (1, 2, 3))  # hand-written entry ids
STRAY = ("not where p2p expects a file (store files are people/ID.yaml, challenges/SLUG.yaml, "
         "entries/SLUG/PERSON/ID.yaml)")

SUBMISSION = """
    v: 1
    id: {id}
    kind: submission
    at: '2026-11-10T12:00:00Z'
    by: {by}
    challenge: {challenge}
    link: https://x.example/{by}
"""
RATING = """
    v: 1
    id: {id}
    kind: rating
    at: '2026-11-10T12:00:00Z'
    by: {by}
    challenge: pitch
    submission: {sub}
    person: {person}
    scores:
      opening: 3
      value-proposition: 3
      {third}: 3
      call-to-action: 3
"""


def check(p2p: P2P, *args: str) -> Result:
    """Run `p2p check` directly: with problems it exits 1 with a summary, not `error:`."""
    result = p2p.runner.invoke(cli, ["--store", str(p2p.root), "check", *args])
    assert "Traceback" not in result.output, result.output
    return result


def write(p2p: P2P, rel: str, text: str, unique: bool = False) -> None:
    """Write a dedented document; `unique` appends a random comment, so that no blob parsed
    earlier in this process (the loader caches parses by blob id) hides a schema error's line."""
    path = p2p.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text) + (f"# {uuid.uuid4().hex}\n" if unique else ""))


def edit(p2p: P2P, rel: str, old: str, new: str) -> None:
    path = p2p.root / rel
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new, 1))


def submit(p2p: P2P, who: str) -> dict[str, Any]:
    return json.loads(p2p("submit", "pitch", "--link", f"https://x.example/{who}", "--format", "json", as_=who).stdout)


def rate(p2p: P2P, person: str, rater: str, value: float = 4) -> dict[str, Any]:
    return json.loads(p2p("rate", "pitch", person, *scores(value), "--format", "json", as_=rater).stdout)


def assert_problems(result: Result, expected: list[str], files: int | None = None) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == expected
    count = r"\d+" if files is None else str(files)
    summary = rf"{count} files checked, {len(expected)} problems?"
    assert re.fullmatch(summary, result.stderr.strip()), result.stderr


def test_fresh_store_with_real_entries_is_clean_and_exits_0(p2p: P2P) -> None:
    assert p2p("check").stdout == "8 files checked, no problems\n"  # p2p.yaml, 6 people, pitch
    submit(p2p, "ava")
    rate(p2p, "ava", "ben")
    assert p2p("check").stdout == "10 files checked, no problems\n"
    assert json.loads(p2p("check", "--format", "json").stdout) == {"files": 10, "problems": [], "fairness": []}
    assert p2p("check", "--at", "HEAD").stderr == ""


def test_broken_yaml_unknown_person_score_out_of_range_and_duplicate_id_are_each_named_with_line(p2p: P2P) -> None:
    sub = submit(p2p, "ava")
    sub_id, broken, out_of_range = sub["entry"]["id"], rate(p2p, "ava", "ben")["path"], rate(p2p, "ava", "cal")["path"]
    edit(p2p, broken, "person: ava", "person: ava: ben")  # line 9 (after the modeline): not YAML
    edit(p2p, out_of_range, "opening: 4", "opening: 9")  # line 11
    write(p2p, f"entries/pitch/dia/{sub_id}.yaml", SUBMISSION.format(id=sub_id, by="dia", challenge="pitch"))
    write(p2p, f"entries/pitch/zed/{SUB_ID}.yaml", SUBMISSION.format(id=SUB_ID, by="zed", challenge="pitch"))
    result = check(p2p)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{broken}:9: invalid YAML: "), lines
    assert_problems(result, lines[:1] + [
        f"{out_of_range}:11: score opening=9 is outside the scale 1 to 5",
        f"entries/pitch/dia/{sub_id}.yaml:2: duplicate entry id {sub_id}: also in {sub['path']}",
        f"entries/pitch/zed/{SUB_ID}.yaml:5: 'zed' is not in people/",
    ], files=13)


def test_entry_copied_into_another_persons_folder_is_reported_as_misplaced(p2p: P2P) -> None:
    sub = submit(p2p, "ava")
    (p2p.root / "entries/pitch/cal").mkdir()
    copy = f"entries/pitch/cal/{sub['entry']['id']}.yaml"
    (p2p.root / copy).write_bytes((p2p.root / sub["path"]).read_bytes())
    result = check(p2p)
    [line] = result.stdout.splitlines()
    assert result.exit_code == 1
    assert re.fullmatch(rf"{copy}:\d+: entry {sub['entry']['id']} by ava in pitch belongs at {sub['path']}", line)


def test_duplicate_key_is_refused_not_silently_overridden(p2p: P2P) -> None:
    submit(p2p, "ava")
    path = rate(p2p, "ava", "ben")["path"]
    with (p2p.root / path).open("a") as handle:
        handle.write("  opening: 1\n")  # line 15; a YAML reader would keep this score
    assert_problems(check(p2p), [f"{path}:15: duplicate key 'opening' (first on line 11)"])


@pytest.mark.parametrize("by, person, sub, third, expected", [
    ("ava", "ava", "real", "proof", "5: self-rating: ava rated their own submission"),
    ("ben", "cal", "real", "proof", "8: submission {sub} is by ava, not cal"),
    ("dia", "ava", GHOST_ID, "proof", "7: submission {sub} is not in challenge pitch"),
    ("eli", "ava", "real", "charm", "9: no score for proof"),
    ("eli", "ava", "real", "charm", "12: unknown criterion 'charm'; the rubric has opening, value-proposition, "
                                    "proof, call-to-action"),
], ids=["self-rating", "wrong-person", "unknown-submission", "missing-criterion", "unknown-criterion"])
def test_rating_written_by_hand_is_checked_against_its_submission_and_rubric(
        p2p: P2P, by: str, person: str, sub: str, third: str, expected: str) -> None:
    sub = submit(p2p, "ava")["entry"]["id"] if sub == "real" else sub
    path = f"entries/pitch/{by}/{RATE_ID}.yaml"
    write(p2p, path, RATING.format(id=RATE_ID, by=by, sub=sub, person=person, third=third))
    result = check(p2p)
    assert result.exit_code == 1
    assert f"{path}:{expected.format(sub=sub)}" in result.stdout.splitlines(), result.stdout


def test_entry_of_a_challenge_that_does_not_exist_is_reported(p2p: P2P) -> None:
    path = f"entries/nope/ava/{SUB_ID}.yaml"
    write(p2p, path, SUBMISSION.format(id=SUB_ID, by="ava", challenge="nope"))
    assert_problems(check(p2p), [f"{path}:6: challenge 'nope' is not in challenges/"])


def test_duplicate_emails_and_unknown_manager_are_reported_on_each_person(p2p: P2P) -> None:
    write(p2p, "people/zoe.yaml", """
        id: zoe
        name: Zoe
        email: Ava@Example.com
        role: ae
        team: east
        manager: nobody
    """)
    assert_problems(check(p2p), [
        "people/ava.yaml:5: e-mail ava@example.com is used by more than one person",
        "people/zoe.yaml:3: e-mail Ava@Example.com is used by more than one person",
        "people/zoe.yaml:6: manager 'nobody' is not in people/",
    ], files=9)


def test_schema_errors_in_config_person_and_challenge_name_the_field_line(p2p: P2P) -> None:
    challenge = (p2p.root / "challenges/pitch.yaml").read_text().replace("closes: '2026-11-15'", "closes: '2026-11-01'")
    closes = challenge.splitlines().index("closes: '2026-11-01'") + 1
    write(p2p, "challenges/pitch.yaml", challenge, unique=True)
    config = (p2p.root / "p2p.yaml").read_text() + "colour: blue\n"
    write(p2p, "p2p.yaml", config, unique=True)
    write(p2p, "people/kim.yaml", "id: kim\nname: Kim\nemail: kim@example.com\nrole: ae\nteam: east\nactive: maybe\n",
          unique=True)
    lines = check(p2p).stdout.splitlines()
    assert f"challenges/pitch.yaml:{closes}: closes 2026-11-01 is before opens 2026-11-09" in lines
    assert "people/kim.yaml:6: active must be true or false, not 'maybe'" in lines
    colour = len(config.splitlines())
    assert any(line.startswith(f"p2p.yaml:{colour}: unknown field 'colour'") for line in lines), lines


def test_file_name_not_matching_the_id_and_files_in_unexpected_places_are_reported(p2p: P2P) -> None:
    (p2p.root / "people/kai.yaml").write_bytes((p2p.root / "people/eli.yaml").read_bytes())
    for stray in ("people/old/ava.yaml", "challenges/2026/pitch.yaml", "entries/pitch/readme.yaml"):
        write(p2p, stray, "a: 1\n")
    result = check(p2p)
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"people/kai\.yaml:\d+: id 'eli' does not match the file name 'kai'", lines[2]), lines
    assert_problems(result, [f"challenges/2026/pitch.yaml: {STRAY}", f"entries/pitch/readme.yaml: {STRAY}",
                             lines[2], f"people/old/ava.yaml: {STRAY}"], files=12)


def test_json_format_lists_every_problem_with_path_line_and_message(p2p: P2P) -> None:
    submit(p2p, "ava")
    path = rate(p2p, "ava", "ben", 5)["path"]
    edit(p2p, path, "proof: 5", "proof: 0")
    write(p2p, "entries/notes.yaml", "a: 1\n")
    result = check(p2p, "--format", "json")
    assert result.exit_code == 1 and result.stderr == ""
    assert json.loads(result.stdout) == {"files": 11, "problems": [
        {"path": "entries/notes.yaml", "line": None, "message": STRAY},
        {"path": path, "line": 13, "message": "score proof=0 is outside the scale 1 to 5"},
    ], "fairness": []}


def test_at_head_checks_the_committed_revision_not_the_working_tree(p2p: P2P) -> None:
    submit(p2p, "ava")
    path = rate(p2p, "ava", "ben")["path"]
    edit(p2p, path, "opening: 4", "opening: 6")  # uncommitted
    assert_problems(check(p2p), [f"{path}:11: score opening=6 is outside the scale 1 to 5"])
    assert check(p2p, "--at", "HEAD").exit_code == 0
    git(p2p.root, "commit", "-qam", "bad score")
    assert_problems(check(p2p, "--at", "HEAD"), [f"{path}:11: score opening=6 is outside the scale 1 to 5"])
    assert check(p2p, "--at", "HEAD~1").exit_code == 0


def test_broken_file_committed_with_plain_git_is_found_with_at_head(p2p: P2P) -> None:
    good = (p2p.root / "people/eli.yaml").read_bytes()
    edit(p2p, "people/eli.yaml", "team: west", "team: [west")
    git(p2p.root, "add", "people/eli.yaml")
    git(p2p.root, "commit", "-qm", "hand edit")
    (p2p.root / "people/eli.yaml").write_bytes(good)  # the working tree is fine again
    assert check(p2p).exit_code == 0
    result = check(p2p, "--at", "HEAD")
    [line] = result.stdout.splitlines()
    assert re.fullmatch(r"people/eli\.yaml:\d+: invalid YAML: .+", line), line
    assert result.exit_code == 1 and "1 problem" in result.stderr


def test_at_a_revision_that_does_not_exist_is_refused(p2p: P2P) -> None:
    p2p.refused("check", "--at", "no-such-branch", match="does not exist")


def test_schema_error_line_is_the_same_when_the_store_is_checked_twice(p2p: P2P) -> None:
    write(p2p, "people/kim.yaml", """
        id: kim
        name: Kim
        email: kim@example.com
        role: ae
        team: east
        shoe_size: 44
    """, unique=True)
    first, second = check(p2p).stdout, check(p2p).stdout
    assert first == second == "people/kim.yaml:6: unknown field 'shoe_size' in a person; allowed: active, crm_id, " \
                              "email, hired, id, manager, name, region, role, team\n"


def test_at_head_counts_the_same_files_as_the_working_tree(p2p: P2P) -> None:
    assert p2p("check", "--at", "HEAD").stdout == p2p("check").stdout


def test_file_name_mismatch_points_at_the_line_of_the_id(p2p: P2P) -> None:
    (p2p.root / "people/kai.yaml").write_bytes((p2p.root / "people/eli.yaml").read_bytes())
    assert (p2p.root / "people/kai.yaml").read_text().splitlines()[2] == "id: eli"  # after the modeline and a note
    assert check(p2p).stdout == "people/kai.yaml:3: id 'eli' does not match the file name 'kai'\n"


def test_files_with_another_extension_in_store_folders_are_reported_not_ignored(p2p):
    write(p2p, "entries/pitch/ava/01M72N8MG0DT7R6J0P5VQRC5KX.yml", "v: 1\n")
    result = check(p2p)
    assert result.exit_code == 1
    assert result.stdout.startswith("entries/pitch/ava/01M72N8MG0DT7R6J0P5VQRC5KX.yml: not where p2p expects")


def test_check_lists_the_working_tree_as_pathlib_would(tmp_path):
    """check walks the working tree with os.scandir, not pathlib (a third of its time
    at 18,000 files): the same files in the same order as rglob and a sort by parts,
    with links to files read, links to folders not followed, dot-files skipped and
    names that are not UTF-8 kept."""
    import os
    from pathlib import Path

    from p2p.store import layout, loader

    root = tmp_path / "store"
    for folder in ("entries/c07/a", "entries/c07-x/b", "entries/.hid/c", "people", "outside"):
        (root / folder).mkdir(parents=True)
    for name in ("entries/c07/a/1.yaml", "entries/c07/a/Z.yaml", "entries/c07-x/b/2.yaml", "entries/.hid/c/3.yaml",
                 "entries/c07/.dot.yaml", "entries/C08.yaml", "people/ava.yaml", "outside/o.yaml"):
        (root / name).write_text("id: x\n")
    (root / "entries" / "linkdir").symlink_to(root / "outside")
    (root / "entries" / "linkfile.yaml").symlink_to(root / "people" / "ava.yaml")
    (root / "entries" / "broken.yaml").symlink_to(root / "nowhere")
    with open(os.fsencode(root / "entries") + b"/caf\xe9.yaml", "wb") as handle:
        handle.write(b"id: y\n")

    expected = []
    for folder in (layout.PEOPLE, layout.CHALLENGES, layout.ENTRIES, layout.RECORDS):
        if (root / folder).is_dir():
            expected += [p.relative_to(root).as_posix() for p in sorted((root / folder).rglob("*"))
                         if p.is_file() and not p.name.startswith(".")]
    listing, read, _ = loader._worktree_files(Path(root), None)
    assert [f.path for f in listing] == expected
    assert "entries/linkfile.yaml" in expected and "entries/c07-x/b/2.yaml" in expected
    assert read([listing[0].oid]) == {listing[0].oid: b"id: x\n"}


FEATURE = """
    v: 1
    id: {id}
    kind: feature
    at: '2026-11-10T12:00:00Z'
    by: mia
    challenge: pitch
    submission: {sub}
    person: ava
"""


def test_an_id_in_two_challenge_folders_is_checked_as_in_one_read_of_the_whole_store(p2p: P2P) -> None:
    """Entries are checked a folder at a time; the first of an id in store order counts
    and the later copies are duplicates checked no further, whichever folder is first."""
    sub = submit(p2p, "ava")
    rating = rate(p2p, "ava", "ben")["path"]
    sid = sub["entry"]["id"]
    early = f"entries/abc/ava/{sid}.yaml"  # before pitch/: pitch's own submission becomes the copy
    write(p2p, early, SUBMISSION.format(id=sid, by="ava", challenge="abc"))
    late = f"entries/zed/ava/{sid}.yaml"
    write(p2p, late, SUBMISSION.format(id=sid, by="ava", challenge="zed"))
    want = [
        f"{early}:6: challenge 'abc' is not in challenges/",
        f"{sub['path']}:3: duplicate entry id {sid}: also in {early}",
        f"{rating}:8: submission {sid} is not in challenge pitch",  # the one it rated is pitch's copy
        f"{late}:2: duplicate entry id {sid}: also in {early}",
    ]
    assert_problems(check(p2p), want, files=12)
    git(p2p.root, "add", "-A")
    git(p2p.root, "commit", "-qm", "copies")
    assert_problems(check(p2p, "--at", "HEAD"), want, files=12)


def test_a_pick_of_a_submission_in_a_later_folder_is_not_a_problem_and_one_of_none_is(p2p: P2P) -> None:
    submit(p2p, "ava")
    write(p2p, f"entries/zed/ava/{SUB_ID}.yaml", SUBMISSION.format(id=SUB_ID, by="ava", challenge="zed"))
    write(p2p, f"entries/pitch/mia/{RATE_ID}.yaml", FEATURE.format(id=RATE_ID, sub=SUB_ID))
    write(p2p, f"entries/pitch/mia/{GHOST_ID}.yaml", FEATURE.format(id=GHOST_ID, sub="01M72N8MG0ZZZZZZZZZZZZZZZ9"))
    assert_problems(check(p2p), [
        f"entries/pitch/mia/{GHOST_ID}.yaml:7: submission 01M72N8MG0ZZZZZZZZZZZZZZZ9 is not in challenge pitch",
        f"entries/zed/ava/{SUB_ID}.yaml:6: challenge 'zed' is not in challenges/",
    ])


def test_a_copied_folder_reads_the_one_it_copies_once_not_once_per_duplicate() -> None:
    """checks.run by itself: every id of `b` is one of `a`'s; `a` is read again once."""
    import datetime as dt

    from p2p import checks
    from p2p.entries import Submission
    from p2p.settings import Settings
    from p2p.snapshot import Snapshot

    at = dt.datetime(2026, 11, 10, tzinfo=dt.timezone.utc)
    ids = [f"01M72N8MG0ZZZZZZZZZZZZZZ{n:02d}" for n in range(50)]

    def folder(name: str) -> Snapshot:
        entries = [Submission(i, at, "ava", name) for i in ids]
        return Snapshot(None, Settings(), {}, {}, entries,
                        entry_paths={i: [f"entries/{name}/ava/{i}.yaml"] for i in ids})

    reads = []

    def read(name: str) -> Snapshot:
        reads.append(name)
        return folder(name)

    problems, _, _ = checks.run(Snapshot(None, Settings(), {}, {}, []), ["a", "b"], read)
    duplicates = [p for p in problems if p.message.startswith("duplicate")]
    assert len(duplicates) == 50 and all(p.path.startswith("entries/b/") for p in duplicates)
    assert duplicates[0].message == f"duplicate entry id {ids[0]}: also in entries/a/ava/{ids[0]}.yaml"
    assert reads == ["a", "b", "a"]


def test_a_kept_folder_check_is_used_only_while_the_folder_and_the_base_are_unchanged(p2p: P2P, tmp_path) -> None:
    """Each entries folder's check is kept under its tree (in the working tree: only
    while git calls it clean) and the base files: after each change below, `check` and
    `check --at HEAD` equal those of a copy of the store with no caches."""
    import shutil

    sub = submit(p2p, "ava")
    rating = rate(p2p, "ava", "ben")["path"]

    def both(root):
        return [json.loads(p2p.runner.invoke(cli, ["--store", str(root), "check", "--format", "json", *args]).stdout)
                for args in ((), ("--at", "HEAD"))]

    def fresh():
        copy = tmp_path / "fresh"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(p2p.root, copy)
        shutil.rmtree(copy / ".git" / "p2p", ignore_errors=True)
        return both(copy)

    first = both(p2p.root)
    assert first == fresh() and both(p2p.root) == first
    assert list((p2p.root / ".git" / "p2p" / "tallies").rglob("checked-*.pickle"))
    steps = [
        ("a score edited, not committed", lambda: edit(p2p, rating, "opening: 4", "opening: 9")),
        ("that edit committed", lambda: git(p2p.root, "commit", "-qam", "by hand")),
        ("an ignored file in the folder", lambda: ((p2p.root / ".gitignore").write_text("*.txt\n"),
                                                   (p2p.root / "entries/pitch/ava/notes.txt").write_text("x\n"))),
        ("the rater left the roster", lambda: git(p2p.root, "rm", "-q", "people/ben.yaml")),
        ("and that committed", lambda: git(p2p.root, "commit", "-qm", "ben left")),
        ("the submitter's file renamed", lambda: git(p2p.root, "mv", sub["path"], sub["path"].replace("ava/", "ava/x"))),
    ]
    before = first
    for step, change in steps:
        change()
        after = both(p2p.root)
        assert after != before and after == fresh(), step
        before = after


def test_a_damaged_git_index_only_means_every_folder_is_read(p2p: P2P) -> None:
    submit(p2p, "ava")
    path = rate(p2p, "ava", "ben")["path"]
    edit(p2p, path, "opening: 4", "opening: 9")
    (p2p.root / ".git" / "index").write_bytes(b"DIRC not an index")
    assert_problems(check(p2p), [f"{path}:11: score opening=9 is outside the scale 1 to 5"])


_opened: list[str] | None = None  # while a list: the files this process opens (an audit hook, set once)


def _record_open(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], (str, bytes)):
        _opened.append(str(args[0]))


def test_a_clean_folder_checked_again_is_read_from_git_not_from_its_files(p2p: P2P, tmp_path) -> None:
    """After a roster change no folder's kept check fits; a folder git calls clean is
    then read from git's objects (its parsed blobs are cached), not from a million
    files on disk. The result equals that of a copy with no caches."""
    import shutil
    import sys

    global _opened
    submit(p2p, "ava")
    rate(p2p, "ava", "ben")
    check(p2p)  # keeps each folder's result
    edit(p2p, "people/ben.yaml", "name: ", "name: Benjamin ")  # a base file: no kept result fits now
    sys.addaudithook(_record_open)
    _opened = []
    try:
        result = check(p2p, "--format", "json")
    finally:
        opened, _opened = _opened, None
    assert not [path for path in opened if f"{p2p.root / 'entries'}" in path]
    copy = tmp_path / "fresh"
    shutil.copytree(p2p.root, copy)
    shutil.rmtree(copy / ".git" / "p2p")
    assert result.stdout == p2p.runner.invoke(cli, ["--store", str(copy), "check", "--format", "json"]).stdout
