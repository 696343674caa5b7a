"""Hardening: p2p run as a real process (`python -m p2p`) against stores in awkward
states — not a repository, no commits, detached HEAD, a merge in progress, uncommitted
edits, no p2p.yaml, a p2p.yaml from the future, no git, read-only, a full disk. Each
refusal is one `error:` line on stderr, a non-zero exit, no traceback, and the store
exactly as it was: HEAD, `git status`, every file's bytes, and no lock file or journal
left in .git."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from conftest import git

URL = "https://v.example/ben.mp4"
ZED = ["people", "add", "zed", "--name", "Zed", "--email", "zed@example.com", "--role", "ae", "--team", "east"]


# -- building stores ---------------------------------------------------------------------------
@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(template, root, symlinks=True)
    return root


def run_p2p(root: Path | None, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            preexec_fn: Callable[[], None] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "p2p", *(["--store", str(root)] if root else []), *args]
    return subprocess.run(argv, env={**os.environ, **(env or {})}, cwd=cwd, preexec_fn=preexec_fn,
                          capture_output=True, text=True, timeout=timeout)


def sh(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def state(root: Path) -> tuple[Any, ...]:
    """HEAD, `git status`, every file outside .git with its bytes' hash, and what an
    interrupted git or p2p would leave in .git (lock files, p2p's journal, a merge)."""
    head = sh(root, "rev-parse", "--verify", "-q", "HEAD")
    status = sh(root, "status", "--porcelain", "--untracked-files=all")
    files = {}
    if root.exists():
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if rel.parts[0] == ".git":
                continue
            files[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    dot = root / ".git"
    leftovers = sorted(str(p.relative_to(dot)) for p in dot.rglob("*") if p.name.endswith(".lock")
                       and p.name != "p2p.lock") if dot.is_dir() else []
    flags = [name for name in ("MERGE_HEAD", "p2p/journal") if (dot / name).exists()]
    return head.returncode, head.stdout, status.returncode, status.stdout, files, leftovers, flags


def assert_refused(proc: subprocess.CompletedProcess[str], match: str, as_json: bool = False) -> str:
    """Exit 1, exactly one `error:` line on stderr containing `match`, no traceback;
    stdout empty, or exactly one {"error": ...} document in JSON mode."""
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-2000:]
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-2000:]
    assert match.lower() in lines[0].lower(), lines[0]
    if as_json:
        doc = json.loads(proc.stdout)
        assert proc.stdout.count("\n") == 1 and list(doc) == ["error"], proc.stdout
        assert lines[0] == f"error: {doc['error']['message']}"
    else:
        assert proc.stdout == "", proc.stdout
    return lines[0]


# -- not a store -------------------------------------------------------------------------------
def test_a_plain_folder_is_not_a_store_and_is_left_alone(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    before = state(folder)
    assert_refused(run_p2p(folder, "people", "list"), "no p2p store")
    assert state(folder) == before


def test_a_write_from_a_folder_with_no_store_above_it_is_refused(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    before = state(folder)
    assert_refused(run_p2p(None, "--as", "ava", "submit", "pitch", "--link", URL, cwd=folder),
                   "no p2p store in this folder or any parent")
    assert state(folder) == before


def test_p2p_yaml_outside_a_git_repository_is_refused_and_no_repository_is_made(store, tmp_path):
    folder = tmp_path / "no-git"
    folder.mkdir()
    shutil.copy(store / "p2p.yaml", folder / "p2p.yaml")
    before = state(folder)
    assert_refused(run_p2p(folder, *ZED), "is not the top level of a git repository")
    assert state(folder) == before and not (folder / ".git").exists()


@pytest.mark.parametrize("args", [
    pytest.param(["people", "list"], id="read"),
    pytest.param(ZED, id="write"),
])
def test_a_repository_with_p2p_yaml_but_no_commits_is_refused(store, tmp_path, args):
    folder = tmp_path / "fresh"
    folder.mkdir()
    sh(folder, "init", "-q")
    shutil.copy(store / "p2p.yaml", folder / "p2p.yaml")
    before = state(folder)
    assert_refused(run_p2p(folder, *args), "has no commits yet")
    assert state(folder) == before


# -- git states ----------------------------------------------------------------------------------
@pytest.mark.parametrize("args, as_json", [
    pytest.param(["--as", "ben", "submit", "pitch", "--link", URL], False, id="entry"),
    pytest.param([*ZED, "--format", "json"], True, id="set-up-json"),
])
def test_a_write_on_a_detached_head_is_refused(store, args, as_json):
    sh(store, "checkout", "-q", "--detach", "HEAD")
    before = state(store)
    assert_refused(run_p2p(store, *args), "HEAD is detached", as_json=as_json)
    assert state(store) == before


def test_reads_on_a_detached_head_answer_from_that_commit(store):
    sh(store, "checkout", "-q", "--detach", "HEAD~1")  # before ava's submission
    before = state(store)
    proc = run_p2p(store, "leaderboard", "pitch", "--format", "json")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert json.loads(proc.stdout)["rows"] == []
    assert state(store) == before


def conflicted_merge(root: Path) -> Path:
    """people/ava.yaml changed on two branches; `git merge other` stops on the conflict."""
    ava = root / "people" / "ava.yaml"
    sh(root, "checkout", "-q", "-b", "other")
    ava.write_text(ava.read_text().replace("name: Ava", "name: Ava Other"))
    sh(root, "commit", "-qam", "other name")
    sh(root, "checkout", "-q", "main")
    ava.write_text(ava.read_text().replace("name: Ava", "name: Ava Main"))
    sh(root, "commit", "-qam", "main name")
    assert sh(root, "merge", "other").returncode == 1
    assert sh(root, "status", "--porcelain").stdout == "UU people/ava.yaml\n"
    return ava


def test_during_a_merge_a_write_to_the_conflicted_file_is_refused(store):
    conflicted_merge(store)
    before = state(store)
    proc = run_p2p(store, "people", "add", "ava", "--name", "Ava Lee", "--email", "ava@example.com", "--role", "ae",
                   "--team", "east", "--update")
    assert_refused(proc, "people/ava.yaml has changes that are not committed")
    assert state(store) == before


def test_an_entry_written_during_a_merge_leaves_the_merge_and_its_conflict_alone(store):
    """p2p does not refuse every write during a merge: a new entry is one new file,
    committed on top of HEAD. The merge stays in progress with the same conflict, and
    concluding it keeps the entry."""
    ava = conflicted_merge(store)
    conflict = ava.read_bytes()
    proc = run_p2p(store, "--as", "ben", "submit", "pitch", "--link", URL, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    path = json.loads(proc.stdout)["path"]
    assert (store / ".git" / "MERGE_HEAD").exists() and ava.read_bytes() == conflict
    assert sh(store, "status", "--porcelain").stdout == "UU people/ava.yaml\n"
    assert sh(store, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").stdout.split() == [path]
    ava.write_text("id: ava\nname: Ava Merged\nemail: ava@example.com\nrole: ae\nteam: east\nactive: true\n")
    git(store, "commit", "-qam", "merge other")
    assert path in git(store, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert run_p2p(store, "check").returncode == 0


def test_an_uncommitted_edit_of_a_person_is_never_overwritten(store):
    ava = store / "people" / "ava.yaml"
    ava.write_text(ava.read_text().replace("name: Ava", "name: Ava Edited By Hand"))
    before = state(store)
    proc = run_p2p(store, "people", "add", "ava", "--name", "Ava Lee", "--email", "ava@example.com", "--role", "ae",
                   "--team", "east", "--update")
    assert_refused(proc, "people/ava.yaml has changes that are not committed")
    assert state(store) == before and "Ava Edited By Hand" in ava.read_text()


def test_a_staged_edit_of_a_challenge_stays_staged_when_closing_it_is_refused(store):
    spec = store / "challenges" / "pitch.yaml"
    spec.write_text(spec.read_text().replace("title: Pitch", "title: Pitch (staged)"))
    git(store, "add", "challenges/pitch.yaml")
    before = state(store)
    assert_refused(run_p2p(store, "challenge", "close", "pitch"), "challenges/pitch.yaml has changes")
    assert state(store) == before
    assert git(store, "diff", "--cached", "--name-only") == "challenges/pitch.yaml"


def test_a_stale_index_lock_is_refused_with_the_way_out(store):
    (store / ".git" / "index.lock").write_bytes(b"")
    before = state(store)
    err = assert_refused(run_p2p(store, "--as", "ben", "submit", "pitch", "--link", URL), ".git/index.lock")
    assert "p2p doctor --fix" in err
    assert state(store) == before


# -- p2p.yaml ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    pytest.param(["people", "list"], id="read"),
    pytest.param(["--as", "ben", "submit", "pitch", "--link", URL], id="write"),
])
def test_a_store_whose_p2p_yaml_was_deleted_is_refused(store, args):
    (store / "p2p.yaml").unlink()
    before = state(store)
    assert_refused(run_p2p(store, *args), "no p2p.yaml")
    assert state(store) == before


def future_schema(root: Path) -> None:
    """A p2p.yaml written by a newer p2p: schema 99, and its own roles."""
    config = root / "p2p.yaml"
    doc = yaml.safe_load(config.read_text())
    assert doc["schema"] == 1 and "ae" in doc["roles"]
    doc.update(schema=99, roles=["rep"])
    config.write_text(yaml.safe_dump(doc, sort_keys=False))
    git(root, "commit", "-qam", "p2p.yaml from a newer p2p")


def test_check_reports_a_p2p_yaml_from_a_newer_p2p(store):
    future_schema(store)
    proc = run_p2p(store, "check")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: p2p.yaml: schema 99 is newer than this p2p understands"), proc.stderr


def test_a_read_of_a_store_from_a_newer_p2p_is_refused(store):
    future_schema(store)
    before = state(store)
    assert_refused(run_p2p(store, "people", "list"), "schema 99")
    assert state(store) == before


def test_a_write_to_a_store_from_a_newer_p2p_is_refused(store):
    future_schema(store)
    before = state(store)
    assert_refused(run_p2p(store, *ZED), "schema 99")
    assert state(store) == before


# -- no git --------------------------------------------------------------------------------------
NO_GIT = {"PATH": str(Path(sys.executable).parent)}  # python's bin dir only: no git on PATH


def test_without_git_on_path_a_read_says_git_is_missing(store):
    assert shutil.which("git", path=NO_GIT["PATH"]) is None
    before = state(store)
    assert_refused(run_p2p(store, "people", "list", env=NO_GIT), "git is not installed or not on PATH")
    assert state(store) == before


def test_without_git_on_path_a_write_says_git_is_missing_in_one_json_document(store):
    before = state(store)
    proc = run_p2p(store, "--as", "ben", "submit", "pitch", "--link", URL, "--format", "json", env=NO_GIT)
    assert_refused(proc, "git is not installed or not on PATH", as_json=True)
    assert json.loads(proc.stdout)["error"]["code"] == "store"
    assert state(store) == before


def test_without_git_on_path_init_is_refused_and_creates_nothing(tmp_path):
    target = tmp_path / "team-store"
    assert_refused(run_p2p(None, "init", str(target), env=NO_GIT), "git is not installed")
    assert not target.exists()


# -- permissions -----------------------------------------------------------------------------------
PR_CAPBSET_DROP = 24
DAC_CAPS = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


def _without_dac_override() -> None:
    """preexec_fn for root: drop the capabilities that let root ignore file modes, so
    the exec'd p2p (still uid 0) is refused by a read-only folder like anyone else."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in DAC_CAPS:
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def as_ordinary_user(tmp_path: Path) -> Callable[[], None] | None:
    """None when not root (permissions apply anyway); as root, a preexec_fn dropping
    CAP_DAC_OVERRIDE, once a probe shows it works; else skip (root ignores chmod)."""
    if os.geteuid() != 0:
        return None
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        proc = subprocess.run([sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"],
                              preexec_fn=_without_dac_override, capture_output=True)
    except subprocess.SubprocessError:
        proc = None
    finally:
        probe.chmod(0o755)
    if proc is None or proc.returncode == 0:
        pytest.skip("running as root, and root's CAP_DAC_OVERRIDE cannot be dropped here: chmod has no effect")
    return _without_dac_override


@pytest.fixture
def read_only(store: Path):
    """Make folders r-x and files r--; `with_git` includes .git. Undone at teardown."""
    changed: list[tuple[Path, int]] = []

    def apply(with_git: bool) -> None:
        for path in [store, *store.rglob("*")]:
            if not with_git and ".git" in path.relative_to(store).parts:
                continue
            changed.append((path, stat.S_IMODE(path.lstat().st_mode)))
            path.chmod(0o555 if path.is_dir() else 0o444)

    yield apply
    for path, mode in reversed(changed):
        path.chmod(mode)


def test_a_read_only_store_can_still_be_read(store, read_only, as_ordinary_user):
    read_only(with_git=True)
    before = state(store)
    proc = run_p2p(store, "leaderboard", "pitch", "--format", "json", preexec_fn=as_ordinary_user)
    assert proc.returncode == 0, proc.stderr
    assert [row["person"] for row in json.loads(proc.stdout)["rows"]] == ["ava"]
    assert state(store) == before


def test_a_write_into_a_read_only_working_tree_is_refused_clearly(store, read_only, as_ordinary_user):
    read_only(with_git=False)
    before = state(store)
    proc = run_p2p(store, "--as", "ben", "submit", "pitch", "--link", URL, preexec_fn=as_ordinary_user)
    assert_refused(proc, "permission denied")
    assert state(store) == before


def test_a_write_into_a_fully_read_only_store_is_refused_clearly(store, read_only, as_ordinary_user):
    read_only(with_git=True)
    before = state(store)
    proc = run_p2p(store, *ZED, preexec_fn=as_ordinary_user)
    assert_refused(proc, "permission denied")
    assert state(store) == before


# -- a full disk -----------------------------------------------------------------------------------
def file_size_limit(limit: int) -> Callable[[], None]:
    """preexec_fn: writes past `limit` bytes fail with EFBIG (git, whose SIGXFSZ the
    subprocess module resets to the default, is killed by it instead)."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_write_on_a_full_disk_is_refused_clearly(store):
    before = state(store)
    proc = run_p2p(store, "--as", "ben", "submit", "pitch", "--link", URL, preexec_fn=file_size_limit(0))
    assert_refused(proc, "too large")
    assert state(store) == before


def test_a_write_whose_commit_cannot_be_recorded_says_why_and_doctor_clears_the_locks(store):
    """git killed by the file-size limit (a full disk) leaves its lock files: p2p says
    git failed (not "another writer"), and `p2p doctor --fix` clears them."""
    before = state(store)
    proc = run_p2p(store, "--as", "ben", "submit", "pitch", "--link", URL, preexec_fn=file_size_limit(1000))
    assert "Traceback" not in proc.stderr and proc.returncode == 1, proc.stderr
    assert "git could not update refs/heads/main" in proc.stderr and "p2p doctor" in proc.stderr, proc.stderr
    doctor = run_p2p(store, "doctor")
    assert doctor.returncode == 1 and "refs/heads/main.lock exists" in doctor.stdout, doctor.stdout
    fixed = run_p2p(store, "doctor", "--fix")
    assert "removed .git/refs/heads/main.lock" in fixed.stdout, fixed.stdout
    assert state(store) == before
