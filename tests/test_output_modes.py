"""--quiet, --verbose and colour: notes and warnings go to stderr unless quiet,
detail only when verbose, colour only on a terminal and never with NO_COLOR."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import git
from p2p.cli import cli

P2P = str(Path(sys.executable).parent / "p2p")


def broken(p2p):
    """A store with one broken entry: read commands warn about it."""
    bad = p2p.root / "entries" / "pitch" / "ava" / "01M72N8MG0DT7R6J0P5VQRC5KX.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("v: 1\nkind: submission\n")
    git(p2p.root, "add", "entries")
    git(p2p.root, "commit", "-qm", "broken")


def run(p2p, *args, env=None):
    return CliRunner().invoke(cli, ["--store", str(p2p.root), *args], env=env)


def test_warnings_show_by_default_and_not_with_quiet(p2p):
    broken(p2p)
    assert "warning: 1 store files have problems" in run(p2p, "leaderboard", "pitch").stderr
    quiet = run(p2p, "--quiet", "leaderboard", "pitch")
    assert quiet.exit_code == 0 and quiet.stderr == "" and "Pitch" in quiet.stdout
    assert run(p2p, "leaderboard", "pitch", env={"P2P_QUIET": "1"}).stderr == ""


def test_every_read_command_warns_once_about_files_it_left_out(p2p):
    (p2p.root / "people" / "zed.yaml").write_text("id: zed\nname: [unclosed\n")  # every read loads people
    git(p2p.root, "add", "people")
    git(p2p.root, "commit", "-qm", "broken person")
    for args in (["people", "list"], ["challenge", "list"], ["badges"], ["leaderboard"],
                 ["leaderboard", "pitch", "--since", "HEAD~1", "--compare", "mean"]):
        result = run(p2p, *args)
        assert result.exit_code == 0, result.output
        assert result.stderr.count("warning: 1 store files have problems") == 1, (args, result.stderr)


def test_verbose_says_what_was_read_and_quiet_still_prints_errors(p2p):
    verbose = run(p2p, "-v", "leaderboard", "pitch")
    assert verbose.exit_code == 0 and "p2p: read 8 files at " in verbose.stderr
    assert run(p2p, "leaderboard", "pitch").stderr == ""
    failed = run(p2p, "-q", "leaderboard", "nope")
    assert failed.exit_code == 1 and failed.stderr.startswith("error: challenge 'nope'")
    both = run(p2p, "-q", "-v", "leaderboard", "pitch")
    assert both.exit_code == 2 and "contradict" in both.stderr


def in_a_terminal(p2p, env_extra):
    """stderr of a failing p2p whose stderr is a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env_extra
    proc = subprocess.run([P2P, "--store", str(p2p.root), "leaderboard", "nope"], stderr=follower,
                          stdout=subprocess.PIPE, env=env, timeout=60)
    os.close(follower)
    output = os.read(leader, 4096).decode()
    os.close(leader)
    assert proc.returncode == 1
    return output


def test_colour_only_on_a_terminal_and_never_with_no_color(p2p):
    assert "\x1b[31merror:\x1b[0m" in in_a_terminal(p2p, {})
    plain = in_a_terminal(p2p, {"NO_COLOR": "1"})
    assert "\x1b[" not in plain and plain.startswith("error: challenge 'nope'")
    piped = subprocess.run([P2P, "--store", str(p2p.root), "leaderboard", "nope"], capture_output=True, text=True)
    assert piped.stderr.startswith("error: ") and "\x1b[" not in piped.stderr


def test_a_reader_that_stops_early_ends_p2p_quietly_like_any_unix_tool(tmp_path):
    """`p2p schema rating | head -1`: the pipe closes before p2p writes. No
    "internal error", no traceback: status 141, as a tool killed by SIGPIPE."""
    proc = subprocess.Popen([sys.executable, "-m", "p2p", "schema", "rating"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before p2p has started: its first write finds no reader
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, stderr
    assert stderr == ""
