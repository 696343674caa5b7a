"""The fast reader of p2p's canonical YAML agrees with the safe YAML loader on
every document it accepts, and declines everything it is not sure of."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from p2p import model, roster
from p2p.store import canonical, yamlio

ROOT = Path(__file__).resolve().parent.parent

keys = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)
scalars = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.booleans(), st.text(max_size=60),
                    st.sampled_from(["yes", "No", "on", "0123", "1:10", "2026-11-05", "null", "true", "false", "True",
                                     "~", "1_000", "0x1F", ".5", "https://v.example/a?b=c#d", "a: b", "x #y",
                                     "01M6P3JMC077008TBKYR128EXC", "", "it's", "'q'"]))
documents = st.dictionaries(st.one_of(keys, st.sampled_from(["on", "no", "true", "null", "y"])), st.one_of(scalars, st.dictionaries(keys, scalars, min_size=1, max_size=5)),
                            min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_what_p2p_writes_reads_back_the_same_through_either_reader(doc):
    data = yamlio.dumps(doc)
    fast = canonical.read(data)
    assert fast is None or fast == yamlio.parse_with_pyyaml(data), data


def test_the_unusual_characters_are_exactly_those_outside_yaml_s_printable_set():
    """The reader's quick check, spelled as what is outside the set, on every code point."""
    printable = re.compile("[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
    every = "".join(map(chr, range(0x110000)))
    assert "".join(canonical._UNUSUAL.findall(every)) == printable.sub("", every)


def test_the_plain_text_characters_are_exactly_libyaml_s_printable_ones_in_a_plain_scalar():
    """The writer's plain pattern, spelled as what is not allowed, on every code point:
    libyaml's printable set on one line, without #, brackets, braces or astral characters."""
    allowed = re.compile(r"[\x20-\x22\x24-\x5a\x5c\x5e-\x7a\x7c\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
    plain = re.compile(canonical._PLAIN)
    taken = "".join(c for c in map(chr, range(0x110000)) if plain.fullmatch(f"a{c}b"))
    assert taken == "".join(allowed.findall("".join(map(chr, range(0x110000)))))


def pyyaml_dump(doc):
    pyyaml = yamlio._pyyaml()
    return pyyaml.yaml.dump(doc, Dumper=pyyaml.dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                            width=100)


# Values the fast writer takes on, beside the traps above: prose of any length, names in
# any script, links, dates, ids, every number and boolean.
writable = st.one_of(
    st.from_regex(r"[A-Za-z][ -~]{0,110}", fullmatch=True),
    st.builds(lambda first, rest: first + rest, st.sampled_from("AbZé"), st.text(max_size=110)),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?", fullmatch=True),
    st.from_regex(r"[0-9A-HJKMNP-TV-Z]{26}", fullmatch=True), st.from_regex(r"[0-9]{26}", fullmatch=True),
    st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.text(max_size=5), max_size=2), scalars)
writable_documents = st.dictionaries(
    st.one_of(keys, st.sampled_from(["on", "y", "Yes", "a" * 101, "_x", "A", "x y", 1, "  a", "  on", "a:"])),
    st.one_of(writable, st.dictionaries(keys, writable, max_size=4)), max_size=8)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(writable_documents, st.dictionaries(keys, writable, min_size=1, max_size=1)))
def test_the_fast_writer_writes_what_pyyaml_writes_or_declines(doc):
    text = canonical.write(doc)
    if text is not None:
        assert text == pyyaml_dump(doc)


def test_entries_and_people_as_p2p_writes_them_need_no_pyyaml():
    """What a submit, a rating or `people add` writes goes through the fast writer: the
    import-set test in test_startup.py relies on it."""
    rating = {"v": 1, "id": "01M3W9FK4AYBBS1DRCZWEMJ49T", "kind": "rating", "at": "2026-10-01T17:51:33Z",
              "by": "r02906", "challenge": "c07", "submission": "01M3W9FK4844VH6RJV6B4A6VZH", "person": "r04909",
              "scores": {"opening": 4, "value-proposition": 4.5}, "comment": "Tighten the ask at the end, José."}
    submission = {"v": 1, "id": "01M3W9FK4844VH6RJV6B4A6VZH", "kind": "submission", "at": "2026-10-01T17:51:33Z",
                  "by": "r04909", "challenge": "c07", "link": "https://v.example/a/b?c=d&e=f", "metric": 12.5}
    person = {"id": "ava", "name": "Ava Stone", "email": "ava@example.com", "role": "ae", "team": "east",
              "hired": "2026-01-05", "active": True}
    for doc in (rating, submission, person):
        assert canonical.write(doc) == pyyaml_dump(doc)


@pytest.mark.parametrize("value", ["yes", "No", "a: b", "a:", "trailing ", "x #y", "[x]", "1abc", "2026", "",
                                   "a\nb", "a\tb", "é", "-x", "a" * 98, 1.5e300, float("nan"), 10**18, None, [], {}])
def test_the_fast_writer_declines_what_pyyaml_might_write_otherwise(value):
    assert canonical.write({"k": value}) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_read_as_pyyaml_reads_it_or_declined(text):
    fast = canonical.read(text.encode("utf-8", "surrogatepass") if text.isprintable() else text.encode("utf-8", "replace"))
    if fast is not None:
        assert fast == yamlio.parse_with_pyyaml(text.encode("utf-8", "replace")), text


@pytest.mark.parametrize("text", [
    "a: yes\n", "a: On\n", "a: 0123\n", "a: 1:10\n", "a: 2026-11-05\n", "a: null\n", "a: ~\n", "a: 1_000\n",
    "a: 0x1F\n", "a: .5\n", "a: 1e3\n", "a:\nb: 1\n", "a: 1\na: 2\n", "a: 1\n  b: 2\n", "a: x\n  continued\n",
    "a: \"q\"\n", "a: 'it''s\n", "- a\n", "a: [1]\n", "---\na: 1\n", "a: 1", "a: 1\r\n", "a: b #c\n",
    # booleans other than the lowercase true and false p2p writes, and keys YAML 1.1 reads as booleans or null
    "a: True\n", "a: TRUE\n", "a: False\n", "a: FALSE\n", "a: tRue\n", "a: yes\n", "a: on\n", "a: off\n",
    "a: y\n", "a: true # comment\n", "a: true \n", "a: true:\n", "a:  true\n", "a: truex: 1\n", "on: 1\n",
    "no: 1\n", "true: 1\n", "null: 1\n", "a:\n  yes: 1\n", "a:\n  off: true\n",
    # what YAML refuses or reads as a line break, in a comment or a value; a key too long to be a key
    "# \x07\na: 1\n", "# x\x85b: 1\na: 1\n", "# x\u2028b: 1\na: 1\n", "a: b\x80\n", "a: b\x9f\n",
    "a: b\ufffe\n", "a: b\uffff\n", "a: 'b\x7f'\n", "\ufeffa: 1\n", "a: b\ufeff\n", "a\t: 1\n",
    "a" * 1100 + ": 1\n", "a:\n  " + "b" * 1030 + ": 1\n",
])
def test_yaml_traps_and_unusual_forms_are_left_to_pyyaml(text):
    assert canonical.read(text.encode()) is None


def test_the_entries_p2p_writes_take_the_fast_path():
    modeline = b"# yaml-language-server: $schema=../../../.p2p/schemas/entry.json\n"  # an editor's, skipped
    submission = (modeline + b"v: 1\nid: 01M6P3JMC077008TBKYR128EXC\nkind: submission\nat: '2026-11-05T15:00:00Z'\n"
                  b"by: ava\nchallenge: q4\nlink: https://calls.example.com/ava\nmetric: 7\n")
    rating = (modeline + b"v: 1\nid: 01M6ZW068BWN2X19Y5XXFG3WQT\nkind: rating\nat: '2026-11-09T10:00:00Z'\nby: ava\n"
              b"challenge: q4\nsubmission: 01M6P3JMC3QJ1N34QYP8SVMRHM\nperson: eli\nscores:\n  opening: 5\n"
              b"  proof: 4.5\ncomment: Best proof section, of the round.\n")
    for data in (submission, rating):
        assert canonical.read(data) == yamlio.parse_with_pyyaml(data) is not None
        assert canonical.read(data) is not None


@pytest.mark.parametrize("text, value", [
    ("a: true\n", True), ("a: false\n", False), ("a: 'true'\n", "true"), ("a: 'True'\n", "True"),
    ("a: 'yes'\n", "yes"), ("a: truer\n", "truer"), ("a: true story\n", "true story"), ("a: 'it''s'\n", "it's"),
    ("a: ''\n", ""), ("a: b\xa0\n", "b\xa0"), ("a: b:c\n", "b:c"),
])
def test_the_booleans_p2p_writes_and_quoted_words_are_read_as_pyyaml_reads_them(text, value):
    data = text.encode()
    assert canonical.read(data) == yamlio.parse_with_pyyaml(data) == {"a": value}
    assert type(canonical.read(data)["a"]) is type(value)


def test_the_people_p2p_writes_take_the_fast_path():
    for active in (True, False):
        person = model.Person("ava", "Ava O'Neil", "ava@example.com", "ae", "team-1", region="EMEA", manager="max",
                              hired=dt.date(2024, 1, 5), active=active, crm_id="u-0051x")
        data = roster._dump(person)
        assert canonical.read(data) == yamlio.parse_with_pyyaml(data) is not None
        assert model.Person.parse(canonical.read(data)) == person


def test_a_line_read_once_is_read_the_same_from_memory():
    first = canonical.read(b"a: 1\nb: true\nc: x\nd:\n  e: 2.5\n")
    again = canonical.read(b"a: 1\nb: true\nc: x\nd:\n  e: 2.5\n")
    assert first == again == {"a": 1, "b": True, "c": "x", "d": {"e": 2.5}}
    assert first["d"] is not again["d"]  # each document gets its own mappings
    assert canonical.read(b"d:\n  e: 2.5\n  e: 2.5\n") is None
    assert canonical.read(b"  e: 2.5\n") is None


def test_every_file_of_the_demo_spec_and_built_in_types_agrees():
    for path in [*(ROOT / "challenges").glob("*.yaml"), *(ROOT / "demo").rglob("*.yaml")]:
        data = path.read_bytes()
        fast = canonical.read(data)
        assert fast is None or fast == yamlio.parse_with_pyyaml(data), path
