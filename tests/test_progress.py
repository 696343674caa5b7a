"""Progress bars: on stderr, only when stderr is a terminal (a pseudo-terminal here),
never with --quiet, none for small inputs, and stdout the same with or without them."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from p2p.cli import progress_bars
from p2p.progress import steps

P2P = str(Path(sys.executable).parent / "p2p")
PINNED = {"GIT_AUTHOR_DATE": "2026-11-10T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-10T12:00:00Z"}  # same commits


def run(root: Path, *args: str, terminal: bool) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of p2p, its stderr a pseudo-terminal or a pipe."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | PINNED
    argv = [P2P, "--store", str(root), *args]
    if not terminal:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr
    leader, follower = pty.openpty()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:  # read as it comes: a bar redraws often and would fill the terminal's buffer
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the last writer is gone
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    stdout = child.communicate(timeout=120)[0].decode()
    return child.returncode, stdout, seen.decode().replace("\r\n", "\n")


def people_csv(tmp_path: Path, rows: int, extra: str = "") -> str:
    lines = ["Email,Full Name,Role,Team"] + [f"u{i:03d}@example.com,User {i},Account Executive,east" for i in range(rows)]
    path = tmp_path / f"users-{rows}.csv"
    path.write_text("\n".join(lines) + "\n" + extra)
    return str(path)


def finished(label: str, stderr: str) -> bool:
    """A bar for `label` drawn to its end: `label  [#####]  100%`."""
    return re.search(rf"{label}\s+\[#+\]\s+100%", stderr) is not None


def test_people_import_on_a_terminal_shows_each_step_and_stdout_is_unchanged(p2p, tmp_path):
    users = people_csv(tmp_path, 25)
    twin = tmp_path / "twin"
    shutil.copytree(p2p.root, twin)  # the same store twice: one import on a terminal, one on a pipe
    code, stdout, stderr = run(p2p.root, "people", "import", users, "--format", "json", terminal=True)
    assert code == 0, stderr
    for label in ("reading rows", "checking people", "preparing files", "writing files", "committing files"):
        assert finished(label, stderr), (label, stderr)
    assert "{" not in stderr and len(json.loads(stdout)["created"]) == 25  # the report is on stdout only
    piped = run(twin, "people", "import", users, "--format", "json", terminal=False)
    assert piped == (0, stdout, "")


def test_people_import_in_text_mode_prints_the_same_with_and_without_bars(p2p, tmp_path):
    users = people_csv(tmp_path, 30)
    twin = tmp_path / "twin"
    shutil.copytree(p2p.root, twin)
    code, stdout, stderr = run(p2p.root, "people", "import", users, terminal=True)
    assert code == 0 and finished("checking people", stderr), stderr
    assert stdout.endswith("30 created, 0 updated, 0 unchanged\n")
    assert run(twin, "people", "import", users, terminal=False) == (0, stdout, "")


def test_small_and_quiet_imports_show_no_bar_even_on_a_terminal(p2p, tmp_path):
    code, stdout, stderr = run(p2p.root, "people", "import", people_csv(tmp_path, 5), terminal=True)
    assert (code, stderr) == (0, "") and "5 created" in stdout  # too few rows for a bar to be read
    code, stdout, stderr = run(p2p.root, "--quiet", "people", "import", people_csv(tmp_path, 25), terminal=True)
    assert (code, stderr) == (0, "") and "20 created, 0 updated, 5 unchanged" in stdout


def test_a_bar_cut_short_by_an_error_ends_its_line_before_the_error(p2p, tmp_path):
    # a last row whose e-mail gives an id already taken in the file: refused while checking people
    users = people_csv(tmp_path, 40, extra="u030@other.example,Someone Else,Account Executive,east\n")
    code, stdout, stderr = run(p2p.root, "people", "import", users, terminal=True)
    assert code == 1 and stdout == ""
    assert re.search(r"checking people\s+\[#+-+\]\s+97%", stderr), stderr  # drawn part of the way
    assert re.search(r"\n(\x1b\[31m)?error:(\x1b\[0m)? .*a second row with the id u030", stderr), stderr
    assert not finished("committing files", stderr)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_left_open_by_an_error_is_ended_when_its_block_exits(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    with pytest.raises(KeyError):
        with progress_bars():
            rows = steps(range(30), "reading rows")  # still referenced after the error: not collected
            for row in rows:
                if row == 10:
                    raise KeyError(row)
    assert re.search(r"reading rows\s+\[#+-+\]\s+33%\S*\n$", sys.stderr.getvalue())  # its line ended
    assert sys.stderr.getvalue().count("\n") == 1
    assert steps([1] * 30, "after") == [1] * 30  # outside the block nothing is shown


def test_outcomes_import_shows_a_bar_on_a_terminal_and_none_quiet_or_piped(p2p, tmp_path):
    rows = [f"{who}@example.com,2026-{month:02d},{30 + month}%" for who in ("ava", "ben", "cal", "dia", "eli", "mia")
            for month in range(1, 5)]
    results = tmp_path / "results.csv"
    results.write_text("Owner Email,Period,Win Rate\n" + "\n".join(rows) + "\n")
    twin = tmp_path / "twin"
    shutil.copytree(p2p.root, twin)
    code, stdout, stderr = run(p2p.root, "--as", "mia", "outcomes", "import", str(results), terminal=True)
    assert code == 0 and finished("reading rows", stderr), stderr
    assert stdout == "imported 24 rows, 0 unchanged, 0 skipped\n"
    assert run(twin, "--as", "mia", "outcomes", "import", str(results), terminal=False) == (0, stdout, "")
    again = run(p2p.root, "-q", "--as", "mia", "outcomes", "import", str(results), "--format", "json", terminal=True)
    assert again[0] == 0 and again[2] == "" and json.loads(again[1])["unchanged"] == 24


def test_publish_shows_rendering_and_writing_on_a_terminal_only(make_store, tmp_path):
    people = {f"rep{i:02d}": ("ae", "east") for i in range(16)}  # 16 person pages: over 20 pages in all
    store = make_store(people=people)
    code, stdout, stderr = run(store.root, "publish", str(tmp_path / "wiki"), terminal=True)
    assert code == 0 and finished("rendering pages", stderr) and finished("writing pages", stderr), stderr
    piped = run(store.root, "publish", str(tmp_path / "wiki2"), terminal=False)
    assert piped == (0, stdout.replace("wiki:", "wiki2:"), "")
    assert run(store.root, "-q", "publish", str(tmp_path / "wiki3"), terminal=True)[2] == ""
