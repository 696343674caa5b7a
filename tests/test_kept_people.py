"""The kept roster (p2p.store.kept_people): read back whole for a read, one person at
a time for a write, and the same people either way."""

from __future__ import annotations

import pickle

import pytest

from conftest import git, scores
from p2p.model import Person
from p2p.store import kept_people
from p2p.store.kept_people import KeptPeople

PEOPLE = {pid: Person(pid, f"Rep {pid}", f"{pid}@example.com", "ae", f"team-{n % 3}", None, None, None, n % 4 != 0, None)
          for n, pid in enumerate(["zoe", "ava", "ben", "cal", "dia"])}


def test_kept_people_read_back_whole_or_one_by_one_are_the_same_people():
    kept = pickle.loads(pickle.dumps(KeptPeople.of(PEOPLE)))  # as the cache file gives them back
    assert kept.all() == PEOPLE and list(kept.all()) == list(PEOPLE)  # the roster's order too
    one_by_one = kept.by_one()
    assert one_by_one["ben"] == PEOPLE["ben"] and "cal" in one_by_one and "eve" not in one_by_one
    assert one_by_one.get("eve") is None and len(one_by_one) == 5 and list(one_by_one) == list(PEOPLE)
    with pytest.raises(KeyError):
        one_by_one["eve"]
    assert dict(one_by_one.items()) == PEOPLE and list(one_by_one.values()) == list(PEOPLE.values())
    assert one_by_one.with_email("BEN@example.com") == [PEOPLE["ben"]] and one_by_one.with_email("x@y.z") == []
    mine = kept.all()
    mine["eve"] = PEOPLE["ava"]
    assert "eve" not in kept.all()  # each caller gets its own dict


def test_a_write_reads_back_only_the_people_it_names(p2p, monkeypatch):
    """A submit or a rating looks up its actor and target among the kept people; it
    must not read the whole roster back (5,000 people, ~10 ms of every write)."""
    p2p("submit", "pitch", "--link", "https://v.example/ava", as_="ava")
    p2p("leaderboard", "pitch")  # a read: the kept roster is made, and read back whole
    asked: list[str] = []
    read_back = kept_people._OneByOne.__getitem__
    monkeypatch.setattr(kept_people._OneByOne, "__getitem__", lambda self, pid: asked.append(pid) or read_back(self, pid))
    monkeypatch.setattr(KeptPeople, "all", lambda self: pytest.fail("a write read back every person"))
    p2p("submit", "pitch", "--link", "https://v.example/ben", as_="ben")
    p2p("rate", "pitch", "ben", *scores(4), as_="cal")
    assert set(asked) == {"ben", "cal"}, asked
    git(p2p.root, "config", "user.email", "Dia@Example.com")  # no --as: the rep is whoever git says
    asked.clear()
    p2p("submit", "pitch", "--link", "https://v.example/dia")
    assert asked == ["dia"] and git(p2p.root, "log", "-1", "--format=%an") == "Dia"
