"""Write commands stay light: `p2p submit` and `p2p rate` never import Jinja, tabulate
or GitPython (each costs ~100-150 ms of start-up a rep would wait on every time), nor
PyYAML once the store's caches are warm (~25 ms: p2p writes an entry itself), nor
hashlib (~3 ms of loading OpenSSL: p2p.store.digest), nor json or csv in text mode; a read
keeps Python's cyclic collector out of its way and leaves it as it was."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import scores

PROBE = """
import sys
from p2p.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'tabulate', 'git', 'markupsafe'})
print('HEAVY=' + ','.join(heavy))
print('SCORING=' + ','.join(sorted(set(sys.modules) & {'p2p.scoring', 'p2p.policies', 'p2p.render.markdown'})))
"""


@pytest.mark.parametrize("command", ["submit", "rate", "help", "submit-help"])
def test_write_commands_and_help_do_not_import_heavy_libraries(p2p, command):
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    args = {
        "submit": ["--as", "ben", "submit", "pitch", "--link", "https://v.example/ben"],
        "rate": ["--as", "ben", "rate", "pitch", "ava", *scores(4)],
        "help": ["--help"],
        "submit-help": ["submit", "--help"],
    }[command]
    # json and csv: ~3 ms of imports that only their own --format needs (help lists
    # every command, which imports their modules)
    light = ", 'json', 'csv'" if command in ("submit", "rate") else ""
    probe = PROBE.replace("'markupsafe'}", f"'markupsafe', 'yaml', 'hashlib'{light}}}")
    proc = subprocess.run([sys.executable, "-c", probe, "--store", str(p2p.root), *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY=\n" in proc.stdout, proc.stdout
    if command != "rate":  # a submit scores nothing and prints no markdown: ~6 ms of imports
        assert proc.stdout.strip().endswith("SCORING="), proc.stdout


def test_a_read_pauses_the_collector_and_leaves_it_as_it_found_it(p2p, monkeypatch):
    """Reads pause Python's cyclic collector and freeze what they loaded; a process
    running many commands (these tests, the API) gets both back when each ends."""
    import gc

    from p2p.store import loader

    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    gc.unfreeze()
    enabled_during = []
    real_load = loader.load
    monkeypatch.setattr(loader, "load", lambda *args, **kwargs: enabled_during.append(gc.isenabled())
                        or real_load(*args, **kwargs))
    p2p("leaderboard", "pitch", "--format", "json")
    assert enabled_during and not any(enabled_during)  # a folded read loads more than once
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_read_from_the_caches_imports_no_yaml_parser(p2p):
    """PyYAML is imported only to parse or write a file: a warm leaderboard does neither."""
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    probe = PROBE.replace("{'jinja2', 'tabulate', 'git', 'markupsafe'}", "{'yaml', 'jinja2', 'tabulate', 'git'}")
    argv = [sys.executable, "-c", probe, "--store", str(p2p.root), "leaderboard", "pitch", "--format", "json"]
    first = subprocess.run(argv, capture_output=True, text=True, timeout=60)  # fills the caches
    warm = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert first.returncode == warm.returncode == 0, first.stderr + warm.stderr
    assert "HEAVY=\n" in warm.stdout, warm.stdout


def test_objects_a_host_program_froze_stay_frozen(p2p):
    """p2p run in-process (CliRunner here) must not thaw what its host froze."""
    import gc

    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    gc.freeze()
    try:
        p2p("leaderboard", "pitch", "--format", "json")
        # gc.unfreeze thaws everything: the count would be 0 (it only shrinks as frozen objects die)
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        gc.unfreeze()
