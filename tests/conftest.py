"""Shared fixtures: every test gets its own HOME with a known git identity, no P2P_*
variables from the machine, and builders for real stores in tmp_path."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path
from typing import Any, Callable

import os

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings as hypothesis_settings

# CI decides whether a change lands: there, property tests draw the same examples on
# every run (a new counterexample is found by local runs and pinned with @example).
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

from p2p.cli import cli

OPS = ("Sales Ops", "ops@example.com")
NOW = "2026-11-10T12:00:00Z"  # inside the standard test challenge's window


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {OPS[0]}\n\temail = {OPS[1]}\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
                "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(key, raising=False)
    import os

    for key in [k for k in os.environ if k.startswith("P2P_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("P2P_NOW", NOW)
    return home


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout.strip()


def commit_by_hand(p2p: Any, path: str, text: str | None, message: str = "by hand") -> None:
    """Write (or, with None, remove) one store file and commit it with git itself."""
    target = p2p.root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        git(p2p.root, "rm", "-q", path)
    else:
        target.write_text(text)
        git(p2p.root, "add", path)
    git(p2p.root, "commit", "-qm", message)


def drop_blob(root: Path, path: str) -> None:
    """Delete the git object of a committed file, and p2p's caches: a command that
    reads that file now fails, one that does not read it cannot tell."""
    import shutil

    oid = git(root, "rev-parse", f"HEAD:{path}")
    (root / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    shutil.rmtree(root / ".git" / "p2p", ignore_errors=True)


# p2p in a fresh process, its questions to git logged: each git process (GIT_TRACE's
# "trace: built-in: git ..." lines) and, as "ask SPEC", each object it asks the git
# it keeps running for small reads (p2p.store.catfile.Reader), in the order asked.
_TRACED = """
import runpy, sys
from p2p.store import catfile
log, get = open(sys.argv.pop(1), "a"), catfile.Reader.get
def asked(self, spec):
    log.write(f"ask {spec}\\n")
    log.flush()
    return get(self, spec)
catfile.Reader.get = asked
sys.argv[0] = "p2p"
runpy.run_module("p2p", run_name="__main__")
"""


def traced_run(store: Path, *args: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """Run p2p on `store` in a fresh process: (its stdout, what it asked git, as above)."""
    import sys

    trace = store.parent / "git-trace.log"  # p2p captures git's stderr: trace to a file
    trace.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, "-c", _TRACED, str(trace), "--store", str(store), *args],
                          env={**os.environ, **(env or {}), "GIT_TRACE": str(trace)}, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = trace.read_text().splitlines() if trace.exists() else []
    return proc.stdout, [line.split("trace: built-in: git ", 1)[1] if "trace: built-in: git " in line else line
                         for line in lines if "trace: built-in: git " in line or line.startswith("ask ")]


def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The objects p2p asks its running git for (p2p.store.catfile.Reader) in this
    process from now on, as they are asked."""
    from p2p.store import catfile

    asked: list[str] = []
    get = catfile.Reader.get
    monkeypatch.setattr(catfile.Reader, "get", lambda self, spec: asked.append(spec) or get(self, spec))
    return asked


def is_object_id(spec: str) -> bool:
    """Whether a question names an object by its id (a blob or a tree read), not by a path."""
    return len(spec) in (40, 64) and all(c in "0123456789abcdef" for c in spec)


def store_state(root: Path) -> tuple[str, str, tuple[str, ...]]:
    """HEAD, `git status`, and every file: equal before and after a refused command."""
    files = tuple(sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.parts))
    return git(root, "rev-parse", "HEAD"), git(root, "status", "--porcelain", "--untracked-files=all"), files


class P2P:
    """Runs the CLI in-process against one store and checks the basics every time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int = 0, as_: str | None = None) -> Result:
        argv = ["--store", str(self.root)] + (["--as", as_] if as_ else []) + list(args)
        result = self.runner.invoke(cli, argv, catch_exceptions=True)
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == expect, f"p2p {' '.join(args)} -> {result.exit_code}\n{result.output}"
        if expect == 1:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        return result

    def refused(self, *args: str, as_: str | None = None, expect: int = 1, match: str = "") -> str:
        """Run a command that must be refused, and prove the store did not change."""
        before = store_state(self.root)
        result = self(*args, as_=as_, expect=expect)
        assert store_state(self.root) == before
        assert match.lower() in result.stderr.lower(), result.stderr
        return result.stderr


PEOPLE = {
    # id: (role, team)
    "ava": ("ae", "east"), "ben": ("ae", "east"), "cal": ("sdr", "east"),
    "dia": ("sdr", "west"), "eli": ("ae", "west"), "mia": ("manager", "east"),
}


@pytest.fixture
def make_store(tmp_path: Path) -> Callable[..., P2P]:
    """Builder: an initialised store with PEOPLE and, unless challenge=None, an open
    pitch battle `pitch` (2026-11-09 .. 2026-11-15, review to 2026-11-18)."""

    def build(name: str = "store", challenge: str | None = "pitch", people: dict[str, Any] | None = None) -> P2P:
        root = tmp_path / name
        p2p = P2P(root)
        CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
        for pid, (role, team) in (people or PEOPLE).items():
            p2p("people", "add", pid, "--name", pid.title(), "--email", f"{pid}@example.com", "--role", role,
                "--team", team)
        if challenge:
            p2p("challenge", "new", challenge, "--type", "pitch-battle", "--title", "Pitch",
                "--opens", "2026-11-09", "--closes", "2026-11-15", "--review-closes", "2026-11-18")
        return p2p

    return build


@pytest.fixture
def p2p(make_store: Callable[..., P2P]) -> P2P:
    return make_store()


ROOT = Path(__file__).resolve().parent.parent
DEMO_NOW = "2026-11-22T12:00:00Z"  # the demo's pages are rendered as of this time (golden files)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store `make demo` builds, built once per test session through the real CLI."""
    import os
    import sys

    home = tmp_path_factory.mktemp("demo-home")
    store = tmp_path_factory.mktemp("demo") / "demo-store"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("P2P_", "GIT_"))}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}")
    proc = subprocess.run(["bash", str(ROOT / "demo" / "build.sh"), str(store)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Q4 pitch battle" in proc.stdout and "no problems" in proc.stdout
    return store


PITCH_CRITERIA = ("opening", "value-proposition", "proof", "call-to-action")


def scores(*values: float) -> list[str]:
    """--score options for the pitch-battle rubric, in criterion order (one value = all)."""
    if len(values) == 1:
        values = values * len(PITCH_CRITERIA)
    return [arg for c, v in zip(PITCH_CRITERIA, values) for arg in ("--score", f"{c}={v:g}")]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The hardening catalogue's size (tests/hardening/: one file per family), so the
    summary says how many bad-input and fault cases this run proved."""
    passed = [r for r in terminalreporter.stats.get("passed", []) if "tests/hardening/" in r.nodeid.replace("\\", "/")]
    failed = [r for key in ("failed", "error") for r in terminalreporter.stats.get(key, [])
              if "tests/hardening/" in r.nodeid.replace("\\", "/")]
    if passed or failed:
        terminalreporter.write_sep("-", f"hardening catalogue: {len(passed)} bad-input and fault cases passed"
                                        + (f", {len(failed)} failed" if failed else ""))
