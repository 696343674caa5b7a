"""Many writers, one shared remote: automatic sync after each write, replay onto
the remote head, nothing lost, never a force-push, clear exits when offline."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from conftest import P2P, drop_blob, git, scores
from p2p.cli import cli


@pytest.fixture
def shared(p2p, tmp_path):
    """The fixture store pushed to a bare remote, and two clones of it."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(p2p.root, "remote", "add", "origin", str(remote))
    git(p2p.root, "push", "-q", "origin", "main")
    clones = []
    for name in ("a", "b"):
        git(tmp_path, "clone", "-q", str(remote), str(tmp_path / name))
        clones.append(P2P(tmp_path / name))
    return remote, clones


def remote_entries(remote):
    return sorted(line for line in git(remote, "ls-tree", "-r", "--name-only", "main").splitlines()
                  if line.startswith("entries/") and not line.endswith(".gitkeep"))


def test_each_write_is_pushed_and_the_other_clone_replays_onto_it(shared):
    remote, (a, b) = shared
    a("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    assert len(remote_entries(remote)) == 1
    b("submit", "pitch", "--link", "https://v.example/ben", as_="ben")  # b is behind: fetch, replay, push
    b("rate", "pitch", "ava", *scores(4), as_="cal")
    assert len(remote_entries(remote)) == 3
    assert git(b.root, "status", "--porcelain") == "" and len(list((b.root / "entries" / "pitch").iterdir())) == 3
    assert git(remote, "log", "-1", "--format=%an|%cn", "main") == "Cal|Sales Ops"  # authorship survives replay
    a("sync")
    assert git(a.root, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")


def test_an_empty_local_commit_is_not_replayed_and_the_write_after_it_is(shared):
    remote, (a, b) = shared
    a("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    git(b.root, "-c", "user.name=B", "-c", "user.email=b@example.com", "commit", "-q", "--allow-empty", "-m", "note")
    b("submit", "pitch", "--link", "https://v.example/ben", as_="ben")  # behind, with an empty commit to replay
    assert len(remote_entries(remote)) == 2
    assert "note" not in git(remote, "log", "--format=%s", "main").splitlines()  # it changes no file


def test_no_sync_keeps_writes_local_until_p2p_sync(shared, monkeypatch):
    remote, (a, _) = shared
    a("--no-sync", "submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    monkeypatch.setenv("P2P_SYNC", "0")
    a("submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    assert remote_entries(remote) == []
    status = json.loads(a("status", "--format", "json").stdout)
    assert status["remote"] == "origin" and status["unpushed_commits"] == 2
    assert sorted(r["by"] for r in status["unpushed"]) == ["ava", "ben"]
    monkeypatch.delenv("P2P_SYNC")
    assert "pushed 2 commit(s)" in a("sync").stdout
    assert len(remote_entries(remote)) == 2


def test_status_reads_only_the_unpushed_commits(shared):
    """Not the whole history and every entry (49 s and 2.1 GB on the bench store):
    the pushed entry's blob can be gone and status still lists the unpushed one."""
    remote, (a, _) = shared
    pushed = json.loads(a("submit", "pitch", "--link", "https://v.example/ava", "--format", "json", as_="ava").stdout)
    a("--no-sync", "submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    drop_blob(a.root, pushed["path"])
    status = json.loads(a("status", "--format", "json").stdout)
    assert status["unpushed_commits"] == 1
    assert [(r["kind"], r["by"]) for r in status["unpushed"]] == [("submission", "ben")]
    a("--no-sync", "action", "add", "ava", "Quantify the ROI", as_="mia")  # a record: a commit, not an entry row
    status = json.loads(a("status", "--format", "json").stdout)
    assert status["unpushed_commits"] == 2
    assert [(r["kind"], r["by"]) for r in status["unpushed"]] == [("submission", "ben")]


def test_an_unreachable_remote_leaves_the_commit_local_with_exit_3(shared, tmp_path):
    remote, (a, _) = shared
    git(a.root, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    result = a("submit", "pitch", "--link", "https://v.example/ava", as_="ava", expect=3)
    assert "recorded submission" in result.stdout and "p2p sync" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    git(a.root, "remote", "set-url", "origin", str(remote))
    a("sync")
    assert len(remote_entries(remote)) == 1


def test_the_same_person_writing_from_two_clones_keeps_both_entries(shared):
    remote, (a, b) = shared
    a("--no-sync", "submit", "pitch", "--link", "https://v.example/1", as_="ava")
    b("--no-sync", "submit", "pitch", "--link", "https://v.example/2", as_="ava")
    a("sync")
    b("sync")
    assert len(remote_entries(remote)) == 2
    a("sync")
    rows = json.loads(a("log", "--format", "json").stdout)["entries"]
    assert [r["by"] for r in rows] == ["ava", "ava"]


def test_replaying_onto_the_remote_reads_no_index(shared, tmp_path, monkeypatch):
    """Listing what a commit changed needs no index, but git diff-tree reads it unless
    told otherwise: in a sparse clone of a million entries it expands the sparse index,
    2 s for each commit replayed; in a full checkout 300 MB."""
    remote, (a, b) = shared
    a("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    b("--no-sync", "submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    b("--no-sync", "submit", "pitch", "--link", "https://v.example/cal", as_="cal")
    trace = tmp_path / "perf-trace.log"
    monkeypatch.setenv("GIT_TRACE_PERFORMANCE", str(trace))
    assert "pushed 2 commit(s)" in b("sync").stdout
    reads: dict[str, list[str]] = {}
    pending: list[str] = []
    for line in trace.read_text().splitlines():  # a process's reads come before its own summary line
        if "read cache" in line and not line.endswith("no-index/index"):
            pending.append(line)
        elif "git command:" in line:
            words = line.split("git command:", 1)[1].split()[1:]
            while words and words[0] in ("-C", "-c"):  # git -C PATH -c KEY=VALUE: the subcommand is after
                words = words[2:]
            reads.setdefault(words[0] if words else "", []).extend(pending)
            pending = []
    # Read through the git p2p keeps running (or diff-tree, for a big diff): neither loads the index.
    assert "cat-file" in reads and reads["cat-file"] == [] and reads.get("diff-tree", []) == [], reads
    assert len(remote_entries(remote)) == 3


def test_two_admins_changing_one_challenge_get_a_conflict_not_an_overwrite(shared, tmp_path):
    remote, (a, b) = shared
    spec = (a.root / "challenges" / "pitch.yaml").read_text()
    for clone, title in ((a, "Title A"), (b, "Title B")):
        (tmp_path / f"{title[-1]}.yaml").write_text(spec.replace("title: Pitch", f"title: {title}"))
        clone("--no-sync", "challenge", "apply", str(tmp_path / f"{title[-1]}.yaml"))
    a("sync")
    before = git(b.root, "rev-parse", "HEAD")
    err = b("sync", expect=1).stderr
    assert "challenges/pitch.yaml was changed on the remote and in this clone" in err
    assert git(b.root, "rev-parse", "HEAD") == before
    assert "title: Title A" in git(remote, "show", "main:challenges/pitch.yaml")


BUSY_HOOK = """#!/bin/sh
# Answers every branch update the way a host does when another push got in first.
while read old new ref; do
  case "$ref" in refs/heads/*) echo "error: cannot lock ref '$ref': is at $old but expected $new" >&2; exit 1;; esac
done
"""


def busy(remote, on=True):
    hook = remote / "hooks" / "pre-receive"
    if on:
        hook.write_text(BUSY_HOOK)
        hook.chmod(0o755)
    else:
        hook.unlink()


def set_sync(clone, text):
    config = clone.root / "p2p.yaml"
    config.write_text(config.read_text() + f"sync:\n{text}")
    git(clone.root, "commit", "-qam", "sync settings")
    git(clone.root, "push", "-q", "origin", "main")


def inbox(remote):
    return git(remote, "for-each-ref", "--format=%(refname)", "refs/p2p/inbox/").splitlines()


def test_a_write_that_finds_the_branch_busy_parks_in_the_inbox_and_sync_folds_it_in(shared):
    remote, (a, b) = shared
    set_sync(a, "  inbox_after: 0\n")
    busy(remote)
    result = a("submit", "pitch", "--link", "https://v.example/ava", as_="ava")  # exit 0: the entry is on the remote
    assert "is on the remote in refs/p2p/inbox/ava/" in result.stderr
    assert remote_entries(remote) == [] and len(inbox(remote)) == 1
    assert json.loads(a("status", "--format", "json").stdout)["parked_in"] == inbox(remote)
    busy(remote, on=False)
    folded = b("sync").stdout  # anyone's sync (CI's, typically) folds the inbox into the branch
    assert "folded in 1 parked by others" in folded
    assert len(remote_entries(remote)) == 1 and inbox(remote) == []
    assert git(remote, "log", "-1", "--format=%an", "main") == "Ava"  # authored as the writer, so audit holds
    a("submit", "pitch", "--link", "https://v.example/ben", as_="ben")  # a's parked copy is not pushed twice
    assert len(remote_entries(remote)) == 2 and git(a.root, "status", "--porcelain") == ""
    assert json.loads(a("status", "--format", "json").stdout) | {"unpushed": []} == {
        "remote": "origin", "branch": "main", "unpushed_commits": 0, "parked_in": [], "unpushed": []}
    assert CliRunner().invoke(cli, ["--store", str(b.root), "audit"]).exit_code == 0


def test_the_writer_s_own_next_push_deletes_its_inbox_ref(shared):
    remote, (a, _) = shared
    set_sync(a, "  inbox_after: 0\n")
    busy(remote)
    a("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    busy(remote, on=False)
    a("submit", "pitch", "--link", "https://v.example/ben", as_="ben")  # pushes both and drops the inbox ref at once
    assert len(remote_entries(remote)) == 2 and inbox(remote) == []
    assert "up to date" in a("sync").stdout


def test_with_the_inbox_off_a_busy_branch_leaves_the_commit_local_within_the_timeout(shared):
    remote, (a, _) = shared
    set_sync(a, "  inbox_after: false\n  timeout: 2\n")
    busy(remote)
    result = a("submit", "pitch", "--link", "https://v.example/ava", as_="ava", expect=3)
    assert "the remote was busy" in result.stderr and inbox(remote) == []
    busy(remote, on=False)
    a("sync")
    assert len(remote_entries(remote)) == 1


def test_inbox_after_must_be_seconds_or_false(shared):
    _, (a, _) = shared
    (a.root / "p2p.yaml").write_text((a.root / "p2p.yaml").read_text() + "sync:\n  inbox_after: soon\n")
    result = CliRunner().invoke(cli, ["--store", str(a.root), "check"])
    assert result.exit_code == 1 and "sync.inbox_after must be seconds from 0 to 3600, or false to never park, not 'soon'" in result.stdout


WRITER = textwrap.dedent("""
    import sys
    from click import ClickException
    from p2p.cli import cli
    store, me, target = sys.argv[1], sys.argv[2], sys.argv[3]
    codes = []
    for i in range(10):
        args = ["--store", store, "--as", me]
        args += (["submit", "pitch", "--link", f"https://v.example/{me}/{i}"] if i % 2 == 0 else
                 ["rate", "pitch", target] + [x for c in ("opening", "value-proposition", "proof", "call-to-action")
                                              for x in ("--score", f"{c}={1 + i % 5}")])
        try:
            cli(args, standalone_mode=False)
            codes.append(0)
        except ClickException as exc:
            codes.append(exc.exit_code)
    print("CODES", codes)
""")


def test_sixteen_clones_writing_at_once_lose_nothing(p2p, tmp_path):
    people = [f"w{i:02d}" for i in range(16)]
    for pid in people:
        p2p("people", "add", pid, "--name", pid.upper(), "--email", f"{pid}@example.com", "--role", "ae",
            "--team", "east")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(p2p.root, "remote", "add", "origin", str(remote))
    git(p2p.root, "push", "-q", "origin", "main")
    for pid in people:
        git(tmp_path, "clone", "-q", str(remote), str(tmp_path / pid))
    # Every writer rates the next one, whose first submission it has seen only if synced: so each
    # writer submits first (even steps) and rates (odd steps) once the target's submission arrived.
    for pid in people:
        CliRunner().invoke(cli, ["--store", str(tmp_path / pid), "--as", pid, "submit", "pitch", "--link",
                                 f"https://v.example/{pid}/first"])
    for pid in people:  # everyone has seen everyone's first submission before the rush
        CliRunner().invoke(cli, ["--store", str(tmp_path / pid), "sync"])
    env = {**os.environ, "P2P_NOW": os.environ["P2P_NOW"]}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / pid), pid,
                               people[(i + 1) % len(people)]], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for i, pid in enumerate(people)]
    outputs = [p.communicate(timeout=600) for p in procs]
    codes = [eval(out.split("CODES", 1)[1]) for out, _ in outputs]  # noqa: S307 - our own output
    stderr = "".join(err for _, err in outputs)
    CliRunner().invoke(cli, ["--store", str(tmp_path / people[0]), "sync"])  # folds what writers parked
    for pid in people:  # whatever an unreachable moment left local goes out with the next sync
        CliRunner().invoke(cli, ["--store", str(tmp_path / pid), "sync"])
    entries = remote_entries(remote)
    assert all(code in (0, 3) for writer in codes for code in writer), (codes, stderr)  # 3: local, pushed later
    assert len(entries) == 16 + 160 and len(set(p.rsplit("/", 1)[1] for p in entries)) == 176
    assert inbox(remote) == []
    retries = sum(int(n) - 1 for n in re.findall(r"after (\d+) attempts", stderr))
    parked = stderr.count("is on the remote in refs/p2p/inbox/")
    left_local = sum(code == 3 for writer in codes for code in writer)
    print(f"16 clones x 10 writes: {retries} push retries, {parked} writes parked in the inbox, "
          f"{left_local} left local (all folded or pushed by the final syncs)")
    final = tmp_path / "final"
    git(tmp_path, "clone", "-q", str(remote), str(final))
    for command in (["check"], ["audit"]):
        result = CliRunner().invoke(cli, ["--store", str(final), *command])
        assert result.exit_code == 0, result.output
    subprocess.run(["git", "-C", str(final), "fsck", "--strict", "--no-progress"], check=True, capture_output=True)


def test_json_output_stays_one_document_when_the_push_fails(shared, tmp_path):
    _, (a, _) = shared
    git(a.root, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    result = a("submit", "pitch", "--link", "https://v.example/ava", "--format", "json", as_="ava", expect=3)
    assert json.loads(result.stdout)["entry"]["by"] == "ava"  # exactly one JSON document: the entry
    assert "could not fetch from origin" in result.stderr


def run_killed(store, point, *args):
    """Run p2p in a subprocess that SIGKILLs itself at `point` (P2P_FAULT)."""
    env = {**os.environ, "P2P_FAULT": point}
    proc = subprocess.run([sys.executable, "-m", "p2p", "--store", str(store), *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, (proc.returncode, proc.stderr)


@pytest.mark.parametrize("point", ["after-write", "after-commit", "before-push", "after-push"])
def test_a_process_killed_at_any_point_loses_and_duplicates_nothing(shared, point):
    remote, (a, _) = shared
    run_killed(a.root, point, "--as", "ava", "submit", "pitch", "--link", "https://v.example/killed")
    result = a("submit", "pitch", "--link", "https://v.example/next", as_="ben")  # the next command cleans up
    if point == "after-write":
        assert "recovered entries/pitch/ava/" in result.stderr
    a("sync")
    entries = remote_entries(remote)
    assert sorted(p.split("/")[2] for p in entries) == ["ava", "ben"]  # both, once each
    subjects = git(a.root, "log", "--format=%s", "-3").splitlines()
    assert subjects.count("p2p: submission pitch by ava") == 1, subjects  # no second, empty commit of it
    assert git(a.root, "status", "--porcelain") == ""
    assert git(remote, "rev-list", "--count", "main") == git(a.root, "rev-list", "--count", "HEAD")
    final = CliRunner().invoke(cli, ["--store", str(a.root), "audit"])
    assert final.exit_code == 0, final.output


def test_doctor_reports_a_stale_index_lock_with_its_age_and_fix_removes_it(p2p):
    lock = p2p.root / ".git" / "index.lock"
    lock.write_text("")
    os.utime(lock, (lock.stat().st_atime - 120, lock.stat().st_mtime - 120))
    result = CliRunner().invoke(cli, ["--store", str(p2p.root), "doctor"])
    assert result.exit_code == 1 and ".git/index.lock exists since 12" in result.stdout
    assert "index.lock, 12" in p2p("submit", "pitch", "--link", "https://v.example/a", as_="ava", expect=1).stderr
    result = CliRunner().invoke(cli, ["--store", str(p2p.root), "doctor", "--fix"])
    if "a git process is running" not in result.stdout:  # another test's git may be running right now
        assert not lock.exists() and "removed .git/index.lock" in result.stdout


def test_doctor_tells_an_interrupted_write_s_file_from_one_put_there_by_hand(p2p):
    """Only the interrupted write's own files are committed by the next write: a file
    copied into entries/ by hand needs git, and doctor says so."""
    run_killed(p2p.root, "after-write", "--as", "ava", "submit", "pitch", "--link", "https://v.example/a")
    by_hand = p2p.root / "entries" / "pitch" / "ben" / "01M72N8MG0DT7R6J0P5VQRC5KX.yaml"
    by_hand.parent.mkdir(parents=True)
    by_hand.write_text("v: 1\nid: 01M72N8MG0DT7R6J0P5VQRC5KX\nkind: submission\nat: '2026-11-10T12:00:00Z'\n"
                       "by: ben\nchallenge: pitch\n")
    result = CliRunner().invoke(cli, ["--store", str(p2p.root), "doctor"])
    lines = sorted(line for line in result.stdout.splitlines() if line.startswith("entries/"))
    assert result.exit_code == 1 and len(lines) == 2, result.stdout
    assert lines[0].startswith("entries/pitch/ava/") and "interrupted; the next p2p write commits it" in lines[0]
    assert lines[1].startswith("entries/pitch/ben/") and "not left by a p2p write; commit it with git" in lines[1]
    p2p("submit", "pitch", "--link", "https://v.example/c", as_="cal")  # finishes ava's, not ben's
    result = CliRunner().invoke(cli, ["--store", str(p2p.root), "doctor"])
    assert [line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("entries/")] == [
        "entries/pitch/ben/01M72N8MG0DT7R6J0P5VQRC5KX.yaml"]
