"""The Python API: `import p2p` for scripts beyond the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

import p2p as package
from conftest import git

NOW = dt.datetime(2026, 11, 10, 12, tzinfo=dt.timezone.utc)
SCORES = {"opening": 4, "value-proposition": 5, "proof": 4, "call-to-action": 3}


def test_the_public_names_are_listed_and_load_lazily():
    assert set(package.__all__) == {"open_store", "Store", "P2PError", "__version__"}
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError):
        package.nothing_here  # noqa: B018
    proc = subprocess.run([sys.executable, "-c", "import p2p, sys; print('p2p.api' in sys.modules, 'yaml' in sys.modules)"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "False"]  # `import p2p` stays cheap for the CLI


def test_a_script_records_and_reads_what_the_cli_would(p2p):
    store = package.open_store(p2p.root)
    written = store.submit("ava", "pitch", link="https://v.example/ava", now=NOW)
    assert written["path"].startswith("entries/pitch/ava/") and written["entry"]["kind"] == "submission"
    assert git(p2p.root, "log", "-1", "--format=%an") == "Ava"
    for rater in ("ben", "cal", "dia"):
        store.rate(rater, "pitch", "ava", SCORES, comment="Nice", now=NOW)
    (row,) = store.standings("pitch", now=NOW)
    assert (row["person"], row["rank"], row["ratings"]) == ("ava", 1, 3)
    assert [row] == json.loads(p2p("leaderboard", "pitch", "--format", "json").stdout)["rows"]
    assert [p["id"] for p in store.people(team="west")] == ["dia", "eli"]
    assert store.season(now=NOW)[0]["person"] == "ava"
    assert store.stats(now=NOW)["participation"]["challenges"][0]["submitted"] == 1


def test_errors_are_p2p_errors_with_the_cli_message(p2p):
    store = package.open_store(p2p.root)
    with pytest.raises(package.P2PError, match="challenge 'nope' does not exist"):
        store.standings("nope")
    with pytest.raises(package.P2PError, match="ava has no submission in pitch"):
        store.rate("ben", "pitch", "ava", SCORES, now=NOW)
    store.submit("ava", "pitch", link="https://v.example/ava", now=NOW)
    with pytest.raises(package.P2PError, match="opening"):
        store.rate("ben", "pitch", "ava", {**SCORES, "opening": 9}, now=NOW)
